"""Back-to-back escalating calls: the queue at 4 p.m.

One session folder per call (``01-<persona>/``, ``02-<persona>/``...) plus ``gauntlet.json``, which
ties them in order for the session report. This module owns that file: :func:`run_gauntlet`
writes it and :func:`read_gauntlet_file` reads it, for the store and the commands alike.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import VoiceSimError

if TYPE_CHECKING:
    from personas import GauntletCall

    from .session import CallResult, CallSpec

#: The file in a gauntlet folder that lists its calls in order.
GAUNTLET_FILE = "gauntlet.json"
#: Version of :data:`GAUNTLET_FILE`'s layout.
GAUNTLET_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class GauntletEntry:
    """One call of a gauntlet, as ``gauntlet.json`` lists it."""

    folder: str
    """The call's session folder, a name inside the gauntlet folder."""
    persona: str | None = None
    """Persona id."""
    start_level: int | None = None
    """The customer's intensity at the start, 0-10."""
    final_intensity: int | None = None
    """The customer's intensity at the end, 0-10."""
    end_reason: str | None = None
    """Why the call ended (``hangup``, ``script_done``...)."""
    duration_s: float | None = None
    """Length of the call, seconds."""


@dataclass(frozen=True)
class GauntletFile:
    """``gauntlet.json``: the calls a gauntlet finished, in order."""

    calls: tuple[GauntletEntry, ...]
    """Finished calls, in the order they were taken."""
    break_s: float = 0.0
    """Break between calls, seconds."""
    planned: int | None = None
    """Calls in the plan (more than ``calls`` when the gauntlet was stopped)."""

    def folders(self, root: Path) -> list[Path]:
        """The calls' session folders under the gauntlet folder ``root``, in order."""
        return [root / c.folder for c in self.calls]


def is_gauntlet_folder(path: Path) -> bool:
    """A folder with a ``gauntlet.json`` and no recording of its own."""
    return (
        path.is_dir() and (path / GAUNTLET_FILE).is_file() and not (path / "recording.wav").exists()
    )


def read_gauntlet_file(folder: Path) -> GauntletFile:
    """Read ``folder/gauntlet.json``.

    A call may be listed by its folder name alone (a string) or as an object with ``folder``;
    folder names are checked to stay inside ``folder``.

    Raises
    ------
    VoiceSimError
        Naming the file and the field, when it is missing, not JSON, or not the layout above.
    """
    path = folder / GAUNTLET_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VoiceSimError(f"{path}: no such gauntlet file") from None
    except (OSError, ValueError) as exc:
        raise VoiceSimError(f"{path}: unreadable gauntlet file: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("calls", []), list):
        raise VoiceSimError(f"{path}: calls: expected a list of the gauntlet's calls")
    calls = tuple(_entry(path, i, c) for i, c in enumerate(doc.get("calls", [])))
    planned = doc.get("planned")
    return GauntletFile(
        calls=calls,
        break_s=float(doc.get("break_s") or 0.0),
        planned=planned if isinstance(planned, int) else None,
    )


def _entry(path: Path, i: int, c: Any) -> GauntletEntry:
    """Entry ``i`` of ``calls``: a folder name, or an object with one (``name`` in old files)."""
    raw: object = None
    if isinstance(c, str):
        raw = c
    elif isinstance(c, dict):
        raw = c.get("folder") or c.get("name")
    if not isinstance(raw, str) or not raw or "/" in raw or "\\" in raw or raw in (".", ".."):
        raise VoiceSimError(f"{path}: calls[{i}]: expected the name of a call's folder, got {c!r}")
    if not isinstance(c, dict):
        return GauntletEntry(raw)

    def num(key: str) -> Any:
        v = c.get(key)
        return v if isinstance(v, int | float) and not isinstance(v, bool) else None

    level, final, dur = num("start_level"), num("final_intensity"), num("duration_s")
    return GauntletEntry(
        folder=raw,
        persona=c.get("persona") if isinstance(c.get("persona"), str) else None,
        start_level=int(level) if level is not None else None,
        final_intensity=int(final) if final is not None else None,
        end_reason=c.get("end_reason") if isinstance(c.get("end_reason"), str) else None,
        duration_s=float(dur) if dur is not None else None,
    )


@dataclass(frozen=True)
class GauntletResult:
    """A finished gauntlet."""

    folder: Path
    calls: tuple[CallResult, ...]


async def run_gauntlet(
    folder: Path,
    plan: Sequence[GauntletCall],
    base: CallSpec,
    run_call: Callable[[CallSpec, int], Awaitable[CallResult]],
    *,
    break_s: float = 0.0,
    on_break: Callable[[int, float], None] | None = None,
) -> GauntletResult:
    """Run ``plan`` call by call with ``run_call(spec, index)``; ``gauntlet.json`` is rewritten
    after every call, so an interrupted gauntlet still lists the calls it finished."""
    # imported here: reading the file (the analyze and score commands' inputs) must not load
    # numpy and the analysis package with the command-line help
    from audio_analysis import write_json_atomic

    folder.mkdir(parents=True, exist_ok=True)
    done: list[CallResult] = []
    entries: list[GauntletEntry] = []
    for i, call in enumerate(plan):
        name = f"{i + 1:02d}-{Path(call.persona_id).stem}"
        spec = replace(
            base,
            out_dir=folder / name,
            persona=call.persona_id,
            start_level=call.start_level,
            gauntlet={"folder": str(folder), "index": i + 1, "of": len(plan)},
        )
        result = await run_call(spec, i)
        done.append(result)
        entries.append(
            GauntletEntry(
                folder=name,
                persona=call.persona_id,
                start_level=call.start_level,
                final_intensity=result.final_intensity,
                end_reason=result.end_reason,
                duration_s=round(result.duration_s, 3),
            )
        )
        write_json_atomic(
            folder / GAUNTLET_FILE,
            {
                "schema_version": GAUNTLET_SCHEMA_VERSION,
                "calls": [asdict(e) for e in entries],
                "break_s": break_s,
                "planned": len(plan),
            },
        )
        if i + 1 < len(plan) and break_s > 0:
            if on_break is not None:
                on_break(i + 1, break_s)
            await asyncio.sleep(break_s)
    return GauntletResult(folder=folder, calls=tuple(done))
