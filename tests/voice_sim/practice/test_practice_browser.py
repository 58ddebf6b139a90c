"""A practice call end to end in headless Debian chromium with a fake microphone.

The microphone is a WAV of the trainee's lines made with Piper. The test logs in, calls a
persona, lets the fake microphone speak, hangs up, writes the case note, and lands on the review
page; then it checks what was stored against the WAV it made: the trainee's speech on channel
0, the customer on channel 1 (and not the other way round), the trainee's words in the
transcript, the note in ``case_note.md``. Set ``VOICE_SIM_SCREENSHOTS=DIR`` to keep the pages as
PNGs (the README's screenshots).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.support.browser import chromium, csp_violation, log_in, needs_chromium, page_errors

from .conftest import SR, TRAINEE_LINES, PracticeSite, envelope

pytestmark = [pytest.mark.slow, pytest.mark.browser, needs_chromium]

NOTE = (
    "Dana Whitaker (dana.whitaker@example.com): charged twice this month. "
    "Promised to refund the duplicate charge today and email a confirmation."
)
#: Silence before the first line (the customer's opening), and between the lines, seconds.
LEAD_S, GAP_S = 6.0, 8.0


@pytest.fixture(scope="module")
def mic_wav(tmp_path_factory: pytest.TempPathFactory, trainee_lines: list[np.ndarray]) -> Path:
    parts = [np.zeros(int(LEAD_S * SR), np.int16)]
    for y in trainee_lines:
        parts += [y, np.zeros(int(GAP_S * SR), np.int16)]
    path = tmp_path_factory.mktemp("mic") / "trainee.wav"
    sf.write(path, np.concatenate(parts), SR, subtype="PCM_16")
    return path


def _shot(page: object, name: str) -> None:
    where = os.environ.get("VOICE_SIM_SCREENSHOTS")
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(where) / name), full_page=True)  # type: ignore[attr-defined]


def _correlation(a: np.ndarray, b: np.ndarray, lag: int) -> float:
    """Pearson correlation of level envelopes ``a[lag + i]`` and ``b[i]``."""
    x, y = a[lag:], b[: max(0, a.shape[0] - lag)]
    n = min(x.shape[0], y.shape[0])
    if n < 100 or x[:n].std() == 0 or y[:n].std() == 0:
        return 0.0
    return float(np.corrcoef(x[:n], y[:n])[0, 1])


def _best_lag(a: np.ndarray, b: np.ndarray, max_lag: int) -> tuple[int, float]:
    """The lag of ``b`` into ``a`` with the highest envelope correlation, and that correlation."""
    scores = [_correlation(a, b, lag) for lag in range(max_lag)]
    best = int(np.argmax(scores))
    return best, scores[best]


def test_a_practice_call_from_the_browser_is_recorded_scored_and_reviewed(
    practice_site: PracticeSite, mic_wav: Path
) -> None:
    with chromium(microphone=mic_wav) as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        # the pages' Content-Security-Policy must allow the worklet and the call socket
        errors = page_errors(page, console=csp_violation)
        log_in(page, practice_site.base, "sam", "trainee-pass-1")
        page.goto(practice_site.base + "/practice")
        page.check("input[value=angry-billing]")
        page.click("#call-button")
        page.wait_for_selector("#live-transcript li.trainee", timeout=90_000)
        # both lines said (or the customer hung up), then hang up
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if page.locator("#live-transcript li.trainee").count() >= 2:
                break
            if page.locator("#hangup").is_disabled():
                break
            time.sleep(0.5)
        assert page.locator("#live-transcript li.customer").count() >= 1
        assert page.inner_text("#mood-level") != "–"
        _shot(page, "practice-call.png")
        if not page.locator("#hangup").is_disabled():
            page.click("#hangup")
        page.wait_for_selector("#note-form:not([hidden])", timeout=60_000)
        page.fill("#note-text", NOTE)
        _shot(page, "practice-note.png")
        page.click("#note-save")
        page.wait_for_url(re.compile(r".*/sessions/\d+$"), timeout=300_000)
        assert page.locator("h2", has_text="Scorecard").count() == 1
        assert NOTE[:40] in page.inner_text("body")
        _shot(page, "practice-review.png")
        sid = int(page.url.rsplit("/", 1)[-1])
    assert not errors, errors

    folder = practice_site.folder(sid)
    assert (folder / "case_note.md").read_text(encoding="utf-8").strip() == NOTE
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["end_reason"] in ("trainee_hangup", "hangup")
    assert (folder / "scorecard.json").is_file()

    # channel 0 is the fake microphone (the WAV), channel 1 the customer
    rec, sr = sf.read(str(folder / "recording.wav"), dtype="int16")
    assert sr == SR and rec.shape[1] == 2
    wav, _ = sf.read(str(mic_wav), dtype="int16")
    mic_env = envelope(wav)
    ch0, ch1 = envelope(rec[:, 0]), envelope(rec[:, 1])
    # the call starts within 10 s of the microphone opening; at that offset the WAV is on
    # channel 0 and not on channel 1
    lag, r0 = _best_lag(mic_env, ch0, 10 * 50)
    assert r0 > 0.6
    assert _correlation(mic_env, ch1, lag) < 0.3
    assert (ch1 > -45).mean() > 0.1  # the customer spoke for a good part of the call

    events = [
        json.loads(x) for x in (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    said = " ".join(
        e["text"].lower() for e in events if e["type"] == "transcript" and e["speaker"] == "trainee"
    )
    words = {w for w in re.findall(r"[a-z']+", TRAINEE_LINES[0].lower()) if len(w) > 3}
    heard = {w for w in words if w in said}
    assert len(heard) >= 0.6 * len(words), (said, words)
