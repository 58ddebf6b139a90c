"""CSRF, the session cookie, login, escaping and path traversal, through the real app over HTTP.

Oracles: the rules of issue 8 (a state-changing request without the page's token is 403; no
path leaves the data directory) and HTTP's own cookie attributes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from voice_sim.web.security import LoginThrottle

from .conftest import ACCOUNTS, Site


def _count(site: Site, table: str) -> int:
    import sqlite3

    with sqlite3.connect(site.data_dir / "voice-sim.db") as con:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# ----------------------------------------------------------------------------- CSRF


@pytest.mark.parametrize(
    ("path", "kw"),
    [
        ("/api/sessions/{sam1}/comments", {"json": {"t_s": 1, "text": "no token"}}),
        ("/sessions/{sam1}/comments", {"data": {"t_s": "1", "text": "no token"}}),
        ("/sessions/{sam1}/overrides", {"data": {"item": "diagnose", "score": "1", "reason": "x"}}),
        ("/api/uploads", {"files": {"file": ("a.wav", b"RIFF", "audio/wav")}}),
        ("/logout", {"data": {}}),
    ],
)
def test_state_changing_request_without_token_is_403(site: Site, path: str, kw: dict) -> None:
    c = site.client("casey")
    before = _count(site, "comments"), _count(site, "overrides"), _count(site, "jobs")
    r = c.post(path.replace("{sam1}", str(site.sessions["sam1"])), csrf=False, **kw)
    assert r.status_code == 403
    assert "CSRF" in r.text
    assert (_count(site, "comments"), _count(site, "overrides"), _count(site, "jobs")) == before
    assert c.get("/api/me").json()["user"]["name"] == "casey"  # the logout did not happen


def test_every_state_changing_route_needs_the_token(site: Site) -> None:
    """Every unsafe route the app has (read from its route table, so a new one is covered the
    day it is added), in each body encoding, is 403 without the token."""
    import importlib
    import re

    from voice_sim.web.app import VIEW_MODULES

    c = site.client("casey")
    bodies: list[dict[str, object]] = [
        {"json": {"t_s": 1, "text": "x"}},
        {"data": {"t_s": "1", "text": "x"}},
        {"files": {"file": ("a.wav", b"RIFF", "audio/wav")}, "data": {"text": "x"}},
        {"content": b"t_s=1&text=x", "headers": {"Content-Type": "text/plain"}},
    ]
    checked = 0
    for name in VIEW_MODULES:
        for route in importlib.import_module(f"voice_sim.web.views.{name}").routes:
            for method in set(getattr(route, "methods", None) or ()) - {"GET", "HEAD"}:
                path = re.sub(r"\{[^}]+\}", str(site.sessions["sam1"]), route.path)
                for kw in bodies:
                    r = c.http.request(method, path, **kw)  # type: ignore[arg-type]
                    assert r.status_code == 403 and "CSRF" in r.text, (method, path, kw)
                    checked += 1
    assert checked >= 4 * 7
    assert c.get("/api/me").json()["user"]["name"] == "casey"


def test_token_from_another_session_is_403(site: Site) -> None:
    a, b = site.client("casey"), site.client("ada")
    path = f"/api/sessions/{site.sessions['sam1']}/comments"
    r = a.post(path, csrf=False, json={"t_s": 1, "text": "x"}, headers={"X-CSRF-Token": b.csrf()})
    assert r.status_code == 403 and "invalid" in r.text


def test_garbage_token_is_403_not_an_error(site: Site) -> None:
    c = site.client("casey")
    r = c.post(
        f"/api/sessions/{site.sessions['sam1']}/comments",
        csrf=False,
        json={"t_s": 1, "text": "x"},
        headers={"X-CSRF-Token": "\u00e9\u00e9".encode("latin-1")},
    )
    assert r.status_code == 403


def test_token_as_form_field_works(site: Site) -> None:
    c = site.client("casey")
    sid = site.sessions["sam1"]
    r = c.post(
        f"/sessions/{sid}/comments",
        csrf=False,
        data={"csrf_token": c.csrf(), "t_s": "3", "text": "form token"},
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"/sessions/{sid}")
    texts = [x["text"] for x in c.get(f"/api/sessions/{sid}").json()["comments"]]
    assert "form token" in texts


def test_multipart_token_must_come_first(site: Site) -> None:
    c = site.client("casey")
    before = _count(site, "jobs")
    # token after the file: refused before the file is read
    files = [("file", ("a.wav", b"x" * 1000, "audio/wav")), ("csrf_token", (None, c.csrf()))]
    r = c.post("/api/uploads", csrf=False, files=files)
    assert r.status_code == 403
    # token first: accepted by CSRF (then refused by the upload checks: not audio)
    files = [
        ("csrf_token", (None, c.csrf())),
        ("trainee", (None, "sam")),
        ("file", ("a.wav", b"x" * 1000, "audio/wav")),
    ]
    r = c.post("/api/uploads", csrf=False, files=files)
    assert r.status_code == 415 and "not an audio file" in r.json()["error"]
    assert _count(site, "jobs") == before


def test_cross_origin_request_is_refused_even_with_token(site: Site) -> None:
    c = site.client("casey")
    r = c.post(
        f"/api/sessions/{site.sessions['sam1']}/comments",
        json={"t_s": 1, "text": "x"},
        headers={"Origin": "http://evil.example"},
    )
    assert r.status_code == 403 and "cross-origin" in r.text


# ----------------------------------------------------------------------------- cookie, login


def test_cookie_is_signed_httponly_samesite(site: Site) -> None:
    r = httpx.get(site.base + "/login")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("vs_session=")
    attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= attrs
    assert "samesite=lax" in cookie.lower()


def test_security_headers_on_every_answer(site: Site) -> None:
    c = site.client("sam")
    for path in (
        "/login",
        "/sessions",
        f"/sessions/{site.sessions['sam1']}",
        "/api/sessions",
        "/static/app.css",
    ):
        h = c.get(path).headers
        assert h["x-content-type-options"] == "nosniff", path
        assert h["x-frame-options"] == "DENY", path


def test_tampered_cookie_is_anonymous(site: Site) -> None:
    c = site.client("sam")
    value = c.http.cookies["vs_session"]
    body, mac = value.split(".")
    import base64
    import json

    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["u"] = 1  # try to become user 1 (the admin)
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    r = httpx.get(site.base + "/api/me", cookies={"vs_session": f"{forged}.{mac}"})
    assert r.json()["user"] is None


def test_the_login_is_looked_up_off_the_event_loop(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every request and call socket reads its login from the store; that read must not stall
    the event loop that carries the live calls' audio. The server runs in this process: the
    store lookup is wrapped to note whether an event loop runs in its thread."""
    import asyncio

    import voice_sim.web.app as app_module

    on_loop: list[bool] = []
    real = app_module.logged_in_user

    def spy(*args: object, **kw: object) -> object:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(app_module, "logged_in_user", spy)
    c = site.client("casey")
    assert c.get("/api/me").json()["user"]["name"] == "casey"
    assert on_loop and not any(on_loop), on_loop


def test_passwords_are_stored_as_scrypt_hashes(site: Site) -> None:
    import sqlite3

    with sqlite3.connect(site.data_dir / "voice-sim.db") as con:
        rows = dict(con.execute("SELECT name, password_hash FROM users").fetchall())
    for name, (_, _, password) in ACCOUNTS.items():
        assert rows[name].startswith("scrypt$") and password not in rows[name]


def test_wrong_password_then_right_one(site: Site) -> None:
    c = site.client()
    r = c.login("sam", "not-the-password")
    assert r.status_code == 401 and "Wrong user name or password" in r.text
    assert c.get("/api/me").json()["user"] is None
    r = c.login("sam", ACCOUNTS["sam"][2])
    assert r.status_code == 303
    assert c.get("/api/me").json()["user"]["name"] == "sam"


def test_login_rotates_the_session_nonce(site: Site) -> None:
    c = site.client()
    before = c.csrf()
    c.login("sam", ACCOUNTS["sam"][2])
    assert c.csrf() != before  # a token planted before login is worth nothing after it


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "http://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",  # browsers drop tabs and newlines: this would be //evil.example
        "/\n/evil.example",
        "https:evil.example",
        "\\\\evil.example",
        " //evil.example",
    ],
)
def test_login_never_redirects_off_site(site: Site, target: str) -> None:
    c = site.client()
    r = c.http.post(
        "/login",
        data={
            "username": "sam",
            "password": ACCOUNTS["sam"][2],
            "next": target,
            "csrf_token": c.csrf(),
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/sessions"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_logins_lock_for_longer_each_time() -> None:
    """Every attempt counts as a failure until it succeeds (so attempts made at once are all
    counted); after ``free`` of them the name and the address are locked, twice as long each
    time up to ``max_s``."""
    clock = FakeClock()
    t = LoginThrottle(free=3, base_s=0.5, max_s=8.0, clock=clock)
    locks = []
    for _ in range(8):
        clock.now += locks[-1] if locks else 0
        assert t.attempt("sam", "10.0.0.1") == 0  # allowed: the lock (if any) has passed
        locks.append(t.locked_s("sam", "10.0.0.1"))
    assert locks == [0, 0, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert t.attempt("sam", "10.0.0.2") == 8.0  # the name is locked from anywhere
    assert t.attempt("other", "10.0.0.1") == 8.0  # and the address for any name
    clock.now += 8.0
    assert t.attempt("sam", "10.0.0.9") == 0
    t.succeeded("sam", "10.0.0.9")
    assert t.locked_s("sam", "10.0.0.3") == 0 and t.locked_s("x", "10.0.0.9") == 0


def test_failures_are_forgotten_after_the_window() -> None:
    clock = FakeClock()
    t = LoginThrottle(free=3, base_s=0.5, max_s=8.0, clock=clock, window_s=900)
    for _ in range(2):
        t.attempt("sam", "10.0.0.1")
    clock.now += 901
    t.attempt("sam", "10.0.0.1")
    assert t.locked_s("sam", "10.0.0.1") == 0  # one recent failure, not three


def test_a_spray_of_names_does_not_unlock_an_account() -> None:
    """Memory stays bounded under a spray of names and addresses, but a lock in force is not
    what gets forgotten."""
    clock = FakeClock()
    t = LoginThrottle(free=3, base_s=60, max_s=60, clock=clock, max_keys=50)
    for _ in range(3):
        t.attempt("sam", "10.0.0.1")
    assert t.locked_s("sam", "10.9.9.9") > 0
    for i in range(500):
        t.attempt(f"user{i}", f"10.1.{i // 250}.{i % 250}")
    assert t.locked_s("sam", "10.9.9.9") > 0
    assert len(t) <= 50


def test_ipv6_addresses_are_throttled_by_their_64_prefix() -> None:
    """One IPv6 host has a whole /64 to rotate through."""
    t = LoginThrottle(free=3, base_s=1, max_s=8, clock=FakeClock())
    for i in range(3):
        t.attempt(f"name{i}", f"2001:db8:1:2::{i + 1:x}")
    assert t.locked_s("another", "2001:db8:1:2:ffff::9") > 0
    assert t.locked_s("another", "2001:db8:1:3::1") == 0


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server with the login slow-down on: 3 free failures, then a 60 s lock (no test waits
    for it: each starts with a fresh throttle)."""
    from voice_sim.store import Database, WebSettings, add_user

    from .conftest import serve

    data = tmp_path_factory.mktemp("guarded")
    db = Database.open(data)
    with db.write() as s:
        add_user(s, "sam", "trainee", ACCOUNTS["sam"][2])
        add_user(s, "eve", "trainee", "eve-pass-12")
    db.close()
    settings = WebSettings(login_free_failures=3, login_base_delay_s=60, login_max_delay_s=60)
    with serve(data, settings) as (base, app):
        yield Site(base, data, app=app)


@pytest.fixture
def throttled(guarded: Site) -> Site:
    vs = guarded.app.state.vs
    vs.throttle = LoginThrottle(3, 60, 60)
    return guarded


def _login_status(site: Site, name: str, password: str) -> int:
    c = site.client()
    return c.login(name, password).status_code


def test_parallel_guesses_are_refused_not_checked(throttled: Site) -> None:
    """A slow-down that only delays answers is no limit when the guesses come all at once:
    after the free failures every attempt is refused (429) without a password check, the
    right password included, until the lock ends."""
    from concurrent.futures import ThreadPoolExecutor

    clients = [throttled.client() for _ in range(10)]
    tokens = [c.csrf() for c in clients]

    def guess(i: int) -> int:
        data = {"username": "sam", "password": f"guess-{i}", "csrf_token": tokens[i]}
        return clients[i].http.post("/login", data=data).status_code

    with ThreadPoolExecutor(10) as pool:
        got = list(pool.map(guess, range(10)))
    assert got.count(401) <= 3 and got.count(429) == 10 - got.count(401), got
    r = throttled.client().login("sam", ACCOUNTS["sam"][2])
    assert r.status_code == 429 and "retry-after" in r.headers
    assert "Too many failed logins" in r.text


def test_logging_in_to_ones_own_account_does_not_reset_the_address(throttled: Site) -> None:
    """A password sprayer with an account of their own must not clear their address's count
    by logging in between guesses."""
    assert _login_status(throttled, "amy", "guess-1") == 401
    assert _login_status(throttled, "bob", "guess-2") == 401
    assert _login_status(throttled, "eve", "eve-pass-12") == 303
    assert _login_status(throttled, "cat", "guess-3") == 401
    assert _login_status(throttled, "dan", "guess-4") == 429


# ----------------------------------------------------------------------------- escaping


def test_comments_are_escaped(site: Site) -> None:
    c = site.client("casey")
    sid = site.sessions["sam2"]
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert c.post(f"/api/sessions/{sid}/comments", json={"t_s": 1, "text": evil}).status_code == 201
    html = c.get(f"/sessions/{sid}").text
    assert evil not in html
    assert "&lt;script&gt;alert(" in html


# ----------------------------------------------------------------------------- traversal


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2Fvoice-sim.db",
        "..%2Fsam2%2Fmeta.json",
        "%2Fetc%2Fpasswd",
        "..",
        "....%2F%2Fsecret_key",
        "%2E%2E%2Fsecret_key",
        "sub%5C..%5Csecret_key",
        ".hidden",
        "recording.wav%00.json",
    ],
)
def test_file_names_that_leave_the_folder_are_refused(site: Site, name: str) -> None:
    c = site.client("ada")
    status, body = raw_get(
        site, f"/sessions/{site.sessions['sam1']}/files/{name}", c.http.cookies["vs_session"]
    )
    assert status in (400, 404)
    assert b"SQLite" not in body and b"root:" not in body


def raw_get(site: Site, path: str, cookie: str | None = None) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (an HTTP client library would normalize ``..`` away)."""
    import http.client
    from urllib.parse import urlsplit

    u = urlsplit(site.base)
    con = http.client.HTTPConnection(u.hostname or "", u.port, timeout=30)
    con.request("GET", path, headers={"Cookie": f"vs_session={cookie}"} if cookie else {})
    r = con.getresponse()
    out = r.status, r.read()
    con.close()
    return out


def test_symlink_out_of_the_session_folder_is_refused(site: Site) -> None:
    folder = site.data_dir / "sessions" / "sam1"
    link = folder / "case_note.md"
    os.symlink(site.data_dir / "secret_key", link)
    try:
        c = site.client("ada")
        r = c.get(f"/sessions/{site.sessions['sam1']}/files/case_note.md")
        assert r.status_code == 403 and "outside" in r.text
        page = c.get(f"/sessions/{site.sessions['sam1']}").text
        secret = (site.data_dir / "secret_key").read_text()
        assert secret not in page  # the case note shown on the page is not followed either
    finally:
        link.unlink()


def test_static_files_stay_in_the_package(site: Site) -> None:
    for path in (
        "/static/..%2F..%2Fstore%2Fdb.py",
        "/static/../app.py",
        "/static/%2Fetc%2Fpasswd",
        "/static/../../store/db.py",
    ):
        status, body = raw_get(site, path)
        assert status == 404, path
        assert b"import" not in body


def test_a_cookie_planted_before_login_stays_anonymous(site: Site) -> None:
    """Session fixation: an attacker who plants their cookie in the victim's browser gains
    nothing when the victim logs in: the login answers with a new cookie."""
    planted = httpx.get(site.base + "/login").cookies["vs_session"]
    victim = httpx.Client(base_url=site.base, cookies={"vs_session": planted})
    token = victim.get("/api/me").json()["csrf_token"]
    r = victim.post(
        "/login",
        data={"username": "sam", "password": ACCOUNTS["sam"][2], "csrf_token": token},
    )
    assert r.status_code == 303
    assert r.cookies["vs_session"] != planted
    r = httpx.get(site.base + "/api/me", cookies={"vs_session": planted})
    assert r.json()["user"] is None


def test_logout_ends_the_session_for_a_copied_cookie(site: Site) -> None:
    """A cookie copied while logged in (a shared computer, a leaked log) is worth nothing once
    its owner logs out: the server forgets the login, not only the browser."""
    c = site.client("sam")
    copied = c.http.cookies["vs_session"]
    assert c.post("/logout", data={}).status_code == 303
    r = httpx.get(site.base + "/api/me", cookies={"vs_session": copied})
    assert r.json()["user"] is None
    r = httpx.get(site.base + "/sessions", cookies={"vs_session": copied})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# ----------------------------------------------------------------------------- request bodies


def _anon_with_token(site: Site) -> httpx.Client:
    c = httpx.Client(base_url=site.base, timeout=60)
    c.headers["X-CSRF-Token"] = c.get("/api/me").json()["csrf_token"]
    return c


def test_an_oversized_form_is_refused_before_it_is_read(site: Site) -> None:
    """Anyone can get a CSRF token, so the body limit cannot wait for the login: a 4 MB login
    form is 413, whether it says its length up front or streams in chunks."""
    c = _anon_with_token(site)
    big = {"username": "sam", "password": "x", "pad": "y" * (4 * 1024 * 1024)}
    assert c.post("/login", data=big).status_code == 413

    def chunks() -> Iterator[bytes]:
        yield b"username=sam&password=x&pad="
        for _ in range(64):
            yield b"y" * 65536

    r = c.post(
        "/login",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413


def test_an_oversized_json_body_is_413(site: Site) -> None:
    c = site.client("casey")
    r = c.post(
        f"/api/sessions/{site.sessions['sam1']}/comments",
        json={"t_s": 1, "text": "z" * (2 * 1024 * 1024)},
    )
    assert r.status_code == 413


def test_deeply_nested_json_is_a_400_not_a_server_error(site: Site) -> None:
    c = site.client("casey")
    r = c.post(
        f"/api/sessions/{site.sessions['sam1']}/comments",
        content=b"[" * 60_000,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400 and "JSON" in r.json()["error"]


# ----------------------------------------------------------------------------- headers


def test_private_answers_are_not_cached(site: Site) -> None:
    """Back after logout, or a shared proxy, must not show a trainee's calls from a cache."""
    c = site.client("sam")
    sid = site.sessions["sam1"]
    for path in ("/sessions", f"/sessions/{sid}", "/api/sessions", f"/sessions/{sid}/recording"):
        assert "no-store" in c.get(path).headers.get("cache-control", ""), path


def _csp(headers: httpx.Headers) -> dict[str, str]:
    out = {}
    for part in headers["content-security-policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        out[name] = value
    return out


def test_pages_carry_a_strict_content_security_policy(site: Site) -> None:
    c = site.client("casey")
    sid = site.sessions["sam1"]
    for path in ("/login", "/sessions", f"/sessions/{sid}", "/upload", "/practice"):
        csp = _csp(c.get(path).headers)
        assert csp["default-src"] == "'self'", path
        assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'", path
        assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'", path
        assert csp["base-uri"] == "'none'" and csp["form-action"] == "'self'", path
        assert csp["connect-src"] == "'self'", path  # the call socket is same-origin
    # the report runs its own inline script, in a sandbox: an opaque origin, no cookies
    (site.data_dir / "sessions" / "sam1" / "report.html").write_text("<p>report</p>")
    report = c.get(f"/sessions/{sid}/files/report.html").headers["content-security-policy"]
    assert "sandbox" in report and "allow-same-origin" not in report


def test_pages_need_no_inline_script_or_style(site: Site) -> None:
    """What the policy forbids is not in the pages: no inline script (JSON data blocks are not
    scripts), no event-handler or style attributes."""
    import re

    c = site.client("casey")
    paths = [
        f"/sessions/{site.sessions['sam1']}",
        f"/sessions/{site.sessions['sam_g1']}",
        "/sessions",
        f"/trainees/{site.trainees['sam']}",
        f"/teams/{site.teams['red']}",
        "/teams",
        "/upload",
        "/practice",
        "/login",
    ]
    for path in paths:
        html = c.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"\s(on[a-z]+|style)\s*=", html), path


# ----------------------------------------------------------------------------- errors


def test_a_server_error_shows_no_traceback_or_detail(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server runs in this process: a store function is made to fail (a stand-in for any
    bug) and the answer must say nothing of it."""
    import voice_sim.web.views.api as api_views
    import voice_sim.web.views.sessions as list_views

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("/srv/secret/path leaked in a message")

    monkeypatch.setattr(list_views, "list_sessions", boom)
    monkeypatch.setattr(api_views, "list_sessions", boom)
    c = site.client("ada")
    for path in ("/sessions", "/api/sessions"):
        r = c.get(path)
        assert r.status_code == 500, path
        assert "secret" not in r.text and "Traceback" not in r.text and "File " not in r.text
    assert c.get("/api/sessions").json()["error"]


@pytest.mark.parametrize(
    "query", ["date_to=9999-12-31", "date_from=9999-12-31", "date_from=0001-01-01"]
)
def test_extreme_dates_are_not_a_server_error(site: Site, query: str) -> None:
    c = site.client("ada")
    assert c.get("/api/sessions?" + query).status_code in (200, 400)
    assert c.get("/sessions?" + query).status_code in (200, 400)


def test_session_page_shows_no_text_from_the_url(site: Site) -> None:
    """A link with ``?error=...`` must not put an attacker's words on our page (a phishing
    line under our banner); a refused override still says why."""
    c = site.client("casey")
    sid = site.sessions["sam1"]
    html = c.get(f"/sessions/{sid}?error=Your+account+is+locked,+call+555-0100").text
    assert "555-0100" not in html
    r = c.post(
        f"/sessions/{sid}/overrides", data={"item": "diagnose", "score": "99", "reason": "x"}
    )
    assert r.status_code == 400 and "score: expected 0 to 12" in r.text


@pytest.mark.parametrize("key", ["short", "x" * 31])
def test_a_short_signing_key_from_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """Anyone who guesses the key can sign a cookie as the admin."""
    from voice_sim.errors import VoiceSimError
    from voice_sim.web.security import load_secret

    monkeypatch.setenv("VOICE_SIM_WEB_SECRET_KEY", key)
    with pytest.raises(VoiceSimError, match="at least 32 characters"):
        load_secret(tmp_path)


def test_a_damaged_key_file_is_a_one_line_error(tmp_path: Path) -> None:
    from voice_sim.errors import VoiceSimError
    from voice_sim.web.security import load_secret

    (tmp_path / "secret_key").write_text("not hex at all")
    with pytest.raises(VoiceSimError, match="secret_key: not a hex secret key"):
        load_secret(tmp_path)
    (tmp_path / "secret_key").write_text("abcd")
    with pytest.raises(VoiceSimError, match="secret_key: too short"):
        load_secret(tmp_path)


def test_a_new_key_file_is_private(tmp_path: Path) -> None:
    from voice_sim.web.security import load_secret

    key = load_secret(tmp_path)
    assert len(key) == 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_behind_https_cookies_are_secure_and_https_is_pinned(tmp_path: Path) -> None:
    from voice_sim.store import WebSettings

    from .conftest import serve

    with serve(tmp_path, WebSettings(secure_cookies=True)) as (base, _):
        r = httpx.get(base + "/login")
    assert "; Secure" in r.headers["set-cookie"]
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_over_plain_http_no_https_pin_is_sent(site: Site) -> None:
    """Pinning HTTPS on a server that has none would lock its users out."""
    assert "strict-transport-security" not in httpx.get(site.base + "/login").headers
