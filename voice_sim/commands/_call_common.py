"""What ``call``, ``simulate`` and ``gauntlet`` share: settings, the brain endpoint, the session
folder, the live transcript on the terminal, and analysis + scoring after the call."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from personas import DirectorSettings, LLMConfig

from .. import config
from ..errors import VoiceSimError
from ..events import EventLog
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
class LLMSettings:
    """The customer's brain endpoint ([llm] in the config file, VOICE_SIM_LLM_* in the env)."""

    base_url: str | None = None
    """OpenAI-compatible base URL with /v1 (OpenAI, Ollama, vLLM, llama.cpp server)."""
    model: str | None = None
    """Model name."""
    api_key: str | None = None
    """API key (OPENAI_API_KEY is used when unset; local servers ignore it)."""
    timeout_s: float = 8.0
    """Per-request timeout, seconds; on timeout the customer falls back to a scripted line."""


@dataclass(frozen=True)
class Resolved:
    """Everything a call needs from settings."""

    call: CallSettings
    llm: LLMConfig | None
    director: DirectorSettings


def load_settings(
    config_path: Path | None, flags: dict[str, Any], llm_flags: dict[str, Any]
) -> Resolved:
    """Resolve call, director and brain settings: defaults < config < env < flags."""
    path = config.find_config_file(config_path)
    doc = config.load_config_file(path)
    settings = config.resolve(CallSettings, "call", config=doc, config_path=path, flags=flags)
    director = config.resolve(DirectorSettings, "personas", config=doc, config_path=path)
    llm = config.resolve(LLMSettings, "llm", config=doc, config_path=path, flags=llm_flags)
    if not llm.base_url and not llm.model:
        return Resolved(settings, None, director)
    if not llm.base_url or not llm.model:
        missing = "base_url" if not llm.base_url else "model"
        raise VoiceSimError(
            f"{path or 'settings'}: [llm] {missing} is missing (set both base_url and model, "
            "or neither for the offline scripted customer)"
        )
    key = llm.api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
    return Resolved(
        settings,
        LLMConfig(base_url=llm.base_url, model=llm.model, api_key=key, timeout_s=llm.timeout_s),
        director,
    )


def session_dir(out: Path | None, persona: str | None) -> Path:
    """``--out`` if given, else a new timestamped folder under the data directory."""
    if out is not None:
        return out
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^a-z0-9-]+", "-", (persona or "angry-billing").lower()).strip("-")
    return config.data_dir() / "sessions" / f"{stamp}-{slug}"


def announce_brain(llm: LLMConfig | None) -> None:
    if llm is None:
        console.print(
            "[dim]brain: offline scripted customer (no LLM endpoint configured; set "
            "VOICE_SIM_LLM_BASE_URL and VOICE_SIM_LLM_MODEL to use one)[/dim]"
        )
    else:
        console.print(f"[dim]brain: {llm.model} at {llm.base_url}[/dim]")


def print_live_transcript(events: EventLog) -> None:
    """Echo transcripts and mood changes to the terminal as the call goes."""

    def show(ev: dict[str, Any]) -> None:
        t = ev.get("t_s", 0.0)
        if ev["type"] == "customer_line":
            cut = " [dim](cut off)[/dim]" if ev.get("interrupted") else ""
            console.print(f"[dim]{t:6.1f}s[/dim] [bold red]customer[/bold red]  {ev['text']}{cut}")
        elif ev["type"] == "transcript" and ev.get("speaker") == "trainee":
            console.print(f"[dim]{t:6.1f}s[/dim] [bold cyan]you[/bold cyan]       {ev['text']}")
        elif ev["type"] == "intensity":
            prev = ev.get("previous")
            arrow = f"{prev} -> {ev['level']}" if prev is not None else str(ev["level"])
            console.print(f"[dim]{t:6.1f}s   mood {arrow}: {ev['reason']}[/dim]")
        elif ev["type"] == "error":
            console.print(
                f"[yellow]{t:6.1f}s   {ev.get('source', '')} error: {ev['message']}[/yellow]"
            )
        elif ev["type"] == "hangup":
            console.print(f"[bold]{t:6.1f}s   the customer hung up ({ev.get('reason')})[/bold]")

    events.subscribe(show)


def analyze_and_score(folder: Path, *, quiet: bool = False) -> bool:
    """Run ``voice-sim score`` on a finished session folder (it analyses first).

    Returns True when it worked; errors were already printed as one line.
    """
    from ..cli import main

    args = ["score", str(folder), "--out", str(folder), "--no-store"]
    if quiet:
        args.append("--quiet")
    return main(args) == 0
