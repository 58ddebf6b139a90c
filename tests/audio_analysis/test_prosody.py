from __future__ import annotations

import numpy as np
import pytest

from audio_analysis.prosody import (
    SwiftF0Tracker,
    YinTracker,
    fold_octaves,
    hz_to_st,
    make_pitch_tracker,
    robust_median_hz,
)

from .conftest import harmonic


def test_octave_errors_are_folded_before_the_median() -> None:
    f = np.array([200.0] * 6 + [100.0] * 3 + [400.0] * 2 + [np.nan])  # 5 octave errors of 11 frames
    assert robust_median_hz(f, reference_hz=200.0) == pytest.approx(200.0)
    assert fold_octaves(np.array([98.0, 210.0, 410.0]), 200.0, fold_st=8.0) == pytest.approx(
        [196.0, 210.0, 205.0]
    )
    assert np.isnan(robust_median_hz(np.array([np.nan])))
    assert hz_to_st(440.0) - hz_to_st(220.0) == pytest.approx(12.0)


@pytest.mark.parametrize("f0", [90.0, 150.0, 240.0])
def test_swift_f0_tracks_a_harmonic_tone(f0: float) -> None:
    tr = SwiftF0Tracker().track(harmonic(f0, 1.0), 16000, fmin_hz=60, fmax_hz=400)
    voiced = tr.f0_hz[np.isfinite(tr.f0_hz)]
    assert voiced.size > 40
    assert robust_median_hz(voiced) == pytest.approx(f0, rel=0.02)


def test_swift_f0_unvoiced_on_noise(rng: np.random.Generator) -> None:
    tr = SwiftF0Tracker().track(
        rng.normal(0, 0.1, 16000).astype(np.float32), 16000, fmin_hz=60, fmax_hz=400
    )
    assert np.mean(np.isfinite(tr.f0_hz)) < 0.2


def test_yin_fallback_tracks_a_harmonic_tone_at_8k() -> None:
    import soxr

    y = soxr.resample(harmonic(150.0, 1.0), 16000, 8000)
    tr = make_pitch_tracker("yin").track(y, 8000, fmin_hz=60, fmax_hz=400)
    assert isinstance(make_pitch_tracker("yin"), YinTracker)
    assert robust_median_hz(tr.f0_hz) == pytest.approx(150.0, rel=0.03)


def test_without_swift_f0_the_fallback_is_yin(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from audio_analysis import prosody

    prosody._swift.cache_clear()
    monkeypatch.setitem(sys.modules, "swift_f0", None)  # import swift_f0 -> ImportError
    try:
        assert isinstance(make_pitch_tracker("swift-f0"), YinTracker)
    finally:
        prosody._swift.cache_clear()
