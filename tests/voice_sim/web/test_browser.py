"""End to end in headless Debian chromium (Playwright) against the real server: a coach logs in,
filters, opens a session, clicks an interruption marker and the player seeks there, comments at
that time, overrides an item, reloads and sees both; a trainee sees only their own sessions; a
recording uploaded from the page is analysed, scored and opened.

The README's screenshots of the session, trainee and team pages are taken here: set
``VOICE_SIM_SCREENSHOTS=docs/screenshots`` to write them into the repository."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium, log_in, needs_chromium, page_errors
from tests.support.speech_calls import write_call

from .conftest import ACCOUNTS, Site, fill_store, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The server over the fixture store plus one real call of sam's (Piper speech, analysed
    and scored by the real pipeline), upload jobs running."""
    from voice_sim.store import Database, WebSettings, store_session
    from voice_sim.store.ingest import ImportItem, _init_worker, process_item
    from voice_sim.store.register import sha256_file

    data = tmp_path_factory.mktemp("live")
    got = fill_store(data)
    wav, _ = write_call(tmp_path_factory.mktemp("src") / "sam-real-call.wav", variant=7)
    _init_worker(2)
    rec = process_item(ImportItem(wav), data, sha256_file(wav), "angry-billing")
    db = Database.open(data)
    got["sessions"]["real"], _ = store_session(db, rec, trainee="sam", source="import")
    with serve(data, WebSettings(login_free_failures=1000), db=db) as (base, _app):
        yield Site(base, data, **got)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page_for(browser: Any, live: Site) -> Iterator[Any]:
    """page_for(user) -> a logged-in page that records JavaScript errors in ``page.errors``."""
    contexts = []

    def make(user: str) -> Any:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = page_errors(page)
        log_in(page, live.base, user, ACCOUNTS[user][2])
        page.wait_for_url("**/sessions")
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def _until(page: Any, expression: str, timeout_s: float = 30.0) -> None:
    """Wait until ``expression`` is true in the page. Not ``wait_for_function``: its polling
    evaluates a string inside the page, which the app's Content-Security-Policy forbids (as it
    should); ``evaluate`` goes through the DevTools protocol instead."""
    import time

    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s:g} s: {expression}")
        time.sleep(0.05)


def _shot(page: Any, name: str, tmp: Path) -> None:
    out = Path(os.environ.get("VOICE_SIM_SCREENSHOTS") or tmp)
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}.png"), full_page=False)


def test_coach_reviews_a_call(page_for: Any, live: Site, tmp_path: Path) -> None:
    page = page_for("casey")
    # filter the list to sam's calls
    page.select_option("select[name=trainee]", "sam")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**trainee=sam**")
    trainees = page.locator("table.sessions tbody td:nth-child(2)").all_inner_texts()
    assert trainees and set(trainees) == {"sam"}
    # open the real call (the newest of sam's; the list is newest first)
    sid = live.sessions["real"]
    page.click(f"a[href='/sessions/{sid}']")
    page.wait_for_url(f"**/sessions/{sid}")
    _until(page, "document.getElementById('player').readyState >= 1")
    marker = page.locator(".marker.interruption").first
    t = float(marker.get_attribute("data-t"))
    marker.click()
    _until(page, f"Math.abs(document.getElementById('player').currentTime - {t}) < 0.05")
    assert float(page.input_value("#comment-t")) == pytest.approx(t, abs=0.01)
    page.fill("#comment-text", "You cut her off here: let her finish the sentence.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(f"**/sessions/{sid}**")
    # override an item with a reason
    row = page.locator("tr#item-acknowledge")
    row.locator("summary").click()
    row.locator("input[name=score]").fill("5")
    row.locator("input[name=reason]").fill("She named the double charge, in other words.")
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"**/sessions/{sid}**")
    page.reload()
    comments = page.locator(".comments li").all_inner_texts()
    assert any("You cut her off here" in c and "casey" in c for c in comments)
    assert page.locator(f".marker.comment[data-t='{t:.2f}']").count() == 1
    row = page.locator("tr#item-acknowledge")
    assert row.locator(".original").count() == 1  # the scored value, struck through
    assert row.locator(".overridden").inner_text().strip() == "5"
    assert "in other words" in row.locator(".override-note").inner_text()
    assert page.locator(".adjusted").count() == 1  # both overall scores shown
    assert page.errors == []
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "session", tmp_path)
    page.goto(f"{live.base}/trainees/{live.trainees['sam']}")
    assert page.locator("svg.chart").count() >= 4
    _shot(page, "trainee", tmp_path)
    page.goto(f"{live.base}/teams/{live.teams['red']}")
    assert "sam" in page.locator("table.team").inner_text()
    page.click("table.team th >> text=Pitch drift")
    page.wait_for_url("**sort=pitch**")
    _shot(page, "team", tmp_path)
    assert page.errors == []


def test_trainee_sees_only_their_own(page_for: Any, live: Site) -> None:
    page = page_for("kim")
    names = set(page.locator("table.sessions tbody td:nth-child(2)").all_inner_texts())
    assert names == {"kim"}
    page.goto(f"{live.base}/sessions/{live.sessions['sam1']}")
    assert "404" in page.locator("h1").inner_text()
    assert page.locator("a[href='/upload']").count() == 0
    # the 404 itself is the only resource that failed; no script error
    assert [e for e in page.errors if "404" not in e] == []


def test_coach_uploads_a_recording_and_sees_it_scored(
    page_for: Any, live: Site, tmp_path: Path
) -> None:
    wav, _ = write_call(tmp_path / "agent-call.wav", variant=9)
    page = page_for("casey")
    page.click("nav >> text=Upload")
    page.fill("input[name=trainee]", "sam")
    page.select_option("select[name=team]", "red")
    page.set_input_files("#file", str(wav))
    page.click("#upload-form button[type=submit]")
    item = page.locator("#uploads li").first
    item.locator("a", has_text="open").wait_for(timeout=240_000)
    assert "scored" in item.inner_text()
    item.locator("a", has_text="open").click()
    page.wait_for_url("**/sessions/*")
    assert page.locator(".overall .score.big").first.inner_text().strip().isdigit()
    assert page.locator(".turn").count() >= 3  # the transcript of the uploaded call
    assert page.errors == []
