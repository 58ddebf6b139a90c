"""``voice-sim score``: analysis + events -> scorecard.json and a self-contained report.html."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ..config import find_config_file, load_config_file, resolve
from ..errors import VoiceSimError
from ._inputs import expand_inputs
from ._store_opts import StoreOpt, TeamOpt, TraineeNameOpt

HELP = (
    "Score a de-escalation call: every point won or lost points at the moment that earned it.\n\n"
    "INPUT is a session folder (its analysis.json, events.jsonl and recording.wav), an "
    "analysis.json, a recording (analysed first, as `voice-sim analyze` would), or a gauntlet "
    "folder (its calls in order).\n\n"
    "One input writes OUT/scorecard.json, OUT/report.html (open it in a browser: audio player, "
    "clickable timeline, highlighted transcript, items with evidence and tips) and "
    "OUT/timeline.png (when it analysed a recording). Several inputs (a back-to-back session, "
    "in the given order) write OUT/<stem>/... for each call plus OUT/session_scorecard.json "
    "and OUT/session_report.html (drift across calls, patience items).\n\n"
    "Items: let the customer finish, acknowledge the specific failure, ask before you answer, "
    "restate, next step with owner and time, no trigger or hedge phrases, ownership language, "
    "boundary with abusive callers, composure in the voice, calm pace without dead air, "
    "customer calmer at the end, active listening, pace matched to the caller, thanks, fillers "
    "(shown, not scored), and the case note for the next agent (voice-sim note). Their weights "
    "are in scoring/rubric.yaml; --rubric FILE "
    "replaces it with a coach's own (weights must sum to 100).\n\n"
    "--judge llm asks an OpenAI-compatible endpoint (\\[scoring] llm_base_url and llm_model in "
    "the config file, or \\[llm] base_url and model) for the language items, and falls back to "
    "the rules with a warning when it fails.\n\n"
    "Examples:\n\n"
    "  voice-sim score out/demo/2026-01-01-angry\n\n"
    "  voice-sim score call.wav --rubric coach.yaml --out results/\n\n"
    "  voice-sim score day1/ day2/ day3/ day4/ --out session/\n"
)

_AUDIO = {".wav", ".flac", ".ogg", ".opus", ".mp3"}


@dataclass(frozen=True)
class _Input:
    path: Path
    stem: str
    analysis: Path | None
    events: Path | None
    recording: Path | None
    meta: Path | None


def _opt(p: Path) -> Path | None:
    return p if p.is_file() else None


def _classify(p: Path) -> _Input:
    if not p.exists():
        raise VoiceSimError(f"{p}: no such file or folder")
    if p.is_dir():
        return _Input(
            p,
            p.name,
            _opt(p / "analysis.json"),
            _opt(p / "events.jsonl"),
            _opt(p / "recording.wav"),
            _opt(p / "meta.json"),
        )
    if p.suffix.lower() == ".json":
        folder = p.parent
        rec = _opt(folder / "recording.wav")
        if rec is None:
            try:
                src = json.loads(p.read_text(encoding="utf-8")).get("source")
            except (OSError, ValueError, AttributeError):
                src = None
            if isinstance(src, str) and src:
                cand = Path(src) if Path(src).is_absolute() else folder / src
                rec = _opt(cand) or _opt(Path(src))
        stem = folder.name if p.name == "analysis.json" else p.stem
        return _Input(p, stem, p, _opt(folder / "events.jsonl"), rec, _opt(folder / "meta.json"))
    if p.suffix.lower() in _AUDIO:
        folder = p.parent
        in_session = p.name == "recording.wav"
        return _Input(
            p,
            folder.name if in_session else p.stem,
            None,
            _opt(folder / "events.jsonl") if in_session else None,
            p,
            _opt(folder / "meta.json") if in_session else None,
        )
    raise VoiceSimError(
        f"{p}: not a session folder, analysis.json or recording ({', '.join(sorted(_AUDIO))})"
    )


def _default_out(paths: list[Path]) -> Path:
    if len(paths) == 1:
        return paths[0] if paths[0].is_dir() else paths[0].parent
    parents = {p.parent.resolve() for p in paths}
    if all(p.is_dir() for p in paths) and len(parents) == 1:
        return parents.pop()
    return Path.cwd()


def _persona(inp: _Input, given: str | None) -> str | None:
    if given:
        return given
    if inp.meta is not None:
        try:
            meta = json.loads(inp.meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(meta, Mapping) and isinstance(meta.get("persona"), str):
            return str(meta["persona"])
    return None


@dataclass(frozen=True)
class ScoreOptions:
    """What ``voice-sim score`` was asked for (its flags), for :func:`score_paths`."""

    out: Path | None = None
    persona: str | None = None
    rubric: Path | None = None
    judge: str | None = None
    config: Path | None = None
    quiet: bool = False
    trainee_channel: int = 0
    customer_channel: int | None = None
    trainee: str | None = None
    """Store the calls under this trainee (the web app's store)."""
    team: str | None = None
    store: bool = True
    """Register the scored calls in the session store."""


@dataclass(frozen=True)
class _Setup:
    """Settings, rubric and judge, resolved once for every input."""

    scoring: Any
    analysis: Any
    rubric: Any
    judge: Any


def _setup(opts: ScoreOptions) -> _Setup:
    """Scoring and analysis settings (defaults < config < env < flags), rubric and judge."""
    import scoring
    from audio_analysis import AnalysisSettings

    from ..llm_config import resolve_endpoint

    if opts.judge is not None and opts.judge not in ("rules", "llm"):
        raise VoiceSimError(f"--judge: expected rules or llm, got {opts.judge!r}")
    cfg_path = find_config_file(opts.config)
    cfg = load_config_file(cfg_path)
    flags: dict[str, Any] = {"judge": opts.judge}
    settings = resolve(
        scoring.ScoringSettings, "scoring", config=cfg, config_path=cfg_path, flags=flags
    )
    if settings.llm_base_url is None:
        # no [scoring] endpoint: the judge uses the brain's ([llm], VOICE_SIM_LLM_*, OPENAI_*)
        ep = resolve_endpoint(cfg, cfg_path)
        if ep is not None:
            flags |= {"llm_base_url": ep.base_url, "llm_model": ep.model, "llm_api_key": ep.api_key}
            settings = resolve(
                scoring.ScoringSettings, "scoring", config=cfg, config_path=cfg_path, flags=flags
            )
    analysis = resolve(AnalysisSettings, "analysis", config=cfg, config_path=cfg_path)
    if settings.judge == "llm" and not opts.quiet:
        typer.echo(f"judge: LLM {settings.llm_model} at {settings.llm_base_url}", err=True)
    return _Setup(
        settings, analysis, scoring.load_rubric(opts.rubric), scoring.make_judge(settings)
    )


def _analysis_for(
    inp: _Input, dest: Path, setup: _Setup, opts: ScoreOptions, progress: bool
) -> tuple[Mapping[str, Any], str]:
    """The call's analysis.json content, running ``audio_analysis`` when there is none."""
    from audio_analysis import analyze_file, read_analysis, render_timeline, write_analysis

    if inp.analysis is not None:
        return read_analysis(inp.analysis).to_dict(), str(inp.analysis)
    target = inp.recording or inp.path
    if inp.path.is_dir() and inp.recording is None:
        raise VoiceSimError(
            f"{inp.path}: session folder holds neither analysis.json nor recording.wav"
        )
    analysis = analyze_file(
        target,
        trainee_channel=opts.trainee_channel,
        customer_channel=opts.customer_channel,
        settings=setup.analysis,
        progress=progress,
    )
    write_analysis(analysis, dest)
    try:
        render_timeline(analysis, dest / "timeline", formats=("png",))
    except Exception as exc:  # a missing figure must not lose the scorecard
        typer.echo(f"voice-sim: warning: timeline.png not drawn: {exc}", err=True)
    return analysis.to_dict(), str(target)


def _score_one(
    c: _Input, stem: str, dest: Path, setup: _Setup, opts: ScoreOptions, progress: bool
) -> tuple[Any, Any, Path]:
    """Analyse (if needed) and score one call; write its scorecard and report."""
    import scoring

    data, source = _analysis_for(c, dest, setup, opts, progress)
    events = scoring.read_events(c.events) if c.events else []
    pid = _persona(c, opts.persona)
    call = scoring.call_inputs(
        data,
        events,
        source=source,
        name=stem,
        recording=c.recording,
        persona=pid,
        meta=scoring.read_meta(c.meta) if c.meta else None,
        # a session's case note sits beside its events (after-call work)
        case_note=scoring.read_case_note(c.events.parent) if c.events else None,
    )
    card = scoring.score_inputs(
        call, rubric=setup.rubric, settings=setup.scoring, judge=setup.judge
    )
    report = scoring.write_report(card, call, dest, setup.scoring)
    return call, card, report


def _unique_stems(calls: list[_Input]) -> list[str]:
    stems: list[str] = []
    for c in calls:
        stem, k = c.stem, 2
        while stem in stems:
            stem, k = f"{c.stem}-{k}", k + 1
        stems.append(stem)
    return stems


def score_paths(inputs: list[Path], opts: ScoreOptions | None = None) -> None:
    """``voice-sim score``: score each input; several make a back-to-back session.

    With several inputs a bad one is reported (one line) and the others still complete; then a
    :class:`VoiceSimError` names what failed. Called by the command and after every call.
    """
    import scoring

    opts = opts or ScoreOptions()
    setup = _setup(opts)
    if not inputs:
        raise VoiceSimError("no INPUT given (a session folder, analysis.json or recording)")
    paths = expand_inputs(list(inputs))
    calls = [_classify(p) for p in paths]
    dest = opts.out or _default_out(paths)
    progress = not opts.quiet and sys.stderr.isatty()
    say = (lambda msg: None) if opts.quiet else typer.echo
    one = len(calls) == 1
    done: list[tuple[Any, Any, str]] = []
    stored: list[tuple[Path, Path | None]] = []
    failures: list[str] = []
    for c, stem in zip(calls, _unique_stems(calls), strict=True):
        call_dest = dest if one else dest / stem
        try:
            call, card, report = _score_one(c, stem, call_dest, setup, opts, progress)
        except Exception as exc:
            if one or not _is_user_error(exc):
                raise
            failures.append(str(exc))
            typer.echo(f"voice-sim: error: {exc}", err=True)
            continue
        for w in card.warnings:
            typer.echo(f"voice-sim: warning: {stem}: {w}", err=True)
        say(f"{stem}: {card.overall:.0f}/100 - {card.summary}")
        if one and not opts.quiet:
            _print_items(card)
        say(f"wrote {report}")
        done.append((call, card, f"{stem}/report.html"))
        stored.append((call_dest, c.recording))
    if not one and done:
        session = scoring.score_session(
            [d[0] for d in done],
            rubric=setup.rubric,
            settings=setup.scoring,
            judge=setup.judge,
            scorecards=[d[1] for d in done],
            reports=[os.path.relpath(dest / d[2], dest) for d in done],
        )
        path = scoring.write_session_report(session, dest)
        say(f"session: {session.overall:.0f}/100 - {session.summary}")
        say(f"wrote {path}")
    if opts.store and stored:
        _register(inputs, paths, dest, stored, opts)
    if failures:
        # One line, exit code 2 (cli.main); the calls that could be scored are written.
        raise VoiceSimError(
            f"{len(failures)} of {len(calls)} inputs could not be scored: {failures[0]}"
            + (f" (and {len(failures) - 1} more)" if len(failures) > 1 else "")
        )


def _register(
    inputs: list[Path],
    paths: list[Path],
    dest: Path,
    stored: list[tuple[Path, Path | None]],
    opts: ScoreOptions,
) -> None:
    """Register the scored calls in the session store (the web app's)."""
    from ..store.hook import default_trainee, register_folders

    gauntlet = inputs[0] if len(inputs) == 1 and len(paths) > 1 else None
    register_folders(
        [f for f, _ in stored],
        recordings=[r for _, r in stored],
        trainee=default_trainee(opts.trainee),
        team=opts.team,
        source="score",
        gauntlet=gauntlet if gauntlet is not None and gauntlet == dest else None,
        config_path=opts.config,
    )


def register(app: typer.Typer) -> None:
    """Add the ``score`` command to ``app``."""

    @app.command("score", help=HELP)
    def score_cmd(
        inputs: Annotated[
            list[Path] | None,
            typer.Argument(
                help="Session folders, analysis.json files, recordings or a gauntlet "
                "folder, in call order."
            ),
        ] = None,
        persona: Annotated[
            str | None, typer.Option(help="Persona id (default: from meta.json / events).")
        ] = None,
        rubric: Annotated[
            Path | None, typer.Option(help="A coach's rubric YAML that replaces the default.")
        ] = None,
        judge: Annotated[str | None, typer.Option(help="rules (offline, default) or llm.")] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                "-o",
                help="Output folder (default: the session folder, else the input's folder).",
            ),
        ] = None,
        trainee_channel: Annotated[
            int, typer.Option(help="Recordings: channel of the trainee (0 or 1).")
        ] = 0,
        customer_channel: Annotated[
            int | None,
            typer.Option(
                help="Recordings: channel of the customer; needed for more than two channels."
            ),
        ] = None,
        config: Annotated[
            Path | None,
            typer.Option("--config", help="Config file (TOML, \\[scoring] and \\[analysis])."),
        ] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary output.")] = False,
        trainee: TraineeNameOpt = None,
        team: TeamOpt = None,
        store: StoreOpt = True,
    ) -> None:
        score_paths(
            list(inputs or []),
            ScoreOptions(
                out=out,
                persona=persona,
                rubric=rubric,
                judge=judge,
                config=config,
                quiet=quiet,
                trainee_channel=trainee_channel,
                customer_channel=customer_channel,
                trainee=trainee,
                team=team,
                store=store,
            ),
        )


def _is_user_error(exc: BaseException) -> bool:
    names = {"ScoringError", "AnalysisError", "VoiceSimError"}
    return isinstance(exc, OSError) or any(t.__name__ in names for t in type(exc).__mro__)


def _print_items(card: Any) -> None:
    """The items as a table: score, and the first moment that cost (or earned) points."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    table.add_column("item")
    table.add_column("score", justify="right")
    table.add_column("evidence", overflow="fold")
    for it in card.items:
        if not it.applicable:
            table.add_row(it.label, "n/a", "", style="dim")
            continue
        want = "lost" if it.score < it.max else "won"
        ev = next((e for e in it.evidence if e.effect == want), None)
        when = (
            ""
            if ev is None or ev.start_s is None
            else f"{int(ev.start_s // 60)}:{int(ev.start_s % 60):02d} "
        )
        what = (
            ""
            if ev is None
            else (f"\u201c{ev.quote}\u201d " if ev.quote else "") + (ev.figure or "")
        )
        colour = "green" if it.score >= it.max else ("red" if it.score < 0.5 * it.max else "yellow")
        table.add_row(it.label, f"[{colour}]{it.score:.1f}/{it.max:g}[/{colour}]", when + what)
    Console(soft_wrap=False).print(table)
