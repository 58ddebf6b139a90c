"""What ``call``, ``simulate`` and ``gauntlet`` share: settings, the brain endpoint, the session
folder, the live transcript on the terminal, and analysis + scoring after the call."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from personas import DEFAULT_PERSONA, DirectorSettings, LLMConfig
from personas.call_log import (
    Backchannel,
    CallEnd,
    CallEvent,
    CustomerLine,
    Error,
    Hangup,
    Intensity,
    Transcript,
)

from .. import config
from ..events import EventLog
from ..llm_config import Endpoint, resolve_endpoint
from ..settings import CallSettings

# Options shared by `call`, `simulate` and `gauntlet` (one definition, one help text).
PersonaOpt = Annotated[
    str | None,
    typer.Option(
        "--persona",
        "-p",
        help="Persona id (voice-sim personas list) or YAML file. Default: angry-billing.",
    ),
]
NameOpt = Annotated[str, typer.Option("--name", help="Your name, shown in reports.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write.")]
PhoneLineOpt = Annotated[
    bool | None,
    typer.Option("--phone-line/--no-phone-line", help="Customer's voice through a telephone line."),
]
CleanOpt = Annotated[bool, typer.Option(help="No profanity from abusive callers.")]
StartLevelOpt = Annotated[
    int | None,
    typer.Option(min=0, max=10, help="Starting intensity 0-10 (default: the persona's)."),
]
SttModelOpt = Annotated[
    Path | None, typer.Option(help="CTranslate2 Whisper model directory (default: tiny.en).")
]
ScoreOpt = Annotated[
    bool, typer.Option("--score/--no-score", help="Analyse and score when the call ends.")
]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Config file (TOML).")]

#: soft_wrap: a transcript line stays one line in logs and pipes (no wrapping at 80 columns)
console = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass(frozen=True)
class Resolved:
    """Everything a call needs from settings."""

    call: CallSettings
    llm: LLMConfig | None
    """The brain's endpoint; None for the offline scripted customer."""
    director: DirectorSettings
    endpoint: Endpoint | None = None
    """Where the endpoint's URL and model came from (printed when the call starts)."""


def load_settings(
    config_path: Path | None, flags: dict[str, Any], llm_flags: dict[str, Any]
) -> Resolved:
    """Resolve call, director and brain settings: defaults < config < env < flags."""
    path = config.find_config_file(config_path)
    doc = config.load_config_file(path)
    settings = config.resolve(CallSettings, "call", config=doc, config_path=path, flags=flags)
    director = config.resolve(DirectorSettings, "personas", config=doc, config_path=path)
    ep = resolve_endpoint(doc, path, flags=llm_flags)
    if ep is None:
        return Resolved(settings, None, director)
    llm = LLMConfig(
        base_url=ep.base_url, model=ep.model, api_key=ep.api_key, timeout_s=ep.timeout_s
    )
    return Resolved(settings, llm, director, ep)


def session_dir(out: Path | None, persona: str | None) -> Path:
    """``--out`` if given, else a new timestamped folder under the data directory."""
    if out is not None:
        return out
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^a-z0-9-]+", "-", (persona or DEFAULT_PERSONA).lower()).strip("-")
    return config.data_dir() / "sessions" / f"{stamp}-{slug}"


def announce_brain(res: Resolved) -> None:
    """Say which brain and model this call uses (every call does, before it starts)."""
    if res.endpoint is None:
        console.print(
            "[dim]brain: offline scripted customer (no LLM endpoint: set VOICE_SIM_LLM_BASE_URL "
            "or OPENAI_BASE_URL, and VOICE_SIM_LLM_MODEL, to use one)[/dim]",
            highlight=False,
        )
    else:
        console.print(f"[dim]brain: LLM {escape(res.endpoint.describe())}[/dim]")


#: A line whose start is this much earlier than the last one printed is marked late, seconds.
LATE_S = 0.5


def _log_to_file(path: Path) -> Callable[[], None]:
    """Send log records to ``path`` instead of the terminal (the transcript view); returns the
    function that puts the terminal handlers back."""
    root = logging.getLogger()
    terminal = [
        h
        for h in root.handlers
        if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
    ]
    try:
        to_file: logging.Handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return lambda: None
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for h in terminal:
        root.removeHandler(h)
    root.addHandler(to_file)

    def restore() -> None:
        if to_file in root.handlers:
            root.removeHandler(to_file)
            to_file.close()
            for h in terminal:
                root.addHandler(h)

    return restore


def print_live_transcript(events: EventLog) -> None:
    """Echo the call to the terminal as it goes: what each side said, mood changes, silences.

    Lines print when they are known (a trainee turn once it is answered, a customer line once it
    has played), stamped with when they started; one that started before a line already printed
    is marked "(late)", so the order on screen never pretends. Transcript and LLM text is
    printed as text, never as rich markup. Library log records go to ``call.log`` in the session
    folder until the call ends, not into the transcript.
    """
    shown = [0.0]
    restore = _log_to_file(events.path.parent / "call.log")

    def stamp(t: float) -> str:
        late = t < shown[0] - LATE_S
        shown[0] = max(shown[0], t)
        return f"[dim]{t:6.1f}s{' (late)' if late else ''}[/dim]"

    def show(ev: CallEvent) -> None:
        if isinstance(ev, CustomerLine) and ev.text and ev.kind != "taken_back":
            cut = " [dim](cut off)[/dim]" if ev.interrupted else ""
            console.print(f"{stamp(ev.t_s)} [bold red]customer[/bold red]  {escape(ev.text)}{cut}")
        elif isinstance(ev, Backchannel):  # said during the customer's line: no stamp order
            nod = escape(ev.text) if ev.text else "..."
            console.print(f"[dim]{ev.t_s:6.1f}s[/dim] [cyan]you (nod)[/cyan] [dim]{nod}[/dim]")
        elif isinstance(ev, Transcript) and ev.speaker == "trainee":
            console.print(f"{stamp(ev.start_s)} [bold cyan]you[/bold cyan]       {escape(ev.text)}")
        elif isinstance(ev, Intensity):
            arrow = f"{ev.previous} -> {ev.level}" if ev.previous is not None else str(ev.level)
            console.print(f"{stamp(ev.t_s)} [dim]  mood {arrow}: {escape(ev.reason)}[/dim]")
        elif isinstance(ev, Error):
            console.print(
                f"[yellow]{ev.t_s:6.1f}s   {escape(ev.source)} error: {escape(ev.message)}[/yellow]"
            )
        elif isinstance(ev, Hangup):
            console.print(
                f"[bold]{ev.t_s:6.1f}s   the customer hung up ({escape(ev.reason)})[/bold]"
            )
        elif isinstance(ev, CallEnd):
            restore()

    events.subscribe(show)


def analyze_and_score(folder: Path, *, quiet: bool = False) -> bool:
    """Analyse and score a finished session or gauntlet folder, as ``voice-sim score`` would.

    Returns True when it worked; a failure is printed as one line (the call is kept either way).
    """
    from ..cli import PROG, error_line
    from .score import ScoreOptions, score_paths

    try:
        # the call commands register their own sessions in the store
        score_paths([folder], ScoreOptions(out=folder, quiet=quiet, store=False))
    except Exception as exc:
        line = error_line(exc)
        if line is None:
            raise
        console.print(line, markup=False, highlight=False)
        console.print(f"the call is kept in {folder}; score it again with: {PROG} score {folder}")
        return False
    return True
