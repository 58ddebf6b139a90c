"""``voice-sim analyze``: recordings -> analysis.json (+ session.json for several), timelines."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ..config import find_config_file, load_config_file, resolve
from ..errors import VoiceSimError
from ._inputs import expand_inputs

HELP = "\n\n".join(
    [
        "Measure a call: who spoke when, interruptions, backchannels, response gaps, dead air, "
        "pace (wpm), pitch and loudness, and how they drift.",
        "INPUT is a stereo recording (WAV, FLAC, OGG/Opus, MP3; 8 kHz and up; channel 0 "
        "trainee, channel 1 customer), a session folder (its recording.wav), or a gauntlet folder "
        "(its calls in order). Use --trainee A.wav --customer B.wav for one mono file per "
        "speaker. A mono file is analysed for what one channel allows, with a warning.",
        "One input writes OUT/analysis.json and OUT/timeline.png|svg. Several inputs (a "
        "back-to-back session, in the given order) write OUT/<stem>/analysis.json for each plus "
        "OUT/session.json, which tracks the trainee's pitch, loudness, pace, interruptions and "
        "response latency across calls. A bad input is reported and the others still complete "
        "(exit code 2).",
        "Thresholds (MIN_PAUSE_S=1.0, BACKCHANNEL_MAX_S=1.0, DEAD_AIR_S=3.0 ...) resolve defaults "
        "< \\[analysis] in the config file < VOICE_SIM_ANALYSIS_* < flags. File contract: "
        "docs/contracts.md and audio_analysis/README.md.",
        "Examples:",
        "  voice-sim analyze out/demo/2026-01-01-angry",
        "  voice-sim analyze call.wav --trainee-channel 1 --out results/",
        "  voice-sim analyze day1.wav day2.wav day3.wav day4.wav --out session/",
    ]
)


def _default_out(inputs: list[Path]) -> Path:
    if len(inputs) == 1 and inputs[0].is_dir():
        return inputs[0]
    parents = {p.parent.resolve() for p in inputs}
    if len(inputs) > 1 and all(p.is_dir() for p in inputs) and len(parents) == 1:
        return parents.pop()
    return Path.cwd()


def _fmt(x: float | None, unit: str) -> str:
    return "n/a" if x is None else f"{x:+.2f}{unit}"


def _summary(name: str, d: dict[str, Any]) -> str:
    parts = [f"{name}: {d['duration_s']:.1f} s"]
    for r in ("trainee", "customer"):
        s = d["speakers"].get(r)
        if s:
            wpm = "-" if s["wpm"] is None else f"{s['wpm']:.0f}"
            parts.append(f"{r} {s['talk_time_s']:.0f} s talk, {s['turns']} turns, {wpm} wpm")
    parts.append(f"{len(d['interruptions'])} interruptions, {len(d['backchannels'])} backchannels")
    parts.append(f"{len(d['gaps'])} gaps, {len(d['dead_air'])} dead air")
    return "; ".join(parts)


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command to ``app``."""

    @app.command("analyze", help=HELP)
    def analyze_cmd(
        inputs: Annotated[
            list[Path] | None,
            typer.Argument(help="Recordings, session folders or gauntlet folders, in call order."),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                "-o",
                help="Output folder (default: the session folder, else the current folder).",
            ),
        ] = None,
        trainee_channel: Annotated[int, typer.Option(help="Channel of the trainee (0 or 1).")] = 0,
        customer_channel: Annotated[
            int | None,
            typer.Option(
                help="Channel of the customer; needed for files with more than two channels."
            ),
        ] = None,
        trainee: Annotated[
            Path | None,
            typer.Option("--trainee", help="Mono file of the trainee (with --customer)."),
        ] = None,
        customer: Annotated[
            Path | None,
            typer.Option("--customer", help="Mono file of the customer (with --trainee)."),
        ] = None,
        transcribe: Annotated[
            bool | None,
            typer.Option(
                "--transcribe/--no-transcribe",
                help="Recognise words (Whisper tiny.en) for text and wpm.",
            ),
        ] = None,
        timeline: Annotated[
            bool,
            typer.Option("--timeline/--no-timeline", help="Write timeline.png and timeline.svg."),
        ] = True,
        min_pause_s: Annotated[
            float | None, typer.Option(help="Pauses shorter than this stay inside a turn (s).")
        ] = None,
        backchannel_max_s: Annotated[
            float | None, typer.Option(help="Longest backchannel (s).")
        ] = None,
        interruption_min_s: Annotated[
            float | None, typer.Option(help="Shortest interrupting speech (s).")
        ] = None,
        dead_air_s: Annotated[
            float | None,
            typer.Option(
                help="Dead air: the trainee silent longer than this after the customer's turn (s; "
                "the director's and scorer's threshold too, 3 by default)."
            ),
        ] = None,
        bleed_margin_db: Annotated[
            float | None,
            typer.Option(help="Frames this many dB below the other channel are bleed (dB)."),
        ] = None,
        pitch_tracker: Annotated[
            str | None, typer.Option(help="swift-f0 (default) or yin.")
        ] = None,
        threads: Annotated[
            int | None, typer.Option(help="CPU threads for Whisper and pitch.")
        ] = None,
        config: Annotated[
            Path | None, typer.Option("--config", help="Config file (TOML, \\[analysis] table).")
        ] = None,
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
        ] = False,
    ) -> None:
        from audio_analysis import AnalysisSettings

        cfg_path = find_config_file(config)
        settings = resolve(
            AnalysisSettings,
            "analysis",
            config=load_config_file(cfg_path),
            config_path=cfg_path,
            flags={
                "transcribe": transcribe,
                "min_pause_s": min_pause_s,
                "backchannel_max_s": backchannel_max_s,
                "interruption_min_s": interruption_min_s,
                "dead_air_s": dead_air_s,
                "bleed_margin_db": bleed_margin_db,
                "pitch_tracker": pitch_tracker,
                "threads": threads,
            },
        )
        run = _Run(settings, timeline=timeline, quiet=quiet)
        if (trainee is None) != (customer is None):
            raise VoiceSimError("--trainee and --customer go together (one mono file per speaker)")
        if trainee is not None and customer is not None:
            if inputs:
                raise VoiceSimError("give either INPUT files or --trainee/--customer, not both")
            run.pair(trainee, customer, out or Path.cwd())
            return
        if not inputs:
            raise VoiceSimError("no INPUT given (a recording, session folder or gauntlet folder)")
        paths = expand_inputs(list(inputs))
        dest = out or _default_out(paths)
        channels = {"trainee_channel": trainee_channel, "customer_channel": customer_channel}
        if len(paths) == 1:
            run.single(paths[0], dest, channels)
        else:
            run.session(paths, dest, channels)


class _Run:
    """One ``voice-sim analyze``: analyse, write, print (warnings always, summary unless -q)."""

    def __init__(self, settings: Any, *, timeline: bool, quiet: bool) -> None:
        self.settings = settings
        self.timeline = timeline
        self.progress = not quiet and sys.stderr.isatty()
        self.say: Callable[[str], None] = (lambda msg: None) if quiet else typer.echo

    def write(self, name: str, a: Any, dest: Path) -> None:
        """analysis.json (+ timeline) in ``dest``; its warnings on stderr, its summary."""
        from audio_analysis import render_timeline, write_analysis

        write_analysis(a, dest)
        if self.timeline:
            render_timeline(a, dest / "timeline")
        for w in a.warnings:
            typer.echo(f"voice-sim: warning: {name}: {w}", err=True)
        self.say(_summary(name, a.to_dict()))

    def pair(self, trainee: Path, customer: Path, dest: Path) -> None:
        from audio_analysis import analyze_file

        a = analyze_file(
            trainee, customer_path=customer, settings=self.settings, progress=self.progress
        )
        self.write(trainee.stem, a, dest)
        self.say(f"wrote {dest / 'analysis.json'}")

    def single(self, path: Path, dest: Path, channels: dict[str, Any]) -> None:
        from audio_analysis import analyze_file

        a = analyze_file(path, settings=self.settings, progress=self.progress, **channels)
        self.write(path.name, a, dest)
        self.say(f"wrote {dest / 'analysis.json'}")

    def session(self, paths: list[Path], dest: Path, channels: dict[str, Any]) -> None:
        """Several calls in order: one folder each, then session.json (drift across calls)."""
        from audio_analysis import AnalysisError, analyze_file, analyze_session, write_json_atomic

        one = functools.partial(
            analyze_file, settings=self.settings, progress=self.progress, **channels
        )
        failures: list[str] = []

        def done(stem: str, a: Any, err: str | None) -> None:
            if a is None:
                failures.append(err or stem)
            else:
                self.write(stem, a, dest / stem)

        session = analyze_session(paths, analyze_one=one, on_done=done)
        write_json_atomic(dest / "session.json", session.to_dict())
        self.say(f"wrote {len(session.analyses)} analyses and {dest / 'session.json'}")
        if session.drift is not None:
            d = session.drift
            self.say(
                "trainee drift, last call vs first: "
                f"pitch {_fmt(d.pitch_st, ' st')}, loudness {_fmt(d.loudness_db, ' dB')}, "
                f"pace {_fmt(d.wpm_pct, '%')}"
            )
        if failures:
            # the others are written; the CLI prints this as one line and exits 2
            raise AnalysisError("; ".join(failures))
