"""Small signal effects for the customer's voice: pitch shift and a telephone line.

Pure functions over ``(y, sr)`` float32 arrays in [-1, 1].

``rms_dbfs`` is the project's one level helper (``audio_analysis.levels``), re-exported here for the
call's line.
"""

from __future__ import annotations

import numpy as np
import soxr
from scipy import signal

from audio_analysis.levels import rms_dbfs

from .settings import PHONE_BAND_HIGH_HZ, PHONE_BAND_LOW_HZ, PHONE_NOISE_DBFS, PHONE_RATE_HZ


def pitch_ratio(semitones: float) -> float:
    """Frequency ratio of a shift by ``semitones``."""
    return float(2.0 ** (semitones / 12.0))


def shift_pitch(y: np.ndarray, sr: int, *, semitones: float) -> np.ndarray:
    """Raise (or lower) pitch by resampling; duration shrinks by the same ratio.

    Piper has no pitch control, so the caller synthesizes with its length scale multiplied by
    :func:`pitch_ratio` and this shift brings the speaking rate back: pitch moves, tempo stays.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Audio, float32.
    sr : int
        Sample rate, Hz.
    semitones : float
        Shift, semitones (positive = higher).

    Returns
    -------
    np.ndarray, shape (round(n / ratio),)
    """
    if abs(semitones) < 1e-3 or y.size == 0:
        return y
    ratio = pitch_ratio(semitones)
    # Treat the audio as if recorded at sr*ratio and bring it back to sr: every frequency
    # is multiplied by ratio.
    return soxr.resample(y.astype(np.float32), sr * ratio, sr).astype(np.float32)


class PhoneLine:
    """A narrowband telephone channel: 300-3400 Hz band, 8 kHz resampling, hiss.

    Keeps filter state between calls so a voice streamed in chunks sounds seamless.

    Parameters
    ----------
    sr : int
        Sample rate of the audio passed through, Hz.
    seed : int
        Seed for the line noise.
    """

    def __init__(self, sr: int, *, seed: int = 0) -> None:
        self.sr = sr
        self._sos = signal.butter(
            4, [PHONE_BAND_LOW_HZ, PHONE_BAND_HIGH_HZ], btype="bandpass", fs=sr, output="sos"
        )
        self._zi = signal.sosfilt_zi(self._sos) * 0.0
        self._rng = np.random.default_rng(seed)
        self._noise_rms = 10.0 ** (PHONE_NOISE_DBFS / 20.0)

    def process(self, y: np.ndarray) -> np.ndarray:
        """Pass ``y`` (float32, shape (n,)) through the line; same shape out."""
        if y.size == 0:
            return y
        band, self._zi = signal.sosfilt(self._sos, y, zi=self._zi)
        if self.sr > PHONE_RATE_HZ:
            narrow = soxr.resample(band, self.sr, PHONE_RATE_HZ)
            band = soxr.resample(narrow, PHONE_RATE_HZ, self.sr)[: y.size]
            if band.size < y.size:
                band = np.pad(band, (0, y.size - band.size))
        noise = self._rng.normal(0.0, self._noise_rms, size=y.size)
        return np.clip(band + noise, -1.0, 1.0).astype(np.float32)


__all__ = ["PhoneLine", "pitch_ratio", "rms_dbfs", "shift_pitch"]
