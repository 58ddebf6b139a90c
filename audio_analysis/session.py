"""Back-to-back calls: analyse each in order and track the trainee across them."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .drift import ToneDrift, between
from .errors import AnalysisError
from .result import CallAnalysis


@dataclass(frozen=True)
class CallSummary:
    """The trainee in one call (Hz, dBFS, words per minute, counts, seconds)."""

    call: str
    pitch_hz_median: float | None
    loudness_dbfs_median: float | None
    wpm: float | None
    interruptions: int
    response_latency_s_median: float | None


@dataclass(frozen=True)
class SessionAnalysis:
    """Several calls in order; :meth:`to_dict` gives ``session.json``.

    Attributes
    ----------
    calls : tuple of str
        Stems in the given order (failed inputs included).
    analyses : dict
        Stem -> CallAnalysis for the calls that could be analysed.
    errors : dict
        Stem -> one-line error for those that could not.
    series : tuple of CallSummary
        The trainee per analysed call, in order.
    drift : ToneDrift or None
        The last analysed call against the first.
    """

    calls: tuple[str, ...]
    analyses: dict[str, CallAnalysis]
    errors: dict[str, str]
    series: tuple[CallSummary, ...]
    drift: ToneDrift | None

    def to_dict(self) -> dict[str, Any]:
        """The ``session.json`` object."""
        return {
            "schema_version": 1,
            "calls": list(self.calls),
            "series": {"trainee": [s.__dict__ for s in self.series]},
            "drift": {"trainee": None if self.drift is None else self.drift.__dict__},
            "errors": dict(self.errors),
        }


def summarize_call(stem: str, a: CallAnalysis, *, speaker: str = "trainee") -> CallSummary:
    """The session-level figures of one speaker in one call."""
    sp = a.speakers.get(speaker)
    lat = [g.duration_s for g in a.gaps if g.to_speaker == speaker]
    # median over the speaker's turns, as in SpeakerStats
    return CallSummary(
        call=stem,
        pitch_hz_median=None if sp is None else sp.pitch_hz_median,
        loudness_dbfs_median=None if sp is None else sp.loudness_dbfs_median,
        wpm=None if sp is None else sp.wpm,
        interruptions=sum(1 for i in a.interruptions if i.by == speaker),
        response_latency_s_median=round(statistics.median(lat), 3) if lat else None,
    )


def stems_for(paths: Sequence[str | Path]) -> list[str]:
    """Output names for inputs: file stem or folder name, numbered when repeated."""
    out: list[str] = []
    for p in paths:
        p = Path(p)
        stem = p.name if p.is_dir() else p.stem
        base, k = stem or "call", 2
        while stem in out:
            stem = f"{base}-{k}"
            k += 1
        out.append(stem)
    return out


def analyze_session(
    paths: Sequence[str | Path],
    *,
    analyze_one: Callable[[Path], CallAnalysis] | None = None,
    on_done: Callable[[str, CallAnalysis | None, str | None], None] | None = None,
) -> SessionAnalysis:
    """Analyse several calls in order; a bad input is recorded and the others still complete.

    Parameters
    ----------
    paths : sequence of path
        Recordings or session folders, in call order.
    analyze_one : callable, optional
        ``analyze_one(path)`` -> CallAnalysis; default :func:`analyze_file` with default
        settings (pass ``functools.partial(analyze_file, settings=..., ...)`` to change them).
    on_done : callable, optional
        ``on_done(stem, analysis or None, error or None)`` after each input (to write files).
    """
    if analyze_one is None:
        from .analysis import analyze_file

        analyze_one = analyze_file
    stems = stems_for(paths)
    analyses: dict[str, CallAnalysis] = {}
    errors: dict[str, str] = {}
    for stem, p in zip(stems, paths, strict=True):
        try:
            a = analyze_one(Path(p))
        except AnalysisError as exc:
            errors[stem] = str(exc)
            if on_done:
                on_done(stem, None, str(exc))
            continue
        analyses[stem] = a
        if on_done:
            on_done(stem, a, None)
    series = tuple(summarize_call(s, analyses[s]) for s in stems if s in analyses)
    drift = None
    if len(series) >= 2:
        f, last = series[0], series[-1]
        drift = between(
            (f.pitch_hz_median, f.loudness_dbfs_median, f.wpm),
            (last.pitch_hz_median, last.loudness_dbfs_median, last.wpm),
        )
    return SessionAnalysis(tuple(stems), analyses, errors, series, drift)
