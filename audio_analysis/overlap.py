"""Who talks over whom: interruptions, backchannels and overtalk between two speakers' turns."""

from __future__ import annotations

from dataclasses import dataclass

from .turns import Span


@dataclass(frozen=True)
class Interruption:
    """``by`` started while ``of`` was speaking and then spoke at least ``interruption_min_s``.

    Attributes
    ----------
    by, of : str
        Speakers.
    start_s : float
        When ``by`` started, seconds.
    overlap_s : float
        Seconds both were in their turns.
    """

    by: str
    of: str
    start_s: float
    overlap_s: float


@dataclass(frozen=True)
class Backchannel:
    """Short speech (``duration_s`` < ``backchannel_max_s``) inside the other's turn."""

    by: str
    of: str
    start_s: float
    duration_s: float


@dataclass(frozen=True)
class OverlapResult:
    """Turns left after removing backchannels, plus what overlapped."""

    turns: tuple[Span, ...]
    backchannels: tuple[Backchannel, ...]
    interruptions: tuple[Interruption, ...]
    overtalk_s: dict[str, float]


def classify_overlaps(
    turns: list[Span],
    *,
    backchannel_max_s: float,
    interruption_min_s: float,
    overlap_tolerance_s: float,
) -> OverlapResult:
    """Sort both speakers' turns into turns, backchannels and interruptions.

    Parameters
    ----------
    turns : list of Span
        Both speakers' turns (from :func:`merge_turns`), any order.
    backchannel_max_s : float
        A turn shorter than this lying inside the other's turn (ending no later than
        ``overlap_tolerance_s`` after it) is a backchannel.
    interruption_min_s : float
        A turn that starts inside the other's turn, at least ``overlap_tolerance_s`` before it
        ends, and lasts at least this long is an interruption.
    overlap_tolerance_s : float
        Overlap below this at a turn edge is turn-taking jitter.

    Notes
    -----
    ``overtalk_s[speaker]`` is the time the speaker spent in a turn they started while the other
    was in a turn (backchannels excluded), seconds.
    """
    ordered = sorted(turns, key=lambda t: (t.start_s, t.end_s))
    back: list[Backchannel] = []
    kept: list[Span] = []
    for t in ordered:
        host = next(
            (
                o
                for o in ordered
                if o.speaker != t.speaker
                and o.duration_s >= t.duration_s
                and o.start_s <= t.start_s
                and t.end_s <= o.end_s + overlap_tolerance_s
            ),
            None,
        )
        if host is not None and t.duration_s < backchannel_max_s:
            back.append(Backchannel(t.speaker, host.speaker, t.start_s, round(t.duration_s, 4)))
        else:
            kept.append(t)
    inter: list[Interruption] = []
    overtalk: dict[str, float] = {}
    for t in kept:
        overtalk.setdefault(t.speaker, 0.0)
        for o in kept:
            if o.speaker == t.speaker or not (o.start_s < t.start_s < o.end_s):
                continue
            overlap = min(o.end_s, t.end_s) - t.start_s
            overtalk[t.speaker] += overlap
            if overlap >= overlap_tolerance_s and t.duration_s >= interruption_min_s:
                inter.append(Interruption(t.speaker, o.speaker, t.start_s, round(overlap, 4)))
            break
    return OverlapResult(
        turns=tuple(kept),
        backchannels=tuple(back),
        interruptions=tuple(inter),
        overtalk_s={k: round(v, 4) for k, v in overtalk.items()},
    )
