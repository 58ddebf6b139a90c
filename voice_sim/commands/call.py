"""``voice-sim call``: a live role-play from the microphone."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from ..live import live_call
from ..session import CallSession, CallSpec
from ._call_common import (
    analyze_and_score,
    announce_brain,
    console,
    load_settings,
    print_live_transcript,
    session_dir,
)


def _device(value: str | None) -> str | int | None:
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def register(app: typer.Typer) -> None:
    @app.command("call", rich_help_panel="Calls")
    def call_cmd(
        persona: Annotated[
            str | None,
            typer.Option(
                "--persona",
                "-p",
                help="Persona id (voice-sim personas list) or YAML file. Default: angry-billing.",
            ),
        ] = None,
        name: Annotated[
            str, typer.Option("--name", help="Your name, shown in reports.")
        ] = "trainee",
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="Session folder to write.")
        ] = None,
        input_device: Annotated[
            str | None, typer.Option(help="Microphone (name or index; see python -m sounddevice).")
        ] = None,
        output_device: Annotated[
            str | None, typer.Option(help="Speaker/headphones (name or index).")
        ] = None,
        phone_line: Annotated[
            bool | None,
            typer.Option(
                "--phone-line/--no-phone-line", help="Customer's voice through a telephone channel."
            ),
        ] = None,
        clean: Annotated[bool, typer.Option(help="No profanity from abusive callers.")] = False,
        start_level: Annotated[
            int | None,
            typer.Option(min=0, max=10, help="Starting intensity 0-10 (default: the persona's)."),
        ] = None,
        stt_model: Annotated[
            Path | None,
            typer.Option(help="CTranslate2 Whisper model directory (default: tiny.en)."),
        ] = None,
        score: Annotated[
            bool, typer.Option("--score/--no-score", help="Analyse and score after the call.")
        ] = True,
        config: Annotated[Path | None, typer.Option("--config", help="Config file (TOML).")] = None,
    ) -> None:
        """Take a live call from an AI customer, from your microphone (use headphones).

        The customer speaks first. Interrupt them and they stop; let them heat up and they talk
        over you. Ctrl-C or the customer hanging up ends the call; it is then analysed and
        scored, and the session folder is printed.

        Examples:

          voice-sim call --persona angry-billing --name Sam
          voice-sim call --persona elderly-confused --phone-line
        """
        res = load_settings(config, {"phone_line": phone_line, "stt_model": stt_model}, {})
        folder = session_dir(out, persona)
        settings, llm = res.call, res.llm
        announce_brain(llm)
        spec = CallSpec(
            out_dir=folder,
            persona=persona,
            mode="live",
            llm=llm,
            clean=clean,
            start_level=start_level,
            settings=settings,
            director=res.director,
            trainee_name=name,
        )

        def ready(call: CallSession) -> None:
            print_live_transcript(call.events)
            console.print(
                "[bold green]connected[/bold green] - speak when the customer "
                "has finished; Ctrl-C hangs up"
            )

        result = asyncio.run(
            live_call(
                spec,
                input_device=_device(input_device),
                output_device=_device(output_device),
                on_ready=ready,
            )
        )
        console.print(
            f"call ended ({result.end_reason}) after {result.duration_s:.1f} s; "
            f"customer intensity at the end: {result.final_intensity}/10"
        )
        if score:
            analyze_and_score(folder)
        typer.echo(f"session folder: {folder}")
