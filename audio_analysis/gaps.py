"""Silences: response gaps between speakers, long silences, and the trainee's dead air.

Dead air is the customer waiting on a silent trainee (the rule the escalation director and the
scorer share, ``personas.phrases.is_dead_air``). From audio alone: the customer's turn ended,
the trainee spoke next, and nobody spoke for longer than ``dead_air_s``. A silence after the
trainee's own words is the customer's to break; a silence between two of the customer's turns
is the customer's own pause (or the customer checking the line, which only words can tell: the
scorer reads them). Every long silence is kept, with who spoke either side, for those who can
tell more (hold notices, the customer's deliberate pauses).
"""

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
    """The trainee's dead air: the customer's turn ended and the trainee, next to speak, said
    nothing for longer than ``dead_air_s`` (seconds)."""

    start_s: float
    duration_s: float


@dataclass(frozen=True)
class Silence:
    """A silence of both speakers longer than ``dead_air_s``, and whose turns it lies between.

    Attributes
    ----------
    from_speaker : str
        ``"from"`` in analysis.json: whose turn ended last before it (a backchannel never holds
        the floor, so one said at the end of the other's turn does not count).
    to_speaker : str
        ``"to"``: whose turn broke it.
    start_s : float
        End of the last speech before it, seconds.
    duration_s : float
        Seconds.
    """

    from_speaker: str
    to_speaker: str
    start_s: float
    duration_s: float

    @property
    def is_dead_air(self) -> bool:
        """The trainee's dead air, as far as audio can tell: the customer finished and the
        trainee spoke next. A silence after the trainee's own words is the customer's to break,
        and one between two customer turns is the customer's own pause."""
        return self.from_speaker == "customer" and self.to_speaker == "trainee"


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


def find_silences(
    speech: Iterable[Span], turns: Iterable[Span], *, longer_than_s: float
) -> list[Silence]:
    """Silences of both speakers longer than ``longer_than_s``, between the first and the last
    speech of the call, each with whose turn came before it and whose after.

    Parameters
    ----------
    speech : iterable of Span
        Every speech segment of both speakers (backchannels included: they break a silence).
    turns : iterable of Span
        The turns that hold the floor (backchannels removed): who spoke before and after.
    longer_than_s : float
        Shortest silence counted, exclusive, seconds (``dead_air_s``).

    Notes
    -----
    Silence before the first word and after the last (ringing, hanging up) is not counted. At a
    tie, the turn that started later is the one before a silence.
    """
    floor = list(turns)
    out: list[Silence] = []
    last: Span | None = None
    for seg in sorted(speech, key=lambda s: (s.start_s, s.end_s)):
        if last is not None and seg.start_s - last.end_s > longer_than_s:
            out.append(
                Silence(
                    _speaker_before(floor, last.end_s, default=last.speaker),
                    _speaker_after(floor, seg.start_s, default=seg.speaker),
                    round(last.end_s, 4),
                    round(seg.start_s - last.end_s, 4),
                )
            )
        if last is None or seg.end_s > last.end_s:
            last = seg
    return out


#: Turn edges are rounded to 0.1 ms; speech segments are not.
_EDGE_S = 1e-3


def _speaker_before(turns: list[Span], t_s: float, *, default: str) -> str:
    before = [t for t in turns if t.end_s <= t_s + _EDGE_S]
    return max(before, key=lambda t: (t.end_s, t.start_s)).speaker if before else default


def _speaker_after(turns: list[Span], t_s: float, *, default: str) -> str:
    after = [t for t in turns if t.start_s >= t_s - _EDGE_S]
    return min(after, key=lambda t: (t.start_s, t.end_s)).speaker if after else default


def dead_air_in(silences: Iterable[Silence]) -> list[DeadAir]:
    """The silences that are the trainee's dead air (:attr:`Silence.is_dead_air`)."""
    return [DeadAir(s.start_s, s.duration_s) for s in silences if s.is_dead_air]
