"""Turns: one speaker's speech segments with inner pauses under ``min_pause_s`` merged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A stretch of one speaker's speech.

    Attributes
    ----------
    speaker : str
        ``"trainee"`` or ``"customer"``.
    start_s, end_s : float
        Seconds from the start of the recording.
    """

    speaker: str
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.end_s - self.start_s


def merge_turns(
    segments: Iterable[tuple[float, float]], *, speaker: str, min_pause_s: float
) -> list[Span]:
    """Merge a speaker's speech segments (seconds, sorted or not) into turns.

    Two segments belong to one turn when the pause between them is shorter than ``min_pause_s``.
    """
    out: list[list[float]] = []
    for s, e in sorted(segments):
        if out and s - out[-1][1] < min_pause_s:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [Span(speaker, round(s, 4), round(e, 4)) for s, e in out]


def speech_within(segments: Iterable[tuple[float, float]], start_s: float, end_s: float) -> float:
    """Seconds of speech from ``segments`` that fall inside [start_s, end_s]."""
    return sum(max(0.0, min(e, end_s) - max(s, start_s)) for s, e in segments)
