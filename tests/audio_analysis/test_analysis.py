"""The whole analysis on small Piper calls whose events are placed exactly (real Silero, Whisper,
swift-f0), on the real labelled telephone sample, and on bad input."""

from __future__ import annotations

import io
import json
import sys

import numpy as np
import pytest

from audio_analysis import AnalysisError, AnalysisSettings, analyze, analyze_file, write_analysis

from .conftest import SAMPLE_DIR, SmallCall

EDGE_S = 0.15  # VAD edges: 32 ms frames, 30 ms padding, soft word onsets

pytestmark = pytest.mark.slow


def test_turns_interruption_backchannel_gaps_dead_air(
    small_call: SmallCall, small_call_analysis
) -> None:  # type: ignore[no-untyped-def]
    a = small_call_analysis
    assert [(t.speaker) for t in a.turns] == [t[0] for t in small_call.turns]
    for got, (_sp, s, e, _) in zip(a.turns, small_call.turns, strict=True):
        assert got.start_s == pytest.approx(s, abs=EDGE_S) and got.end_s == pytest.approx(
            e, abs=EDGE_S
        )
    (i,) = a.interruptions
    assert (i.by, i.of) == ("trainee", "customer") and i.start_s == pytest.approx(
        small_call.interruption[2], abs=EDGE_S
    )
    assert i.overlap_s == pytest.approx(1.0, abs=EDGE_S)
    (b,) = a.backchannels
    assert b.by == "trainee" and b.start_s == pytest.approx(small_call.backchannel[1], abs=EDGE_S)
    assert [(g.from_speaker, g.to_speaker) for g in a.gaps] == [g[:2] for g in small_call.gaps]
    for got, want in zip(a.gaps, small_call.gaps, strict=True):
        assert got.duration_s == pytest.approx(want[3], abs=0.1)
    assert [(g.from_speaker, g.to_speaker) for g in a.silences] == [
        g[:2] for g in small_call.silences
    ]
    for got, want in zip(a.silences, small_call.silences, strict=True):
        assert got.start_s == pytest.approx(want[2], abs=EDGE_S)
        assert got.duration_s == pytest.approx(want[3], abs=0.1)
    # only the silence the trainee left after the customer's turn is the trainee's dead air
    (d,) = a.dead_air
    assert d.start_s == pytest.approx(small_call.dead_air[0], abs=EDGE_S)
    assert d.duration_s == pytest.approx(small_call.dead_air[1], abs=0.1)


def test_words_pace_pitch_loudness(small_call_analysis) -> None:  # type: ignore[no-untyped-def]
    a = small_call_analysis
    t = a.turns[-1]
    assert "tracking" in t.text.lower()
    assert abs(t.words - 15) <= 1
    assert all(t.start_s - 0.05 <= w.start_s <= w.end_s <= t.end_s + 0.05 for w in t.word_times)
    tr = a.speakers["trainee"]
    assert tr.turns == 3 and tr.talk_time_s == pytest.approx(
        sum(x.duration_s for x in a.turns_of("trainee"))
    )
    assert tr.wpm == pytest.approx(tr.words / (tr.talk_time_s / 60), rel=1e-3)
    assert 70 < tr.pitch_hz_median < 140  # en_US-joe is a low male voice
    assert -40 < tr.loudness_dbfs_median < -15
    assert tr.overtalk_s == pytest.approx(1.0, abs=EDGE_S)


def test_analysis_json_contract(small_call_analysis, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write_analysis(small_call_analysis, tmp_path)
    d = json.loads(path.read_text())
    assert d["schema_version"] == 1 and d["channels"] == {"trainee": 0, "customer": 1}
    assert {
        "duration_s",
        "sample_rate",
        "warnings",
        "speakers",
        "turns",
        "interruptions",
        "backchannels",
        "gaps",
        "silences",
        "dead_air",
        "tone_drift",
        "series",
    } <= set(d)
    assert set(d["speakers"]["trainee"]) >= {
        "talk_time_s",
        "turns",
        "words",
        "wpm",
        "pitch_hz_median",
        "loudness_dbfs_median",
        "overtalk_s",
    }
    assert set(d["turns"][0]) >= {
        "speaker",
        "start_s",
        "end_s",
        "text",
        "words",
        "word_times",
        "wpm",
        "pitch_hz_median",
        "loudness_dbfs",
    }
    assert set(d["turns"][0]["word_times"][0]) == {"word", "start_s", "end_s"}
    assert set(d["interruptions"][0]) >= {"by", "of", "start_s", "overlap_s"}
    assert set(d["backchannels"][0]) >= {"by", "start_s", "duration_s"}
    assert set(d["gaps"][0]) >= {"from", "to", "start_s", "duration_s"}
    assert set(d["silences"][0]) == {"from", "to", "start_s", "duration_s"}
    assert set(d["dead_air"][0]) == {"start_s", "duration_s"}
    assert set(d["tone_drift"]["trainee"]) == {"pitch_st", "loudness_db", "wpm_pct"}
    s = d["series"]["trainee"]
    assert (
        len(s["pitch_hz"])
        == len(s["loudness_dbfs"])
        == int(np.ceil(d["duration_s"] / s["hop_s"] - 1e-6))
    )
    assert not list(tmp_path.glob(".*"))  # no temp file left behind


def test_bleed_at_minus_30_db_is_not_speech(small_call: SmallCall) -> None:
    trainee = small_call.y[0]
    y = np.stack([trainee, 10 ** (-30 / 20) * trainee])  # the customer line only carries bleed
    a = analyze(y, 16000, settings=AnalysisSettings(transcribe=False))
    assert a.speech["customer"] == () and a.speakers["customer"].turns == 0
    assert a.interruptions == () and a.backchannels == ()
    # with nobody else talking, the trainee's "mm-hmm" is a turn of its own
    assert len(a.turns_of("trainee")) == 4


def test_phone_line_8k_with_bleed_both_ways(
    small_call: SmallCall, rng: np.random.Generator
) -> None:
    import soxr

    y = small_call.y
    line = np.stack([y[0] + 0.0316 * y[1], y[1] + 0.0316 * y[0]]) + rng.normal(0, 0.001, y.shape)
    y8 = np.stack([soxr.resample(r, 16000, 8000) for r in line])
    a = analyze(y8, 8000, settings=AnalysisSettings(transcribe=False))
    assert [t.speaker for t in a.turns] == [t[0] for t in small_call.turns]
    assert len(a.interruptions) == 1 and len(a.backchannels) == 1 and len(a.dead_air) == 1


def test_gain_and_pitch_shift_show_up_exactly(small_call: SmallCall) -> None:
    """Half the amplitude is -6.02 dB in every turn; resampling by 2^(2/12) is +2 semitones."""
    import soxr

    st = AnalysisSettings(transcribe=False)
    base = analyze(small_call.y, 16000, settings=st)
    quiet = analyze(small_call.y * 0.5, 16000, settings=st)
    for t0, t1 in zip(base.turns, quiet.turns, strict=True):
        # a frame more or less at a turn edge moves the level by under 0.2 dB
        assert t1.loudness_dbfs - t0.loudness_dbfs == pytest.approx(-6.02, abs=0.2)
    r = 2 ** (2 / 12)
    high = analyze(
        np.stack([soxr.resample(row, 16000 * r, 16000) for row in small_call.y]), 16000, settings=st
    )
    p0, p1 = base.speakers["trainee"].pitch_hz_median, high.speakers["trainee"].pitch_hz_median
    assert 12 * np.log2(p1 / p0) == pytest.approx(2.0, abs=0.3)


def test_thresholds_come_from_settings(small_call: SmallCall) -> None:
    a = analyze(
        small_call.y,
        16000,
        settings=AnalysisSettings(transcribe=False, dead_air_s=5.0, backchannel_max_s=0.2),
    )
    assert a.dead_air == () and a.backchannels == ()
    assert a.speakers["trainee"].wpm is None and "transcription off" in a.warnings[-1]


def test_all_silence_is_an_error() -> None:
    with pytest.raises(AnalysisError, match="no speech found"):
        analyze(np.zeros((2, 16000 * 2)), 16000, settings=AnalysisSettings(transcribe=False))


def test_real_mono_telephone_sample() -> None:
    """Real two-speaker telephone speech, mono: speech activity, turns, wpm against RTTM + STM."""
    wav = SAMPLE_DIR / "sample.wav"
    if not wav.exists():
        pytest.skip(f"{wav} not present")
    a = analyze_file(wav)
    assert "two channels" in a.warnings[0] and a.speakers["customer"] is None
    ref = [
        (float(f[3]), float(f[3]) + float(f[4]))
        for f in (ln.split() for ln in (SAMPLE_DIR / "sample.rttm").read_text().splitlines())
    ]
    t = np.arange(0, a.duration_s, 0.01) + 0.005
    hyp = np.zeros(len(t), bool)
    for s, e in a.speech["trainee"]:
        hyp |= (t >= s) & (t < e)
    truth = np.zeros(len(t), bool)
    for s, e in ref:
        truth |= (t >= s) & (t < e)
    assert np.mean(hyp == truth) >= 0.95
    # the speakers never pause 1 s after the first word: one turn, as the RTTM union says
    assert a.speakers["trainee"].turns == 1
    words = sum(len(ln.split()[5:]) for ln in (SAMPLE_DIR / "sample.stm").read_text().splitlines())
    talk = max(e for _, e in ref) - min(s for s, _ in ref)
    assert a.speakers["trainee"].wpm == pytest.approx(words / (talk / 60), rel=0.15)


def test_mono_saved_as_stereo_is_analysed_as_one_channel(small_call: SmallCall) -> None:
    mono = small_call.y[0] + small_call.y[1]
    a = analyze(np.stack([mono, mono]), 16000, settings=AnalysisSettings(transcribe=False))
    assert "carry the same audio" in a.warnings[0]
    assert a.channels == {"trainee": 0} and a.speakers["customer"] is None
    assert a.interruptions == () and a.gaps == ()


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal, so rich draws its live bar into it."""

    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_each_stage_on_stderr(
    small_call: SmallCall, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_stt = AnalysisSettings(transcribe=False)
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    a = analyze(small_call.y, 16000, settings=no_stt, progress=True)
    assert len(a.turns) == 5
    drawn = screen.getvalue()
    assert "speech activity" in drawn and "pitch" in drawn and "%" in drawn
    assert capsys.readouterr().out == ""  # the bar goes to stderr, never into stdout
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    analyze(small_call.y, 16000, settings=no_stt, progress=False)
    assert quiet.getvalue() == ""
