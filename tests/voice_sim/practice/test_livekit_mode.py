"""The practice page with calls carried by LiveKit: the browser gets a room token that dispatches a
``voice-sim worker`` with the call's persona and trainee, and the page loads the livekit-client
bundle (built from npm, committed, served by the app: no CDN). No livekit-server runs here, so
the room connection itself is the deployment test's (README); here it fails and the page says so.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium, csp_violation, log_in, page_errors

from .conftest import ACCOUNTS, PracticeSite, run_site

ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "voice_sim" / "web" / "static" / "call" / "livekit-call.js"
KEY, SECRET = "devkey", "a-secret-of-at-least-thirty-two-characters"
LIVEKIT_URL = "ws://127.0.0.1:9"  # nothing listens: the connection fails at once


def test_the_committed_bundle_was_built_from_the_committed_sources() -> None:
    head = BUNDLE.read_text(encoding="utf-8")[:300]
    m = re.search(r"inputs sha256 ([0-9a-f]{64})", head)
    assert m, "livekit-call.js has no build banner: run `cd frontend && node build.mjs`"
    h = hashlib.sha256()
    for name in ("src/livekit-call.js", "package-lock.json"):
        h.update((ROOT / "frontend" / name).read_bytes())
    assert m.group(1) == h.hexdigest(), "frontend sources changed: rebuild livekit-call.js"
    licences = (BUNDLE.parent / "livekit-call.LICENSES.txt").read_text(encoding="utf-8")
    assert "livekit-client" in licences and "GPL" not in licences


@pytest.fixture(scope="module")
def livekit_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PracticeSite]:
    from voice_sim.web.practice import PracticeSettings

    settings = PracticeSettings(
        livekit_url=LIVEKIT_URL, livekit_api_key=KEY, livekit_api_secret=SECRET
    )
    data_dir = tmp_path_factory.mktemp("livekit-site")
    with run_site(data_dir, settings, {"sam": ACCOUNTS["sam"]}) as site:
        yield site


def test_a_call_is_a_room_token_that_dispatches_the_worker(livekit_site: PracticeSite) -> None:
    import jwt
    from livekit import api

    c = livekit_site.client("sam")
    lk: Any = livekit_site.new_call(c, "elderly-confused")["livekit"]
    assert lk["url"] == LIVEKIT_URL
    claims = api.TokenVerifier(KEY, SECRET).verify(lk["token"])
    assert claims.video.room == lk["room"] and claims.video.room_join
    assert claims.video.can_publish and claims.video.can_publish_data
    (dispatch,) = claims.room_config.agents
    assert dispatch.agent_name == "voice-sim"
    assert json.loads(dispatch.metadata) == {"trainee": "sam", "persona": "elderly-confused"}
    # a token signed with another secret is not one of ours
    with pytest.raises(jwt.InvalidSignatureError):
        api.TokenVerifier(KEY, SECRET + "x").verify(lk["token"])
    g: Any = livekit_site.new_call(c, gauntlet="elderly-confused,abusive-caller")
    meta = json.loads(
        api.TokenVerifier(KEY, SECRET).verify(g["livekit"]["token"]).room_config.agents[0].metadata
    )
    assert meta["gauntlet"] == ["elderly-confused", "abusive-caller"] and g["calls"] == 2


def test_the_practice_page_may_connect_to_the_livekit_server_and_nowhere_else(
    livekit_site: PracticeSite,
) -> None:
    csp = livekit_site.client("sam").get("/practice").headers["content-security-policy"]
    connect = next(d for d in csp.split(";") if d.strip().startswith("connect-src")).split()[1:]
    assert connect == ["'self'", "ws://127.0.0.1:9", "http://127.0.0.1:9"]


@pytest.mark.browser
def test_the_page_loads_the_bundle_and_says_when_the_room_cannot_be_reached(
    livekit_site: PracticeSite,
) -> None:
    with chromium(fake_media=True) as browser:
        page = browser.new_page()
        # the page's Content-Security-Policy must let it reach the LiveKit server
        errors = page_errors(page, console=csp_violation)
        requested: list[str] = []
        page.on("request", lambda req: requested.append(req.url))
        log_in(page, livekit_site.base, "sam", ACCOUNTS["sam"][2])
        page.goto(livekit_site.base + "/practice")
        assert page.evaluate("typeof window.VoiceSimLiveKitCall") == "function"
        page.click("#call-button")
        # a selector, not wait_for_function: its polling evals, which the page's CSP forbids
        page.wait_for_selector("#call-status:has-text('Could not connect')", timeout=30_000)
    assert not errors, errors
    # everything the page loaded came from the app itself (or the room it tried to reach)
    room = ("ws://127.0.0.1:9/", "http://127.0.0.1:9/")
    foreign = [u for u in requested if not u.startswith((livekit_site.base, *room))]
    assert not foreign, foreign
