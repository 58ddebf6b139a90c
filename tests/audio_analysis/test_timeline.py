"""The one call-timeline renderer: files (PNG, SVG) and the interactive SVG pages embed, the
marks a caller adds (each a clickable group with its time), tracks, escaping."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

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
from audio_analysis.timeline import Mark, Track, timeline_svg


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


def _groups(svg: str) -> dict[str, dict[str, str]]:
    """Every mark's group: id -> its attributes and tooltip (parsed as XML, so well-formed)."""
    root = ElementTree.fromstring(svg)
    out = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        if "marker" in (g.get("class") or "").split():
            title = g.find("{http://www.w3.org/2000/svg}title")
            out[g.get("id", "")] = dict(g.attrib) | {"title": "" if title is None else title.text}
    return out


def test_every_mark_is_a_group_with_its_time_class_and_tooltip() -> None:
    marks = [
        Mark(3.0, "points", "won", "Acknowledge: I'm sorry", id="ev-1"),
        Mark(8.5, "points", "lost", "No triggers: calm down"),
        Mark(10.0, "call", "silence", "pause after the trainee's words", end_s=13.0),
        Mark(2.0, "intensity", "intensity", "intensity 6 -> 8", value=8.0),
    ]
    svg = timeline_svg(
        _analysis(), marks=marks, tracks=[Track("intensity", "customer intensity", 0, 10, 6)]
    )
    assert svg.startswith("<svg") and "<?xml" not in svg and "<metadata" not in svg
    g = _groups(svg)
    by_kind = sorted((v["class"], float(v["data-t"])) for v in g.values())
    assert by_kind == [
        ("marker backchannel", 7.0),
        ("marker dead-air", 9.0),  # the analysis's own dead air
        ("marker intensity", 2.0),
        ("marker interruption", 5.0),
        ("marker lost", 8.5),
        ("marker silence", 10.0),
        ("marker turn-bar", 1.0),
        ("marker turn-bar", 5.0),
        ("marker won", 3.0),
    ]
    assert g["ev-1"]["title"] == "Acknowledge: I'm sorry" == g["ev-1"]["aria-label"]
    assert all(v["tabindex"] == "0" and v["role"] == "button" for v in g.values())
    assert len(g) == len(set(g))  # ids are unique


def test_caller_may_leave_the_dead_air_to_its_own_judgement() -> None:
    g = _groups(timeline_svg(_analysis(), dead_air=False))
    assert "marker dead-air" not in [v["class"] for v in g.values()]


def test_playhead_and_the_time_axis_are_given_for_the_page() -> None:
    svg = timeline_svg(_analysis())
    root = ElementTree.fromstring(svg)
    x0, x1 = float(root.get("data-x0", "nan")), float(root.get("data-x1", "nan"))
    width = float(root.get("viewBox", "").split()[2])
    assert 0 < x0 < x1 < width and root.get("data-duration") == "20.000"
    assert root.get("width") == "100%" and root.get("id") == "timeline"
    # the playhead stands at time 0: the line's x is data-x0
    head = root.find(".//{http://www.w3.org/2000/svg}g[@id='playhead']")
    assert head is not None
    path = head.find("{http://www.w3.org/2000/svg}path")
    assert path is not None
    xs = {round(float(x), 1) for x in re.findall(r"[ML] ([\d.]+) ", path.get("d", ""))}
    assert xs == {round(x0, 1)}


def test_labels_are_escaped() -> None:
    evil = '</title><script>alert(1)</script> "quoted"'
    svg = timeline_svg(_analysis(), marks=[Mark(4.0, "points", "lost", evil)])
    assert "<script>" not in svg
    (lost,) = [v for v in _groups(svg).values() if v["class"] == "marker lost"]
    assert lost["title"] == evil and lost["aria-label"] == evil


def test_the_svg_file_carries_the_marks_too(tmp_path: Path) -> None:
    (svg,) = render_timeline(_analysis(), tmp_path / "t.svg")
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<?xml")
    kinds = {v["class"] for v in _groups(text).values()}
    assert {"marker turn-bar", "marker interruption", "marker dead-air"} <= kinds
