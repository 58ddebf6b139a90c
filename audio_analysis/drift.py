"""Tone drift: how a speaker's pitch, loudness and pace move within a call and across calls."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ToneDrift:
    """Later against earlier; ``None`` when there is too little to compare.

    Attributes
    ----------
    pitch_st : float or None
        Semitones (positive: higher).
    loudness_db : float or None
        Decibels (positive: louder).
    wpm_pct : float or None
        Percent change of words per minute (positive: faster).
    """

    pitch_st: float | None
    loudness_db: float | None
    wpm_pct: float | None


def _finite(xs: Sequence[float | None]) -> list[float]:
    return [float(x) for x in xs if x is not None and math.isfinite(x)]


def _thirds(
    values: Sequence[float | None], fraction: float
) -> tuple[list[float], list[float]] | None:
    # turns without a value (unvoiced, untranscribed) are left out before taking the thirds
    vals = _finite(values)
    n = len(vals)
    if n < 2:
        return None
    k = max(1, round(n * fraction))
    return vals[:k], vals[n - k :]


def tone_drift(
    pitch_hz: Sequence[float | None],
    loudness_dbfs: Sequence[float | None],
    wpm: Sequence[float | None],
    *,
    fraction: float = 1.0 / 3.0,
) -> ToneDrift:
    """Drift within a call from per-turn values, in turn order.

    Each figure is the mean over the last ``fraction`` of the turns minus the mean over the
    first ``fraction`` (at least one turn each; pitch compared in semitones, wpm in percent).
    Turns without a value are left out first; fewer than two turns with a value give ``None``.
    """
    p = _thirds(
        [
            None if x is None or not x or not math.isfinite(x) else 12 * math.log2(x)
            for x in pitch_hz
        ],
        fraction,
    )
    lo = _thirds(loudness_dbfs, fraction)
    w = _thirds(wpm, fraction)
    return ToneDrift(
        pitch_st=None if p is None else round(float(np.mean(p[1]) - np.mean(p[0])), 3),
        loudness_db=None if lo is None else round(float(np.mean(lo[1]) - np.mean(lo[0])), 3),
        wpm_pct=None
        if w is None or np.mean(w[0]) <= 0
        else round(float(100 * (np.mean(w[1]) / np.mean(w[0]) - 1)), 2),
    )


def between(
    first: tuple[float | None, float | None, float | None],
    last: tuple[float | None, float | None, float | None],
) -> ToneDrift:
    """Drift of ``last`` against ``first``, each (median pitch Hz, median loudness dBFS, wpm)."""

    def num(x: float | None) -> float | None:
        return x if x is not None and math.isfinite(x) else None

    (p0, l0, w0), (p1, l1, w1) = (tuple(num(x) for x in first), tuple(num(x) for x in last))
    return ToneDrift(
        pitch_st=round(12 * math.log2(p1 / p0), 3) if p0 and p1 and p0 > 0 and p1 > 0 else None,
        loudness_db=round(l1 - l0, 3) if l0 is not None and l1 is not None else None,
        wpm_pct=round(100 * (w1 / w0 - 1), 2) if w0 and w1 is not None else None,
    )
