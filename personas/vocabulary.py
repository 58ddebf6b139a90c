"""Names shared by the schema, the director and the brains: archetypes, triggers, stages, bands."""

from __future__ import annotations

from typing import Final

#: Caller archetypes, in gauntlet order (an easy caller first, the hardest last).
ARCHETYPES: Final = ("confused", "mistaken", "disappointed", "impatient", "angry", "abusive")

#: Trainee behaviours that raise intensity (see ``docs/personas.md`` for how each is detected).
ESCALATORS: Final = (
    "interrupting",
    "calm_down",
    "unfortunately",
    "per_policy",
    "flat_no",
    "blaming",
    "dead_air",
    "fix_before_diagnosis",
    "vague_timeline",
    "raised_voice",
    "jargon",
    "ignored_demand",
)

#: Trainee behaviours that lower intensity.
DEESCALATORS: Final = (
    "acknowledge_specific",
    "restate",
    "diagnostic_question",
    "next_step",
    "boundary",
    "empathy",
)

#: Conversation stages, in the order a call that goes well passes through them.
STAGES: Final = (
    "opening",
    "venting",
    "explaining",
    "negotiating",
    "resolving",
    "closing",
    "supervisor",
    "hanging_up",
)

#: Stages a persona may give scripted lines for (opening has ``opening_line``).
LINE_STAGES: Final = tuple(s for s in STAGES if s != "opening")

#: Intensity bands for line banks: name -> inclusive (low, high) levels.
BANDS: Final = {"low": (0, 3), "mid": (4, 6), "high": (7, 10)}


def band_of(level: int) -> str:
    """Name of the intensity band holding ``level`` (0-10)."""
    for name, (lo, hi) in BANDS.items():
        if lo <= level <= hi:
            return name
    return "high"
