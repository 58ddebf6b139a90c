from __future__ import annotations

from pathlib import Path

import pytest

from audio_analysis import (
    AnalysisError,
    CallAnalysis,
    Gap,
    Interruption,
    SpeakerStats,
    ToneDrift,
    analyze_session,
)
from audio_analysis.session import stems_for


def call(pitch: float, loud: float, wpm: float, latencies: list[float], n_int: int) -> CallAnalysis:
    """A hand-made analysis with exactly known trainee figures."""
    sp = SpeakerStats(60.0, 10, int(wpm), wpm, pitch, loud, 0.0)
    return CallAnalysis(
        source="x",
        duration_s=120.0,
        sample_rate=16000,
        channels={"trainee": 0, "customer": 1},
        warnings=(),
        speakers={"trainee": sp, "customer": sp},
        turns=(),
        interruptions=(
            *(Interruption("trainee", "customer", float(i), 1.0) for i in range(n_int)),
            Interruption("customer", "trainee", 50.0, 1.0),
        ),
        backchannels=(),
        backchannel_text=(),
        gaps=(
            *(Gap("customer", "trainee", 10.0 * i, d) for i, d in enumerate(latencies)),
            Gap("trainee", "customer", 99.0, 9.0),
        ),
        dead_air=(),
        tone_drift={},
        series={},
        speech={},
        models={},
    )


def test_session_series_and_drift_last_against_first(tmp_path: Path) -> None:
    calls = {
        "a": call(100.0, -30.0, 150.0, [0.5, 1.0, 2.0], 0),
        "b": call(110.0, -28.0, 160.0, [0.4], 1),
        "c": call(200.0, -24.0, 120.0, [0.3, 0.7], 3),
    }
    s = analyze_session(
        [tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "c.wav"],
        analyze_one=lambda p: calls[p.stem],
    )
    assert s.calls == ("a", "b", "c")
    assert [x.response_latency_s_median for x in s.series] == [1.0, 0.4, 0.5]
    assert [x.interruptions for x in s.series] == [0, 1, 3]
    assert s.drift == ToneDrift(pitch_st=12.0, loudness_db=6.0, wpm_pct=-20.0)
    d = s.to_dict()
    assert d["calls"] == ["a", "b", "c"] and set(d["drift"]["trainee"]) == {
        "pitch_st",
        "loudness_db",
        "wpm_pct",
    }
    assert set(d["series"]["trainee"][0]) >= {
        "pitch_hz_median",
        "loudness_dbfs_median",
        "wpm",
        "interruptions",
        "response_latency_s_median",
    }


def test_a_bad_input_is_reported_and_the_others_complete(tmp_path: Path) -> None:
    seen: list[str] = []

    def one(p: Path) -> CallAnalysis:
        if p.stem == "missing":
            raise AnalysisError(f"{p}: file not found")
        return call(100.0, -30.0, 150.0, [1.0], 0)

    s = analyze_session(
        [tmp_path / "a.wav", tmp_path / "missing.wav", tmp_path / "c.wav"],
        analyze_one=one,
        on_done=lambda stem, a, err: seen.append(stem if a else f"!{stem}"),
    )
    assert seen == ["a", "!missing", "c"]
    assert set(s.analyses) == {"a", "c"} and "file not found" in s.errors["missing"]
    assert s.drift == ToneDrift(0.0, 0.0, 0.0)


def test_stems_are_unique(tmp_path: Path) -> None:
    (tmp_path / "s1").mkdir()
    assert stems_for([tmp_path / "x.wav", tmp_path / "y" / "x.wav", tmp_path / "s1"]) == [
        "x",
        "x-2",
        "s1",
    ]


def test_one_call_has_no_drift(tmp_path: Path) -> None:
    s = analyze_session(
        [tmp_path / "a.wav"], analyze_one=lambda p: call(100.0, -30.0, 150.0, [], 0)
    )
    assert s.drift is None and s.series[0].response_latency_s_median is None
    with pytest.raises(KeyError):
        s.analyses["b"]
