"""The role matrix: every page and API route, for anonymous, admin, both coaches and both
trainees, through the real app over HTTP. Oracle: the access rules of issue 8 (a trainee sees
only their own sessions and anyone else's is 404; a coach sees the teams they coach)."""

from __future__ import annotations

import importlib
import re

import pytest

from voice_sim.web.app import VIEW_MODULES

from .conftest import Client, Site

WHO = ("anon", "ada", "casey", "blake", "sam", "kim")
LOGIN = "login"  # a redirect to /login
OK_REDIRECT = "back"  # a redirect that is not to /login (the form's success)

# (method, path template, body kind, expected per WHO). {sam1} etc. are session ids,
# {t:sam} trainee ids, {team:red} team ids.
MATRIX: list[tuple[str, str, str | None, tuple[object, ...]]] = [
    ("GET", "/", None, (303, 303, 303, 303, 303, 303)),
    ("GET", "/login", None, (200, 303, 303, 303, 303, 303)),
    ("POST", "/login", "login", (401, 401, 401, 401, 401, 401)),
    ("POST", "/logout", "form", (303, 303, 303, 303, 303, 303)),
    ("GET", "/sessions", None, (LOGIN, 200, 200, 200, 200, 200)),
    ("GET", "/sessions.csv", None, (LOGIN, 200, 200, 200, 200, 200)),
    ("GET", "/sessions/{sam1}", None, (LOGIN, 200, 200, 404, 200, 404)),
    ("GET", "/sessions/{kim1}", None, (LOGIN, 200, 404, 200, 404, 200)),
    ("GET", "/sessions/{sam1}/recording", None, (LOGIN, 200, 200, 404, 200, 404)),
    ("GET", "/sessions/{kim1}/recording", None, (LOGIN, 200, 404, 200, 404, 200)),
    ("GET", "/sessions/{sam1}/files/scorecard.json", None, (LOGIN, 200, 200, 404, 200, 404)),
    ("GET", "/sessions/{kim1}/files/meta.json", None, (LOGIN, 200, 404, 200, 404, 200)),
    (
        "POST",
        "/sessions/{sam1}/comments",
        "comment",
        (LOGIN, OK_REDIRECT, OK_REDIRECT, 404, OK_REDIRECT, 404),
    ),
    (
        "POST",
        "/sessions/{kim1}/comments",
        "comment",
        (LOGIN, OK_REDIRECT, 404, OK_REDIRECT, 404, OK_REDIRECT),
    ),
    (
        "POST",
        "/sessions/{sam1}/overrides",
        "override",
        (LOGIN, OK_REDIRECT, OK_REDIRECT, 404, 403, 404),
    ),
    (
        "POST",
        "/sessions/{kim1}/overrides",
        "override",
        (LOGIN, OK_REDIRECT, 404, OK_REDIRECT, 404, 403),
    ),
    ("GET", "/trainees/{t:sam}", None, (LOGIN, 200, 200, 404, 200, 404)),
    ("GET", "/trainees/{t:kim}", None, (LOGIN, 200, 404, 200, 404, 200)),
    ("GET", "/teams", None, (LOGIN, 200, 200, 200, 403, 403)),
    ("GET", "/teams/{team:red}", None, (LOGIN, 200, 200, 404, 404, 404)),
    ("GET", "/teams/{team:blue}", None, (LOGIN, 200, 404, 200, 404, 404)),
    ("GET", "/upload", None, (LOGIN, 200, 200, 200, 403, 403)),
    ("GET", "/api/me", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/sessions", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/sessions/{sam1}", None, (401, 200, 200, 404, 200, 404)),
    ("GET", "/api/sessions/{kim1}", None, (401, 200, 404, 200, 404, 200)),
    ("POST", "/api/sessions/{sam1}/comments", "json_comment", (401, 201, 201, 404, 201, 404)),
    ("POST", "/api/sessions/{kim1}/comments", "json_comment", (401, 201, 404, 201, 404, 201)),
    ("POST", "/api/sessions/{sam1}/overrides", "json_override", (401, 201, 201, 404, 403, 404)),
    ("POST", "/api/sessions/{kim1}/overrides", "json_override", (401, 201, 404, 201, 404, 403)),
    # an empty file: staff get the upload checks' 400, the others never reach them
    ("POST", "/api/uploads", "empty_upload", (401, 400, 400, 400, 403, 403)),
    ("GET", "/api/jobs/{job}", None, (401, 200, 404, 404, 404, 404)),
    # practice calls are their maker's alone (sam made {call}); the call socket's own checks
    # are in tests/voice_sim/practice/test_call_socket.py
    ("GET", "/practice", None, (LOGIN, 200, 200, 200, 200, 200)),
    ("POST", "/practice/calls", "practice_call", (LOGIN, *[OK_REDIRECT] * 5)),
    ("GET", "/practice/calls/{call}", None, (LOGIN, 404, 404, 404, 200, 404)),
    ("POST", "/practice/calls/{call}/notes/1", "json_note", (LOGIN, 404, 404, 404, 200, 404)),
    ("GET", "/practice/calls/{call}/status", None, (LOGIN, 404, 404, 404, 200, 404)),
    ("GET", "/practice/calls/{call}/scorecard", None, (LOGIN, 404, 404, 404, 404, 404)),
    # staff only (team 0 does not exist: the staff get the form's error, back to the page)
    ("POST", "/practice/assignments", "assignment", (LOGIN, *[OK_REDIRECT] * 3, 403, 403)),
    ("POST", "/practice/assignments/999999/delete", "form", (LOGIN, 404, 404, 404, 403, 403)),
]


def _path(site: Site, template: str, job_id: int, call_id: str = "") -> str:
    out = template.replace("{job}", str(job_id)).replace("{call}", call_id)
    for label, sid in site.sessions.items():
        out = out.replace("{" + label + "}", str(sid))
    for name, tid in site.trainees.items():
        out = out.replace("{t:" + name + "}", str(tid))
    for name, tid in site.teams.items():
        out = out.replace("{team:" + name + "}", str(tid))
    assert "{" not in out, out
    return out


def _body(kind: str | None) -> dict[str, object]:
    if kind == "login":
        return {"data": {"username": "ada", "password": "wrong-password"}}
    if kind == "form":
        return {"data": {}}
    if kind == "comment":
        return {"data": {"t_s": "1.5", "text": "matrix comment"}}
    if kind == "override":
        return {"data": {"item": "acknowledge", "score": "8", "reason": "matrix override"}}
    if kind == "json_comment":
        return {"json": {"t_s": 2.0, "text": "api matrix comment"}}
    if kind == "json_override":
        return {"json": {"item": "diagnose", "score": 6, "reason": "api matrix override"}}
    if kind == "practice_call":
        return {"data": {"kind": "persona", "persona": "angry-billing"}}
    if kind == "assignment":
        return {"data": {"name": "matrix", "team": "0", "persona": "angry-billing"}}
    if kind == "json_note":
        return {"json": {"skip": True}}
    if kind == "empty_upload":
        return {
            "files": {"file": ("empty.wav", b"", "audio/wav")},
            "data": {"trainee": "sam", "team": "red"},
        }
    return {}


@pytest.fixture(scope="module")
def job_id(site: Site) -> int:
    """A job of the admin's: a duplicate upload answers at once with a finished job."""
    c = site.client("ada")
    rec = (site.data_dir / "sessions" / "sam1" / "recording.wav").read_bytes()
    r = c.post(
        "/api/uploads", files={"file": ("dup.wav", rec, "audio/wav")}, data={"trainee": "sam"}
    )
    assert r.status_code == 200, r.text
    job = r.json()["job"]
    assert job["status"] == "done" and job["session_id"] == site.sessions["sam1"]
    return int(job["id"])


@pytest.fixture(scope="module")
def call_id(site: Site) -> str:
    """A practice call of sam's (created, never joined: no models load)."""
    c = site.client("sam")
    r = c.post(
        "/practice/calls",
        data={"kind": "persona", "persona": "angry-billing"},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


@pytest.fixture(scope="module")
def clients(site: Site) -> dict[str, Client]:
    """One logged-in client per role (scrypt makes each login cost 0.2 s)."""
    return {who: site.client(None if who == "anon" else who) for who in WHO}


@pytest.mark.parametrize(
    ("method", "template", "kind", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_role_matrix(
    site: Site,
    clients: dict[str, Client],
    job_id: int,
    call_id: str,
    method: str,
    template: str,
    kind: str | None,
    expected: tuple[object, ...],
) -> None:
    path = _path(site, template, job_id, call_id)
    got = []
    for who in WHO:
        # logging out ends the session: a client of its own
        c = site.client(None if who == "anon" else who) if kind == "form" else clients[who]
        r = c.get(path) if method == "GET" else c.post(path, **_body(kind))
        if r.status_code in (302, 303):
            to_login = r.headers["location"].startswith("/login")
            status: object = LOGIN if to_login else OK_REDIRECT
            if template in ("/", "/logout", "/login"):
                status = r.status_code
        else:
            status = r.status_code
        got.append(status)
    assert dict(zip(WHO, got, strict=True)) == dict(zip(WHO, expected, strict=True))


def test_matrix_covers_every_route() -> None:
    """A route added to the app without a row here fails this test."""
    rows = [(m, re.sub(r"\{[^}]+\}", "1", p)) for m, p, _, _ in MATRIX]
    missing = []
    for name in VIEW_MODULES:
        for route in importlib.import_module(f"voice_sim.web.views.{name}").routes:
            # a WebSocket route has no methods; the call socket has its own tests
            for method in set(getattr(route, "methods", None) or ()) - {"HEAD"}:
                if not any(m == method and route.path_regex.match(p) for m, p in rows):
                    missing.append(f"{method} {route.path}")
    assert missing == []


def test_trainee_lists_only_their_own_sessions(site: Site) -> None:
    for who, other in (("sam", "kim"), ("kim", "sam")):
        rows = site.client(who).get("/api/sessions?per_page=500").json()["sessions"]
        assert rows and {r["trainee"] for r in rows} == {who}, other
        csv = site.client(who).get("/sessions.csv?all=1").text
        assert other not in csv


def test_coach_lists_only_the_teams_they_coach(site: Site) -> None:
    rows = site.client("casey").get("/api/sessions?per_page=500").json()["sessions"]
    assert {r["team"] for r in rows} == {"red"}
    rows = site.client("blake").get("/api/sessions?per_page=500").json()["sessions"]
    assert {r["team"] for r in rows} == {"blue"}
    rows = site.client("ada").get("/api/sessions?per_page=500").json()["sessions"]
    assert {r["team"] for r in rows} == {"red", "blue"}
