"""Inputs shared by ``analyze`` and ``score``: recordings, session folders, gauntlet folders."""

from __future__ import annotations

from pathlib import Path

from ..gauntlet import is_gauntlet_folder, read_gauntlet_file


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """A gauntlet folder stands for its calls, in order."""
    out: list[Path] = []
    for p in inputs:
        out += read_gauntlet_file(p).folders(p) if is_gauntlet_folder(p) else [p]
    return out
