"""Inputs shared by ``analyze`` and ``score``: recordings, session folders, gauntlet folders."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import VoiceSimError


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """A gauntlet folder stands for its calls, in order."""
    out: list[Path] = []
    for p in inputs:
        g = p / "gauntlet.json"
        if p.is_dir() and g.is_file() and not (p / "recording.wav").exists():
            try:
                calls = json.loads(g.read_text(encoding="utf-8")).get("calls", [])
            except (OSError, ValueError, AttributeError) as exc:
                raise VoiceSimError(f"{g}: unreadable gauntlet file: {exc}") from None
            for c in calls:
                name = (
                    c
                    if isinstance(c, str)
                    else (c.get("folder") or c.get("name") if isinstance(c, dict) else None)
                )
                if not name:
                    raise VoiceSimError(f"{g}: calls[] entry without a folder name: {c!r}")
                out.append(p / str(name))
        else:
            out.append(p)
    return out
