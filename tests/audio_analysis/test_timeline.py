from __future__ import annotations

from pathlib import Path

import pytest

from audio_analysis import (
    Backchannel,
    CallAnalysis,
    DeadAir,
    Interruption,
    Series,
    SpeakerStats,
    Turn,
    render_timeline,
)


def _analysis() -> CallAnalysis:
    sp = SpeakerStats(10.0, 2, 20, 120.0, 100.0, -25.0, 1.0)
    n = 200
    series = Series(
        0.1,
        tuple(100.0 if 10 < i < 60 else None for i in range(n)),
        tuple(-25.0 if 10 < i < 60 else None for i in range(n)),
    )
    return CallAnalysis(
        source="call.wav",
        duration_s=20.0,
        sample_rate=16000,
        channels={"trainee": 0, "customer": 1},
        warnings=(),
        speakers={"trainee": sp, "customer": sp},
        turns=(
            Turn("trainee", 1.0, 6.0, "hello", 1, (), 12.0, 100.0, -25.0),
            Turn("customer", 5.0, 9.0, "hi", 1, (), 15.0, 180.0, -22.0),
        ),
        interruptions=(Interruption("customer", "trainee", 5.0, 1.0),),
        backchannels=(Backchannel("trainee", "customer", 7.0, 0.4),),
        backchannel_text=("mm",),
        gaps=(),
        dead_air=(DeadAir(9.0, 4.0),),
        tone_drift={},
        series={"trainee": series, "customer": series},
        speech={"trainee": ((1.0, 6.0), (7.0, 7.4)), "customer": ((5.0, 9.0), (13.0, 15.0))},
        models={},
    )


def test_png_and_svg_written(tmp_path: Path) -> None:
    out = render_timeline(_analysis(), tmp_path / "fig" / "timeline")
    assert [p.name for p in out] == ["timeline.png", "timeline.svg"]
    assert out[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = out[1].read_text()
    assert "<svg" in svg and "overtalk" in svg
    assert not list((tmp_path / "fig").glob(".*"))


def test_suffix_picks_the_format(tmp_path: Path) -> None:
    assert render_timeline(_analysis(), tmp_path / "t.svg") == [tmp_path / "t.svg"]


@pytest.mark.slow
def test_timeline_of_a_real_analysis(small_call_analysis, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (png,) = render_timeline(small_call_analysis, tmp_path / "t.png")
    assert png.stat().st_size > 10_000
