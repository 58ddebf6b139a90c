"""``voice-sim gauntlet``: back-to-back calls with rising starting intensity."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from .. import config as cfg
from ._call_common import (
    CleanOpt,
    ConfigOpt,
    NameOpt,
    OutOpt,
    ScoreOpt,
    analyze_and_score,
    announce_brain,
    console,
    load_settings,
    print_live_transcript,
)
from ._store_opts import ScriptsOpt, StoreOpt, TeamOpt, TraineeNameOpt, check_trainee_name

if TYPE_CHECKING:
    from ..session import CallResult, CallSpec

HELP = (
    "Back-to-back calls that get harder, like a queue at 4 p.m.\n\n"
    "Starting intensity rises call by call (by default a confused caller, then an angry one, "
    "then an abusive one). One session folder per call plus gauntlet.json; at the end the "
    "session scorecard shows whether your patience held from the first call to the last.\n\n"
    "Examples:\n\n"
    "  voice-sim gauntlet --calls 3                      (live, from the microphone)\n\n"
    "  voice-sim gauntlet --simulate --calls 3 --break 0\n\n"
    "  voice-sim gauntlet --personas elderly-confused,angry-billing,abusive-caller -s bot.yaml"
)


def register(app: typer.Typer) -> None:
    @app.command("gauntlet", help=HELP)
    def gauntlet_cmd(
        personas: Annotated[
            str | None,
            typer.Option(
                "--personas",
                help="Comma-separated persona ids in call order "
                "(default: confused, then angry, then abusive callers).",
            ),
        ] = None,
        calls: Annotated[
            int, typer.Option("--calls", "-n", min=1, max=20, help="How many calls.")
        ] = 3,
        break_s: Annotated[
            float, typer.Option("--break", min=0.0, help="Seconds of rest between calls.")
        ] = 5.0,
        script: ScriptsOpt = None,
        name: NameOpt = "trainee",
        out: OutOpt = None,
        simulate: Annotated[
            bool,
            typer.Option("--simulate", help="Simulate with each caller's own trainee bot."),
        ] = False,
        clean: CleanOpt = False,
        score: ScoreOpt = True,
        trainee: TraineeNameOpt = None,
        team: TeamOpt = None,
        store: StoreOpt = True,
        config: ConfigOpt = None,
    ) -> None:
        check_trainee_name(trainee)
        import asyncio

        from personas import plan_gauntlet

        from ..gauntlet import run_gauntlet
        from ..live import live_call
        from ..session import CallSpec
        from ..simulate import simulate_call, trainee_input

        res = load_settings(config, {}, {})
        ids = [p.strip() for p in personas.split(",") if p.strip()] if personas else None
        plan = plan_gauntlet(ids, calls)
        folder = out or cfg.data_dir() / "gauntlets" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        # without --script, --simulate gives each caller its own good-practice bot
        scripts = list(script or [])
        settings, llm = res.call, res.llm
        announce_brain(res)
        console.print(
            "gauntlet: " + ", ".join(f"{c.persona_id} (starts at {c.start_level})" for c in plan)
        )
        base = CallSpec(
            out_dir=folder,
            mode="simulated" if scripts or simulate else "live",
            llm=llm,
            clean=clean,
            settings=settings,
            director=res.director,
            trainee_name=name,
        )

        async def one(spec: CallSpec, i: int) -> CallResult:
            console.rule(f"call {i + 1}/{len(plan)}: {spec.persona}")
            if scripts or simulate:
                given = scripts[i % len(scripts)] if scripts else None
                return await simulate_call(
                    spec,
                    trainee_input(given, spec.persona),
                    on_start=lambda c: print_live_transcript(c.events),
                )
            return await live_call(spec, on_ready=lambda c: print_live_transcript(c.events))

        result = asyncio.run(
            run_gauntlet(
                folder,
                plan,
                base,
                one,
                break_s=break_s,
                on_break=lambda n, s: console.print(
                    f"[dim]break: {s:.0f} s before call {n + 1}[/dim]"
                ),
            )
        )
        for i, r in enumerate(result.calls):
            console.print(
                f"call {i + 1}: {r.out_dir.name}  ended {r.end_reason}, "
                f"intensity at the end {r.final_intensity}/10"
            )
        if score:
            analyze_and_score(folder)
        if store:
            from ..store.hook import default_trainee, register_folders

            register_folders(
                [r.out_dir for r in result.calls],
                trainee=default_trainee(trainee, name if name != "trainee" else None),
                team=team,
                source="simulated" if scripts else "live",
                gauntlet=folder,
                config_path=config,
            )
        typer.echo(f"gauntlet folder: {folder}")
