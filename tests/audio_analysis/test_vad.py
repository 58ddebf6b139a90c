from __future__ import annotations

import numpy as np
import pytest

from audio_analysis.settings import AnalysisSettings
from audio_analysis.vad import (
    FRAME_S,
    frame_levels_dbfs,
    segments_from_probabilities,
    segments_to_mask,
    speech_probabilities,
    suppress_bleed,
)

NOPAD = AnalysisSettings(speech_pad_s=0.0, min_speech_s=0.0, min_silence_s=0.0)


def test_frame_is_silero_window() -> None:
    assert pytest.approx(0.032) == FRAME_S


def test_hysteresis_opens_at_threshold_closes_below_neg_threshold() -> None:
    p = np.array([0.1, 0.6, 0.4, 0.4, 0.3, 0.1])
    # opens at frame 1, stays through 0.4 (>= 0.35), closes at frame 4
    assert segments_from_probabilities(p, settings=NOPAD, frame_s=1.0) == [(1.0, 4.0)]


def test_short_silence_bridged_short_speech_dropped_and_padded() -> None:
    st = AnalysisSettings(min_silence_s=0.1, min_speech_s=0.12, speech_pad_s=0.03)
    p = np.zeros(100)
    p[10:20] = 0.9  # 0.32 s
    p[22:30] = 0.9  # after a 64 ms silence: bridged
    p[50:53] = 0.9  # 96 ms: dropped
    segs = segments_from_probabilities(p, settings=st)
    assert segs == [(pytest.approx(10 * FRAME_S - 0.03), pytest.approx(30 * FRAME_S + 0.03))]


def test_padding_clamped_to_signal() -> None:
    p = np.ones(10)
    segs = segments_from_probabilities(p, settings=AnalysisSettings(speech_pad_s=0.1))
    assert segs == [(0.0, pytest.approx(10 * FRAME_S))]


def test_mask_round_trip() -> None:
    m = segments_to_mask([(0.032, 0.096)], 5)
    assert m.tolist() == [False, True, True, False, False]


def test_frame_levels_of_full_scale_sine_is_minus_3_dbfs() -> None:
    t = np.arange(512 * 4) / 16000
    y = np.sin(2 * np.pi * 500 * t).reshape(4, 512)
    assert frame_levels_dbfs(y) == pytest.approx(np.full(4, -3.0103), abs=0.01)
    assert frame_levels_dbfs(np.zeros((2, 512)))[0] == pytest.approx(-120.0)


def test_bleed_frames_and_quiet_frames_are_zeroed() -> None:
    prob = np.array([0.9, 0.9, 0.9, 0.9])
    mine = np.array([-20.0, -50.0, -30.0, -70.0])
    other = np.array([-60.0, -20.0, -25.0, -90.0])
    out = suppress_bleed(prob, mine, other, margin_db=20.0, floor_dbfs=-55.0)
    # frame 1 is 30 dB under the other side (bleed); frame 3 under the floor; frame 2 real overlap
    assert out.tolist() == pytest.approx([0.9, 0.0, 0.9, 0.0])
    assert suppress_bleed(
        prob, mine, None, margin_db=20.0, floor_dbfs=-55.0
    ).tolist() == pytest.approx([0.9, 0.9, 0.9, 0.0])


@pytest.mark.slow
def test_silero_hears_no_speech_in_noise_or_tones(rng: np.random.Generator) -> None:
    noise = (rng.normal(0, 0.01, 16000 * 3)).astype(np.float32)
    tone = (0.3 * np.sin(2 * np.pi * 1000 * np.arange(16000 * 3) / 16000)).astype(np.float32)
    for y in (noise, tone, np.zeros(16000, np.float32)):
        p, lv = speech_probabilities([y[:20000], y[20000:]])
        assert len(p) == len(y) // 512 == len(lv)
        assert segments_from_probabilities(p, settings=AnalysisSettings()) == []


@pytest.mark.slow
def test_silero_matches_the_labelled_telephone_sample() -> None:
    """Real speech, two speakers (pyannote sample, RTTM): frame accuracy of speech activity."""
    import soundfile as sf

    from .conftest import SAMPLE_DIR

    wav = SAMPLE_DIR / "sample.wav"
    if not wav.exists():
        pytest.skip(f"{wav} not present")
    y, sr = sf.read(str(wav), dtype="float32")
    assert sr == 16000
    p, _ = speech_probabilities([y])
    segs = segments_from_probabilities(p, settings=AnalysisSettings())
    ref = []
    for line in (SAMPLE_DIR / "sample.rttm").read_text().splitlines():
        f = line.split()
        ref.append((float(f[3]), float(f[3]) + float(f[4])))
    n = len(p)
    acc = np.mean(segments_to_mask(segs, n) == segments_to_mask(ref, n))
    assert acc >= 0.95


def test_speech_floor_follows_the_noise_and_the_speech_level(rng: np.random.Generator) -> None:
    from audio_analysis.vad import speech_floor_dbfs

    kw = dict(margin_db=6.0, range_db=35.0, min_dbfs=-65.0, max_dbfs=-45.0)
    hiss_and_speech = np.concatenate([np.full(700, -58.0), np.full(300, -25.0)])
    assert speech_floor_dbfs(hiss_and_speech, **kw) == pytest.approx(-52.0)  # noise + 6 dB
    clean = np.concatenate([np.full(700, -120.0), np.full(300, -20.0)])  # digital silence ignored
    assert speech_floor_dbfs(clean, **kw) == pytest.approx(-55.0)  # loud frames - 35 dB
    quiet = np.concatenate([np.full(700, -90.0), np.full(300, -50.0)])
    assert speech_floor_dbfs(quiet, **kw) == pytest.approx(-65.0)  # never below the minimum
    assert speech_floor_dbfs(np.full(10, -120.0), **kw) == -65.0
    all_speech = rng.normal(-25.0, 1.0, 1000)
    p90 = np.percentile(all_speech, 90)
    assert speech_floor_dbfs(all_speech, **kw) == pytest.approx(p90 - 35.0)  # no noise mode
    assert speech_floor_dbfs(np.full(10, -3.0), **kw) == -45.0  # never above the maximum
