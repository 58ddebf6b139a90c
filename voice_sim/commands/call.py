"""``voice-sim call``: a live role-play from the microphone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ._call_common import (
    CleanOpt,
    ConfigOpt,
    NameOpt,
    OutOpt,
    PersonaOpt,
    PhoneLineOpt,
    ScoreOpt,
    StartLevelOpt,
    SttModelOpt,
    analyze_and_score,
    announce_brain,
    console,
    load_settings,
    print_live_transcript,
    session_dir,
)
from ._store_opts import StoreOpt, TeamOpt, TraineeNameOpt

if TYPE_CHECKING:
    from ..session import CallSession


def _device(value: str | None) -> str | int | None:
    if value is None:
        return None
    return int(value) if value.isdigit() else value


HELP = (
    "Take a live call from an AI customer, from your microphone (use headphones).\n\n"
    "The customer speaks first. Interrupt them and they stop; let them heat up and they talk "
    "over you. Ctrl-C or the customer hanging up ends the call; it is then analysed and scored, "
    "and the session folder is printed. No microphone? Use voice-sim simulate.\n\n"
    "Examples:\n\n"
    "  voice-sim call --persona angry-billing --name Sam\n\n"
    "  voice-sim call --persona elderly-confused --phone-line"
)


def register(app: typer.Typer) -> None:
    @app.command("call", help=HELP)
    def call_cmd(
        persona: PersonaOpt = None,
        name: NameOpt = "trainee",
        out: OutOpt = None,
        input_device: Annotated[
            str | None, typer.Option(help="Microphone (name or index; see python -m sounddevice).")
        ] = None,
        output_device: Annotated[
            str | None, typer.Option(help="Speaker/headphones (name or index).")
        ] = None,
        phone_line: PhoneLineOpt = None,
        clean: CleanOpt = False,
        start_level: StartLevelOpt = None,
        stt_model: SttModelOpt = None,
        score: ScoreOpt = True,
        trainee: TraineeNameOpt = None,
        team: TeamOpt = None,
        store: StoreOpt = True,
        config: ConfigOpt = None,
    ) -> None:
        import asyncio

        from ..live import live_call
        from ..session import CallSpec

        res = load_settings(config, {"phone_line": phone_line, "stt_model": stt_model}, {})
        folder = session_dir(out, persona)
        settings, llm = res.call, res.llm
        announce_brain(res)
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
        from .note import ask_case_note

        ask_case_note(folder)  # after-call work: skippable, never asked when stdin is no terminal
        if score:
            analyze_and_score(folder)
        if store:
            from ..store.hook import default_trainee, register_folders

            who = default_trainee(trainee, name if name != "trainee" else None)
            register_folders([folder], trainee=who, team=team, source="live", config_path=config)
        typer.echo(f"session folder: {folder}")
