"""Pitch and loudness: a swappable pitch tracker, octave-robust medians, RMS dBFS."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .errors import AnalysisError


@dataclass(frozen=True)
class PitchTrack:
    """F0 over time.

    Attributes
    ----------
    times_s : ndarray, shape (k,)
        Frame centres, seconds from the start of the analysed audio.
    f0_hz : ndarray, shape (k,)
        Fundamental frequency, Hz; NaN where unvoiced.
    """

    times_s: np.ndarray
    f0_hz: np.ndarray


class PitchTracker(Protocol):
    """Anything that tracks F0 in mono audio."""

    name: str

    def track(self, y: np.ndarray, sr: int, *, fmin_hz: float, fmax_hz: float) -> PitchTrack:
        """F0 of ``y`` (mono float, shape (n,)) sampled at ``sr`` Hz; NaN when unvoiced."""
        ...


@functools.lru_cache(maxsize=2)
def _swift(threads: int) -> object:
    from swift_f0 import SwiftF0

    return SwiftF0(threads=threads, spin=False)


class SwiftF0Tracker:
    """swift-f0 (MIT, ONNX model inside the wheel): fast and robust in noise. The default."""

    name = "swift-f0"

    def __init__(self, *, threads: int = 1, voicing_threshold: float = 0.5) -> None:
        try:
            self._det = _swift(threads)
        except ImportError:
            raise AnalysisError(
                "pitch tracker swift-f0 not installed: install the package swift-f0"
            ) from None
        self._thr = voicing_threshold

    def track(self, y: np.ndarray, sr: int, *, fmin_hz: float, fmax_hz: float) -> PitchTrack:
        """See :class:`PitchTracker`."""
        if len(y) < 256:
            return PitchTrack(np.zeros(0), np.zeros(0))
        r = self._det.detect(y, sr, fmin=fmin_hz, fmax=fmax_hz)  # type: ignore[attr-defined]
        f0 = np.where(r.confidence >= self._thr, r.pitch_hz, np.nan)
        # swift-f0 timestamps are frame starts at 16 ms hops; report centres
        return PitchTrack(np.asarray(r.timestamps) + 0.008, f0)


class YinTracker:
    """``librosa.yin`` with an energy voicing gate: fast, but prone to octave errors (fallback)."""

    name = "yin"

    def __init__(self, *, frame_length: int = 1024, hop_s: float = 0.016) -> None:
        self._n = frame_length
        self._hop_s = hop_s

    def track(self, y: np.ndarray, sr: int, *, fmin_hz: float, fmax_hz: float) -> PitchTrack:
        """See :class:`PitchTracker`."""
        import librosa

        n = max(self._n, int(2 ** np.ceil(np.log2(2.2 * sr / fmin_hz))))
        if len(y) < n:
            return PitchTrack(np.zeros(0), np.zeros(0))
        hop = max(1, int(self._hop_s * sr))
        f0 = librosa.yin(
            y, fmin=fmin_hz, fmax=fmax_hz, sr=sr, frame_length=n, hop_length=hop, center=False
        )
        rms = librosa.feature.rms(y=y, frame_length=n, hop_length=hop, center=False)[0]
        k = min(len(f0), len(rms))
        f0, rms = f0[:k], rms[:k]
        db = 20 * np.log10(np.maximum(rms, 1e-9))
        voiced = db > (np.max(db) - 25.0)
        times = (np.arange(k) * hop + n / 2) / sr
        return PitchTrack(times, np.where(voiced, f0, np.nan))


def make_pitch_tracker(
    name: str, *, threads: int = 1, voicing_threshold: float = 0.5
) -> PitchTracker:
    """Build the named tracker (``"swift-f0"`` or ``"yin"``).

    Without the swift-f0 package, ``"swift-f0"`` falls back to ``librosa.yin`` with a logged
    warning (the analysis names the tracker used in ``models.pitch``).
    """
    if name == "swift-f0":
        try:
            return SwiftF0Tracker(threads=threads, voicing_threshold=voicing_threshold)
        except AnalysisError:
            logging.getLogger(__name__).warning(
                "swift-f0 not installed: pitch falls back to librosa.yin (more octave errors)"
            )
            return YinTracker()
    if name == "yin":
        return YinTracker()
    raise AnalysisError(f"unknown pitch tracker {name!r} (swift-f0 or yin)")


def hz_to_st(f_hz: np.ndarray | float) -> np.ndarray:
    """Semitones relative to 1 Hz (differences are what matter)."""
    return 12.0 * np.log2(np.asarray(f_hz, dtype=np.float64))


def fold_octaves(f0_hz: np.ndarray, reference_hz: float, *, fold_st: float) -> np.ndarray:
    """Move frames over ``fold_st`` semitones from ``reference_hz`` by whole octaves towards it.

    Pitch trackers' typical failure is halving or doubling; folding keeps a median honest.
    """
    f = np.asarray(f0_hz, dtype=np.float64)
    if not np.isfinite(reference_hz) or reference_hz <= 0:
        return f
    d = hz_to_st(f) - hz_to_st(reference_hz)
    k = np.where(np.abs(d) > fold_st, np.round(d / 12.0), 0.0)
    return f / np.power(2.0, k)


def robust_median_hz(
    f0_hz: np.ndarray, *, reference_hz: float | None = None, fold_st: float = 8.0
) -> float:
    """Median F0 (Hz) over voiced frames, after folding octave errors towards ``reference_hz``.

    With no reference the frames' own median serves. NaN when no frame is voiced.
    """
    f = np.asarray(f0_hz, dtype=np.float64)
    f = f[np.isfinite(f) & (f > 0)]
    if f.size == 0:
        return float("nan")
    ref = (
        float(np.median(f))
        if reference_hz is None or not np.isfinite(reference_hz)
        else reference_hz
    )
    return float(np.median(fold_octaves(f, ref, fold_st=fold_st)))
