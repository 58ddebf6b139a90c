"""Silences: response gaps between speakers and dead air."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .turns import Span


@dataclass(frozen=True)
class Gap:
    """Silence from the end of ``from_speaker``'s turn to the start of ``to_speaker``'s reply.

    Attributes
    ----------
    from_speaker, to_speaker : str
        ``"from"`` and ``"to"`` in analysis.json.
    start_s : float
        End of the earlier turn, seconds.
    duration_s : float
        Response latency, seconds.
    """

    from_speaker: str
    to_speaker: str
    start_s: float
    duration_s: float


@dataclass(frozen=True)
class DeadAir:
    """A stretch of at least ``dead_air_s`` in which nobody speaks (seconds)."""

    start_s: float
    duration_s: float


def find_gaps(turns: Iterable[Span]) -> list[Gap]:
    """Response gaps: a turn that starts in silence after the other speaker's turn was the last.

    A turn that starts while anyone is still in a turn, or after the same speaker's own earlier
    turn was the last one, makes no gap.
    """
    ordered = sorted(turns, key=lambda t: (t.start_s, t.end_s))
    gaps: list[Gap] = []
    last: Span | None = None
    for t in ordered:
        if last is not None and t.start_s >= last.end_s and last.speaker != t.speaker:
            gaps.append(Gap(last.speaker, t.speaker, last.end_s, round(t.start_s - last.end_s, 4)))
        if last is None or t.end_s > last.end_s:
            last = t
    return gaps


def find_dead_air(segments: Iterable[tuple[float, float]], *, dead_air_s: float) -> list[DeadAir]:
    """Silences of at least ``dead_air_s`` between the first and last speech of anyone.

    Parameters
    ----------
    segments : iterable of (start_s, end_s)
        Every speech segment of both speakers (backchannels included: they break silence).
    dead_air_s : float
        Minimum silence, seconds.

    Notes
    -----
    Silence before the first word and after the last (ringing, hanging up) is not dead air.
    """
    out: list[DeadAir] = []
    end: float | None = None
    for s, e in sorted(segments):
        if end is not None and s - end >= dead_air_s:
            out.append(DeadAir(round(end, 4), round(s - end, 4)))
        end = e if end is None else max(end, e)
    return out
