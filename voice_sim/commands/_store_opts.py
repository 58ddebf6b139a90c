"""Options every command that stores sessions shares (one definition, one help text).

Light on purpose: nothing here imports the store; commands import it inside their functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import VoiceSimError

TraineeNameOpt = Annotated[
    str | None,
    typer.Option(
        "--trainee",
        help="Whose call this is, in the session store (default: --name if given, else your "
        "OS user name).",
    ),
]
TeamOpt = Annotated[
    str | None, typer.Option("--team", help="The trainee's team in the store (created when new).")
]
StoreOpt = Annotated[
    bool,
    typer.Option(
        "--store/--no-store", help="Register the session in the store that voice-sim serve shows."
    ),
]
DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Data directory: the store and imported recordings (default: $VOICE_SIM_DATA or "
        "the platform's user data folder).",
    ),
]
_SCRIPT_HELP = (
    "A trainee script (.yaml: lines a bot says with Piper, with latencies and planned "
    "interruptions), a recording (.wav) streamed as the microphone, or 'good' / 'mistakes' for "
    "the persona's own built-in bots."
)
ScriptOpt = Annotated[
    Path | None,
    typer.Option(
        "--script", "-s", help=_SCRIPT_HELP + " Default: the persona's good-practice bot."
    ),
]
ScriptsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--script",
        "-s",
        help="Simulate: " + _SCRIPT_HELP + " One per call, cycled. Without it the calls are live "
        "from the microphone.",
    ),
]

#: Suffixes that mean a --trainee value is the old script/recording usage.
_SCRIPT_SUFFIXES = (".yaml", ".yml", ".wav", ".flac", ".ogg", ".mp3")


def check_trainee_name(value: str | None) -> None:
    """--trainee used to take the trainee bot's script; it is the trainee's name now."""
    if value and value.lower().endswith(_SCRIPT_SUFFIXES):
        raise VoiceSimError(
            f"--trainee {value}: --trainee is now the trainee's name in the store; "
            f"give a trainee script or recording with --script {value}"
        )
