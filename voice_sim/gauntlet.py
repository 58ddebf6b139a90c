"""Back-to-back escalating calls: the queue at 4 p.m.

One session folder per call (``01-<persona>/``, ``02-<persona>/``...) plus ``gauntlet.json``, which
ties them in order for the session report.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from audio_analysis import write_json_atomic
from personas import GauntletCall

from .session import CallResult, CallSpec


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
    folder.mkdir(parents=True, exist_ok=True)
    done: list[CallResult] = []
    entries: list[dict[str, Any]] = []
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
            {
                "folder": name,
                "persona": call.persona_id,
                "start_level": call.start_level,
                "final_intensity": result.final_intensity,
                "end_reason": result.end_reason,
                "duration_s": round(result.duration_s, 3),
            }
        )
        write_json_atomic(
            folder / "gauntlet.json",
            {"schema_version": 1, "calls": entries, "break_s": break_s, "planned": len(plan)},
        )
        if i + 1 < len(plan) and break_s > 0:
            if on_break is not None:
                on_break(i + 1, break_s)
            await asyncio.sleep(break_s)
    return GauntletResult(folder=folder, calls=tuple(done))
