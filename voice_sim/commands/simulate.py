"""``voice-sim simulate``: a whole call with no microphone."""

from __future__ import annotations

from typing import Annotated

import typer

from ._call_common import (
    CleanOpt,
    ConfigOpt,
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
from ._store_opts import ScriptOpt, StoreOpt, TeamOpt, TraineeNameOpt, check_trainee_name

HELP = (
    "Run a simulated call: the same session and engines as a live call, with the trainee's "
    "audio from a file.\n\n"
    "The customer speaks first; a trainee bot (a .yaml script: lines said with Piper after each "
    "customer turn, with latencies and planned interruptions) or a recording (.wav, streamed as "
    "the microphone in real time) answers. The session folder gets recording.wav (channel 0 "
    "trainee, channel 1 customer), events.jsonl and meta.json, then analysis.json, "
    "scorecard.json and report.html.\n\n"
    "Examples:\n\n"
    "  voice-sim simulate                      (the persona's own good-practice bot)\n\n"
    "  voice-sim simulate --persona elderly-confused --script mistakes\n\n"
    "  voice-sim simulate --persona abusive-caller --script my-lines.yaml --out runs/a1\n\n"
    "  voice-sim simulate --script rehearsal.wav --phone-line --trainee sam"
)


def register(app: typer.Typer) -> None:
    @app.command("simulate", help=HELP)
    def simulate_cmd(
        script: ScriptOpt = None,
        persona: PersonaOpt = None,
        out: OutOpt = None,
        phone_line: PhoneLineOpt = None,
        clean: CleanOpt = False,
        start_level: StartLevelOpt = None,
        stt_model: SttModelOpt = None,
        seed: Annotated[
            int | None, typer.Option(help="Seed for the customer's line choices.")
        ] = None,
        score: ScoreOpt = True,
        trainee: TraineeNameOpt = None,
        team: TeamOpt = None,
        store: StoreOpt = True,
        config: ConfigOpt = None,
    ) -> None:
        check_trainee_name(trainee)
        import asyncio

        from personas import DEFAULT_PERSONA

        from ..session import CallSpec
        from ..simulate import load_script, simulate_call
        from ..simulate import trainee_input as default_trainee_input

        res = load_settings(
            config,
            {"phone_line": phone_line, "stt_model": stt_model, "seed": seed},
            {},
        )
        folder = session_dir(out, persona)
        # default: the persona's own good-practice bot
        script = default_trainee_input(script, persona)
        # bad input fails before anything is loaded or printed
        trainee_input = (
            load_script(script) if script.suffix.lower() in (".yaml", ".yml") else script
        )
        settings, llm = res.call, res.llm
        announce_brain(res)
        console.print(f"[dim]calling {persona or DEFAULT_PERSONA}; trainee: {script}[/dim]")
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
        if store:
            from ..store.hook import default_trainee, register_folders

            register_folders(
                [folder],
                trainee=default_trainee(trainee),
                team=team,
                source="simulated",
                config_path=config,
            )
        typer.echo(f"session folder: {folder}")
        typer.echo(f"  recording: {folder / 'recording.wav'}")
        typer.echo(f"  events:    {folder / 'events.jsonl'}")
        if (folder / "scorecard.json").exists():
            typer.echo(f"  scorecard: {folder / 'scorecard.json'}")
            typer.echo(f"  report:    {folder / 'report.html'}")
