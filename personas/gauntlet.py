"""Gauntlet planning: back-to-back calls with rising starting intensity.

The way a queue feels late in the afternoon: an easy caller first, the hardest last, each
starting hotter than the one before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from .errors import PersonaError
from .library import get_persona, list_personas
from .vocabulary import ARCHETYPES

#: Starting intensity of the first and the last call of a gauntlet.
FIRST_START_LEVEL: Final = 3
LAST_START_LEVEL: Final = 9
#: Preferred persona per archetype when no list is given (one per rung of the ladder).
_PREFERRED: Final = (
    "elderly-confused",
    "wrong-policy",
    "missing-feature",
    "eu-webhooks",
    "angry-billing",
    "abusive-caller",
)
#: Which rungs a short gauntlet keeps, in order of preference.
_INCLUSION: Final = (
    "elderly-confused",
    "abusive-caller",
    "angry-billing",
    "wrong-policy",
    "eu-webhooks",
    "missing-feature",
)


@dataclass(frozen=True)
class GauntletCall:
    """One call of a gauntlet."""

    persona_id: str
    """Library id (or file path) of the persona."""
    start_level: int
    """Starting intensity, 0-10."""


def _ramp(i: int, n: int) -> int:
    if n <= 1:
        return FIRST_START_LEVEL
    return round(FIRST_START_LEVEL + (LAST_START_LEVEL - FIRST_START_LEVEL) * i / (n - 1))


def _default_order(calls: int) -> list[str]:
    """Personas from calm to hard archetypes, spread over ``calls``."""
    by_arch = {a: [p.id for p in list_personas() if p.archetype == a] for a in ARCHETYPES}
    ladder: list[str] = []
    for pid in _PREFERRED:
        try:
            ladder.append(get_persona(pid).id)
        except PersonaError:
            continue
    rest = [pid for a in ARCHETYPES for pid in by_arch[a] if pid not in ladder]
    if calls <= len(ladder):
        # the ends of the ladder first (an easy caller, the hardest), then the middle rungs
        keep = [pid for pid in _INCLUSION if pid in ladder][:calls]
        return [pid for pid in ladder if pid in keep]
    pool = ladder + rest
    rank = {a: i for i, a in enumerate(ARCHETYPES)}
    chosen = sorted(pool[:calls], key=lambda pid: rank[get_persona(pid).archetype])
    while len(chosen) < calls:
        chosen.append(pool[len(chosen) % len(pool)])
    return chosen


def plan_gauntlet(persona_ids: Sequence[str] | None, calls: int) -> list[GauntletCall]:
    """Plan ``calls`` back-to-back calls with rising starting intensity.

    Parameters
    ----------
    persona_ids : sequence of str, optional
        Personas in the order to call (cycled if fewer than ``calls``); None picks from the
        library, confused first, abusive last.
    calls : int
        Number of calls, at least 1.

    Returns
    -------
    list of GauntletCall
        Starting levels rise from 3 to 9 (clamped to each persona's floor..ceiling).

    Raises
    ------
    PersonaError
        Unknown persona id or ``calls`` below 1.
    """
    if calls < 1:
        raise PersonaError(f"gauntlet: calls must be at least 1, got {calls}")
    if persona_ids:
        ids = [
            get_persona(pid).id if not str(pid).endswith((".yaml", ".yml")) else str(pid)
            for pid in persona_ids
        ]
        order = [ids[i % len(ids)] for i in range(calls)]
    else:
        order = _default_order(calls)
    plan = []
    for i, pid in enumerate(order):
        p = get_persona(pid)
        level = max(p.floor, min(p.ceiling, _ramp(i, calls)))
        plan.append(GauntletCall(pid, level))
    return plan
