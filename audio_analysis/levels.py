"""Signal levels in dBFS: the one definition every package uses.

A full-scale square wave is 0 dBFS and a full-scale sine -3.01 dBFS (RMS, no weighting). Digital
silence, and no samples at all, are :data:`SILENT_DBFS`.
"""

from __future__ import annotations

import numpy as np

#: Level of digital silence (and of an empty signal), dBFS: the floor every level is clipped to.
SILENT_DBFS = -120.0
_FLOOR_POWER = 10.0 ** (SILENT_DBFS / 10.0)


def rms_dbfs(y: np.ndarray) -> float:
    """RMS level of ``y`` (samples in [-1, 1], any shape), dBFS; :data:`SILENT_DBFS` if empty."""
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        return SILENT_DBFS
    return float(10.0 * np.log10(max(float(np.mean(y * y)), _FLOOR_POWER)))


def frame_levels_dbfs(frames: np.ndarray) -> np.ndarray:
    """RMS level of each row of ``frames`` (shape (k, n)), dBFS, as float32 of shape (k,)."""
    if frames.size == 0:
        return np.zeros(0, dtype=np.float32)
    ms = np.mean(np.square(frames, dtype=np.float64), axis=1)
    return (10.0 * np.log10(np.maximum(ms, _FLOOR_POWER))).astype(np.float32)


def power_mean_dbfs(levels_dbfs: np.ndarray) -> float:
    """Level (dBFS) of equal-length frames with the given levels played back to back.

    NaN when there are no frames: unlike an empty signal, no frames means nothing was measured.
    """
    lv = np.asarray(levels_dbfs, dtype=np.float64)
    if lv.size == 0:
        return float("nan")
    return float(10.0 * np.log10(np.mean(np.power(10.0, lv / 10.0))))
