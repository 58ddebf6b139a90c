"""The practice page with calls carried by LiveKit: the browser gets a room token that dispatches a
``voice-sim worker`` with the call's persona and trainee, and the page loads the livekit-client
bundle (built from npm, committed, served by the app: no CDN). No livekit-server runs here, so
the room connection itself is the deployment test's (README); here it fails and the page says so.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import ACCOUNTS, free_port

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
def livekit_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from voice_sim.store import Database, add_user
    from voice_sim.web import create_app
    from voice_sim.web.practice import PracticeService, PracticeSettings
    from voice_sim.web.views.practice import store_calls

    data_dir = tmp_path_factory.mktemp("livekit-site")
    db = Database.open(data_dir)
    with db.write() as s:
        role, teams, pw = ACCOUNTS["sam"]
        add_user(s, "sam", role, pw, teams)
    db.close()
    app = create_app(data_dir)
    vs = app.state.vs
    vs.extra["practice"] = PracticeService(
        data_dir,
        store=lambda call, folders: store_calls(vs, call, folders),
        settings=PracticeSettings(
            livekit_url=LIVEKIT_URL, livekit_api_key=KEY, livekit_api_secret=SECRET
        ),
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    t0 = time.monotonic()
    while not server.started:
        assert thread.is_alive() and time.monotonic() - t0 < 60
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def _login(base: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=30)
    token = c.get("/api/me").json()["csrf_token"]
    c.post("/login", data={"username": "sam", "password": ACCOUNTS["sam"][2], "csrf_token": token})
    return c


def test_a_call_is_a_room_token_that_dispatches_the_worker(livekit_site: str) -> None:
    import jwt
    from livekit import api

    c = _login(livekit_site)
    token = c.get("/api/me").json()["csrf_token"]
    r = c.post(
        "/practice/calls",
        data={"kind": "persona", "persona": "elderly-confused"},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert r.status_code == 200, r.text
    lk = r.json()["livekit"]
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
    g = c.post(
        "/practice/calls",
        data={"kind": "gauntlet", "personas": "elderly-confused,abusive-caller"},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    ).json()
    meta = json.loads(
        api.TokenVerifier(KEY, SECRET).verify(g["livekit"]["token"]).room_config.agents[0].metadata
    )
    assert meta["gauntlet"] == ["elderly-confused", "abusive-caller"] and g["calls"] == 2


def test_the_practice_page_may_connect_to_the_livekit_server_and_nowhere_else(
    livekit_site: str,
) -> None:
    csp = _login(livekit_site).get("/practice").headers["content-security-policy"]
    connect = next(d for d in csp.split(";") if d.strip().startswith("connect-src")).split()[1:]
    assert connect == ["'self'", "ws://127.0.0.1:9", "http://127.0.0.1:9"]


@pytest.mark.browser
def test_the_page_loads_the_bundle_and_says_when_the_room_cannot_be_reached(
    livekit_site: str,
) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
            ],
        )
        try:
            page = browser.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            # the page's Content-Security-Policy must let it reach the LiveKit server
            page.on(
                "console",
                lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
            )
            requested: list[str] = []
            page.on("request", lambda req: requested.append(req.url))
            page.goto(livekit_site + "/login")
            page.fill("input[name=username]", "sam")
            page.fill("input[name=password]", ACCOUNTS["sam"][2])
            page.click("button[type=submit]")
            page.goto(livekit_site + "/practice")
            assert page.evaluate("typeof window.VoiceSimLiveKitCall") == "function"
            page.click("#call-button")
            # a selector, not wait_for_function: its polling evals, which the page's CSP forbids
            page.wait_for_selector("#call-status:has-text('Could not connect')", timeout=30_000)
        finally:
            browser.close()
    assert not errors, errors
    # everything the page loaded came from the app itself (or the room it tried to reach)
    room = ("ws://127.0.0.1:9/", "http://127.0.0.1:9/")
    foreign = [u for u in requested if not u.startswith((livekit_site, *room))]
    assert not foreign, foreign
