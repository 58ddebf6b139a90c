"""Per-archetype defaults: how much each trainee behaviour moves the caller, and when they give up.

A persona file starts from its archetype's defaults and overrides what it needs. Weights are
intensity steps (0 = the behaviour does not move this caller). The choices follow the domain
sources in ``../shared/seeds``: "calm down" and a flat no without an alternative are the worst
triggers for an angry caller, jargon is what loses a confused or non-technical caller, a concrete
next step with a time is what an impatient caller is waiting for, and a respectful boundary is
what settles an abusive one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .vocabulary import DEESCALATORS, ESCALATORS


@dataclass(frozen=True)
class HangUp:
    """When the customer hangs up."""

    at_level: int
    """Intensity from which escalations count as strikes (0-10)."""
    after_strikes: int
    """Escalations at or above ``at_level`` before the customer hangs up."""
    max_silence_s: float = 25.0
    """Dead air with no hold notice after which the customer gives up, seconds."""


@dataclass(frozen=True)
class SupervisorRule:
    """When the customer demands a supervisor."""

    at_level: int
    """Intensity at which an escalation turns into a supervisor demand (0-10)."""
    after_refusals: int
    """Flat noes or policy answers after which the customer demands a supervisor anyway."""


_BASE_UP: Final = {
    "interrupting": 1,
    "calm_down": 2,
    "unfortunately": 1,
    "per_policy": 1,
    "flat_no": 2,
    "blaming": 2,
    "dead_air": 1,
    "fix_before_diagnosis": 1,
    "vague_timeline": 1,
    "raised_voice": 1,
    "jargon": 0,
    "ignored_demand": 1,
}
_BASE_DOWN: Final = {
    "acknowledge_specific": 2,
    "restate": 1,
    "diagnostic_question": 1,
    "next_step": 2,
    "boundary": 0,
    "empathy": 0,
}

_UP_TWEAKS: Final[dict[str, dict[str, int]]] = {
    "angry": {},
    "abusive": {"calm_down": 3, "blaming": 3},
    "confused": {"jargon": 2, "interrupting": 2, "flat_no": 1, "calm_down": 1, "raised_voice": 2},
    "mistaken": {"per_policy": 2, "blaming": 3},
    "disappointed": {"vague_timeline": 2, "unfortunately": 1},
    "impatient": {"dead_air": 2, "vague_timeline": 2, "fix_before_diagnosis": 0, "calm_down": 2},
}
_DOWN_TWEAKS: Final[dict[str, dict[str, int]]] = {
    "angry": {},
    "abusive": {"boundary": 2, "acknowledge_specific": 1},
    "confused": {"restate": 2, "empathy": 1, "acknowledge_specific": 1},
    "mistaken": {"restate": 2, "acknowledge_specific": 1, "empathy": 1},
    "disappointed": {"empathy": 1},
    "impatient": {"next_step": 3, "acknowledge_specific": 1},
}

ARCHETYPE_ESCALATORS: Final[dict[str, dict[str, int]]] = {
    a: {**_BASE_UP, **t} for a, t in _UP_TWEAKS.items()
}
ARCHETYPE_DEESCALATORS: Final[dict[str, dict[str, int]]] = {
    a: {**_BASE_DOWN, **t} for a, t in _DOWN_TWEAKS.items()
}
ARCHETYPE_HANG_UP: Final[dict[str, HangUp | None]] = {
    "angry": HangUp(10, 2),
    "abusive": HangUp(10, 1, 20.0),
    "confused": HangUp(9, 3, 40.0),
    "mistaken": HangUp(10, 2),
    "disappointed": HangUp(10, 2),
    "impatient": HangUp(9, 2, 15.0),
}
ARCHETYPE_SUPERVISOR: Final[dict[str, SupervisorRule | None]] = {
    "angry": SupervisorRule(8, 2),
    "abusive": SupervisorRule(7, 2),
    "confused": None,
    "mistaken": SupervisorRule(8, 2),
    "disappointed": SupervisorRule(9, 2),
    "impatient": SupervisorRule(8, 2),
}

assert all(set(v) == set(ESCALATORS) for v in ARCHETYPE_ESCALATORS.values())
assert all(set(v) == set(DEESCALATORS) for v in ARCHETYPE_DEESCALATORS.values())
