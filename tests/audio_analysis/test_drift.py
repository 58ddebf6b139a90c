from __future__ import annotations

import pytest

from audio_analysis.drift import ToneDrift, between, tone_drift


def test_last_third_against_first_third() -> None:
    pitch = [100.0, 100.0, 150.0, 150.0, 200.0, 200.0]  # last third one octave above the first
    loud = [-30.0, -30.0, -25.0, -25.0, -20.0, -20.0]
    wpm = [100.0, 100.0, 120.0, 120.0, 150.0, 150.0]
    d = tone_drift(pitch, loud, wpm)
    assert d == ToneDrift(pitch_st=12.0, loudness_db=10.0, wpm_pct=50.0)


def test_unvoiced_turns_skipped_and_too_few_turns_give_none() -> None:
    d = tone_drift(
        [None, 100.0, 100.0, 200.0], [-20.0, -20.0, -20.0, -20.0], [None, None, None, None]
    )
    assert d.pitch_st == pytest.approx(12.0)  # thirds of the 3 voiced turns
    assert d.loudness_db == 0.0 and d.wpm_pct is None
    assert tone_drift([100.0], [-20.0], [100.0]) == ToneDrift(None, None, None)


def test_between_calls() -> None:
    d = between((100.0, -30.0, 150.0), (200.0, -24.0, 120.0))
    assert d == ToneDrift(pitch_st=12.0, loudness_db=6.0, wpm_pct=-20.0)
    assert between((None, None, None), (100.0, -20.0, 100.0)) == ToneDrift(None, None, None)
