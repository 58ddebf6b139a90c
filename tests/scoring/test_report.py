"""report.html and session_report.html: content, offline self-containment, and a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from scoring import (
    ScoringSettings,
    call_inputs,
    score_inputs,
    score_session,
    write_report,
    write_session_report,
)
from tests.support.browser import chromium, needs_chromium, page_errors

from .conftest import CallBuilder


def recording(path: Path, duration_s: float, rng: np.random.Generator) -> Path:
    sr = 16000
    n = int(duration_s * sr)
    t = np.arange(n) / sr
    y = np.stack([0.1 * np.sin(2 * np.pi * 220 * t), 0.05 * rng.standard_normal(n)], axis=1)
    sf.write(path, y.astype(np.float32), sr, subtype="PCM_16")
    return path


def build(b: CallBuilder, tmp_path: Path, rng: np.random.Generator, **kw: object) -> Path:
    folder = b.write(tmp_path / "call")
    a = b.analysis()
    rec = recording(folder / "recording.wav", a["duration_s"], rng)
    call = call_inputs(a, b.events, name="call", recording=rec)
    card = score_inputs(call)
    return write_report(card, call, folder, ScoringSettings(**kw))  # type: ignore[arg-type]


def test_report_is_self_contained_and_complete(
    bad: CallBuilder, tmp_path: Path, rng: np.random.Generator
) -> None:
    html = build(bad, tmp_path, rng).read_text(encoding="utf-8")
    assert 'src="data:audio/wav;base64,' in html
    assert not re.search(r'(?:src|href)="https?://', html)
    assert html.count('class="marker interruption"') == 1
    assert html.count('class="marker dead-air"') == 1
    assert html.count('class="marker intensity"') == 3
    assert '<mark class="lost" title="No trigger or hedge phrases">calm down</mark>' in html
    assert "Tip:" in html
    assert (tmp_path / "call" / "scorecard.json").is_file()
    # the timeline is inline in the report; timeline.svg/png belong to the analysis alone
    assert not (tmp_path / "call" / "timeline.svg").exists()


def test_good_phrases_highlighted_as_won(
    good: CallBuilder, tmp_path: Path, rng: np.random.Generator
) -> None:
    html = build(good, tmp_path, rng).read_text(encoding="utf-8")
    assert re.search(r'<mark class="won" title="Ownership language">I will call</mark>', html)


def test_large_recording_is_referenced_relatively(
    good: CallBuilder, tmp_path: Path, rng: np.random.Generator
) -> None:
    html = build(good, tmp_path, rng, embed_audio_max_bytes=0).read_text(encoding="utf-8")
    assert 'src="recording.wav"' in html


def test_recording_over_the_limit_is_embedded_as_vorbis(
    good: CallBuilder, tmp_path: Path, rng: np.random.Generator
) -> None:
    html = build(good, tmp_path, rng, embed_audio_max_bytes=400_000).read_text(encoding="utf-8")
    assert (tmp_path / "call" / "recording.wav").stat().st_size > 400_000
    assert 'src="data:audio/ogg;base64,' in html


def test_session_report_has_drift_charts_and_patience(
    good: CallBuilder, bad: CallBuilder, tmp_path: Path
) -> None:
    calls = [call_inputs(b.analysis(), b.events, name=n) for n, b in (("one", good), ("two", bad))]
    s = score_session(calls, reports=["one/report.html", "two/report.html"])
    html = write_session_report(s, tmp_path).read_text(encoding="utf-8")
    assert html.count('<svg class="chart"') == 6
    assert '<a href="one/report.html">one</a>' in html
    assert "Voice as calm in the last call as in the first" in html
    assert (tmp_path / "session_scorecard.json").is_file()


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("embed", ["wav", "vorbis"])
def test_report_in_headless_chromium_markers_seek_audio(
    bad: CallBuilder, tmp_path: Path, rng: np.random.Generator, embed: str
) -> None:
    limit = 25_000_000 if embed == "wav" else 400_000
    report = build(bad, tmp_path, rng, embed_audio_max_bytes=limit)
    assert f"data:audio/{'wav' if embed == 'wav' else 'ogg'};base64," in report.read_text()
    with chromium() as browser:
        page = browser.new_page()
        errors = page_errors(page)
        page.goto(report.as_uri())
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        duration = page.evaluate("document.getElementById('player').duration")
        assert duration == pytest.approx(bad.analysis()["duration_s"], abs=0.1)
        for selector in (
            ".marker.dead-air",
            ".marker.interruption",
            ".marker.intensity",
            ".marker.turn-bar",
            ".marker.lost",
            "#transcript .turn.customer button.t",
        ):
            target = page.locator(selector).last
            t = float(target.get_attribute("data-t") or "nan")
            target.click()
            page.wait_for_function(
                f"Math.abs(document.getElementById('player').currentTime - {t}) < 0.3"
            )
        assert page.locator("mark.lost").count() >= 4
        # the playhead follows the player on the timeline's own time axis
        page.evaluate(
            "(() => { const p = document.getElementById('player'); p.pause(); "
            "p.currentTime = 10; })()"
        )
        page.wait_for_function(
            "(() => { const s = document.getElementById('timeline'), d = s.dataset;"
            " const m = /translate\\(([-\\d.]+)/.exec("
            "document.getElementById('playhead').getAttribute('transform') || '');"
            " return m && Math.abs(parseFloat(m[1]) - (d.x1 - d.x0) * 10 / d.duration) < 0.5;"
            " })()"
        )
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert errors == []
