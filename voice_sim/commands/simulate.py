"""``voice-sim simulate``: a whole call with no microphone."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from ..session import CallSpec
from ..simulate import load_script, simulate_call
from ._call_common import (
    analyze_and_score,
    announce_brain,
    console,
    load_settings,
    print_live_transcript,
    session_dir,
)

#: The trainee bot of ``make demo``: good practice against the default angry billing customer.
DEFAULT_SCRIPT = "good-billing.yaml"


def default_script() -> Path:
    return Path(str(resources.files("voice_sim") / "scripts" / DEFAULT_SCRIPT))


def register(app: typer.Typer) -> None:
    @app.command("simulate", rich_help_panel="Calls")
    def simulate_cmd(
        trainee: Annotated[
            Path | None,
            typer.Option(
                "--trainee",
                "-t",
                help="A trainee script (.yaml: lines a bot says with Piper, with latencies and "
                "planned interruptions) or a recording (.wav) streamed as the microphone. "
                "Default: the built-in good-practice script.",
            ),
        ] = None,
        persona: Annotated[
            str | None,
            typer.Option(
                "--persona",
                "-p",
                help="Persona id (voice-sim personas list) or YAML file. Default: angry-billing.",
            ),
        ] = None,
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="Session folder to write.")
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
        seed: Annotated[
            int | None, typer.Option(help="Seed for the customer's line choices.")
        ] = None,
        score: Annotated[
            bool, typer.Option("--score/--no-score", help="Analyse and score after the call.")
        ] = True,
        config: Annotated[Path | None, typer.Option("--config", help="Config file (TOML).")] = None,
    ) -> None:
        """Run a simulated call: same session and engines, trainee audio from a file.

        The customer speaks first; a trainee bot (script) or a recording (WAV) answers in real
        time. The session folder gets recording.wav (ch0 trainee, ch1 customer), events.jsonl,
        meta.json, then analysis.json, scorecard.json and report.html.

        Examples:

          voice-sim simulate
          voice-sim simulate --persona abusive-caller --trainee my-lines.yaml --out runs/a1
          voice-sim simulate --trainee rehearsal.wav --phone-line
        """
        res = load_settings(
            config,
            {"phone_line": phone_line, "stt_model": stt_model, "seed": seed},
            {},
        )
        folder = session_dir(out, persona)
        script = trainee or default_script()
        # bad input fails before anything is loaded or printed
        trainee_input = (
            load_script(script) if script.suffix.lower() in (".yaml", ".yml") else script
        )
        settings, llm = res.call, res.llm
        announce_brain(llm)
        console.print(f"[dim]calling {persona or 'angry-billing'}; trainee: {script}[/dim]")
        spec = CallSpec(
            out_dir=folder,
            persona=persona,
            mode="simulated",
            llm=llm,
            clean=clean,
            start_level=start_level,
            settings=settings,
            director=res.director,
            trainee_name=getattr(trainee_input, "name", script.stem),
        )
        result = asyncio.run(
            simulate_call(
                spec, trainee_input, on_start=lambda call: print_live_transcript(call.events)
            )
        )
        console.print(
            f"call ended ({result.end_reason}) after {result.duration_s:.1f} s; "
            f"customer intensity at the end: {result.final_intensity}/10"
        )
        if score:
            analyze_and_score(folder)
        typer.echo(f"session folder: {folder}")
        typer.echo(f"  recording: {folder / 'recording.wav'}")
        typer.echo(f"  events:    {folder / 'events.jsonl'}")
        if (folder / "scorecard.json").exists():
            typer.echo(f"  scorecard: {folder / 'scorecard.json'}")
            typer.echo(f"  report:    {folder / 'report.html'}")
