"""CSRF, the session cookie, login, escaping and path traversal, through the real app over HTTP.

Oracles: the rules of issue 8 (a state-changing request without the page's token is 403; no
path leaves the data directory) and HTTP's own cookie attributes."""

from __future__ import annotations

import os

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


@pytest.mark.parametrize("target", ["//evil.example/x", "http://evil.example/", "/\\evil.example"])
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


def test_failed_logins_slow_down() -> None:
    t = LoginThrottle(free=3, base_s=0.5, max_s=8.0)
    delays = []
    for _ in range(8):
        delays.append(t.delay_s("sam", "10.0.0.1"))
        t.failed("sam", "10.0.0.1")
    assert delays == [0, 0, 0, 0.5, 1.0, 2.0, 4.0, 8.0]
    assert t.delay_s("sam", "10.0.0.2") == 8.0  # the name is throttled from anywhere
    assert t.delay_s("other", "10.0.0.1") == 8.0  # the address is throttled too
    t.succeeded("sam", "10.0.0.1")
    assert t.delay_s("sam", "10.0.0.9") == 0


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
