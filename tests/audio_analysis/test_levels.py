"""dBFS levels: known answers for sines, squares, silence and no samples at all."""

from __future__ import annotations

import numpy as np
import pytest

from audio_analysis.levels import SILENT_DBFS, frame_levels_dbfs, power_mean_dbfs, rms_dbfs


def test_rms_dbfs_of_sines_and_squares() -> None:
    t = np.arange(16000) / 16000
    # a sine of amplitude a has RMS a / sqrt(2): 20 log10(0.5 / sqrt(2)) = -9.031 dBFS
    assert rms_dbfs(0.5 * np.sin(2 * np.pi * 200 * t)) == pytest.approx(-9.031, abs=0.005)
    assert rms_dbfs(np.ones(100)) == pytest.approx(0.0)
    assert rms_dbfs(-np.ones(100, dtype=np.float32)) == pytest.approx(0.0)


def test_silence_and_no_samples_are_the_silent_floor() -> None:
    assert rms_dbfs(np.zeros(160)) == SILENT_DBFS == -120.0
    assert rms_dbfs(np.zeros(0)) == SILENT_DBFS
    assert rms_dbfs(np.full(10, 1e-9)) == SILENT_DBFS  # below the floor: clipped to it


def test_frame_levels_per_row() -> None:
    frames = np.stack([np.ones(512), np.zeros(512), np.full(512, 0.1)])
    assert frame_levels_dbfs(frames) == pytest.approx([0.0, -120.0, -20.0], abs=1e-4)
    assert frame_levels_dbfs(np.zeros((0, 512))).shape == (0,)


def test_power_mean_of_equal_frames() -> None:
    assert power_mean_dbfs(np.array([-20.0, -20.0])) == pytest.approx(-20.0)
    # -10 dBFS and silence average to half the power: -13.01 dBFS
    assert power_mean_dbfs(np.array([-10.0, -200.0])) == pytest.approx(-13.0103, abs=1e-3)
    assert np.isnan(power_mean_dbfs(np.zeros(0)))  # no frames: nothing measured
