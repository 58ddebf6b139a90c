"""A real server for the web tests: the ASGI app on uvicorn on a free port, over a store filled
with known sessions, users and teams (tests/support/sessions.py), reached over HTTP."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import serve_app
from tests.support.sessions import FakeCall, make_gauntlet, make_session

#: Accounts: name -> (role, teams, password).
ACCOUNTS = {
    "ada": ("admin", [], "admin-pass-1"),
    "casey": ("coach", ["red"], "coach-pass-1"),
    "blake": ("coach", ["blue"], "coach-pass-2"),
    "sam": ("trainee", ["red"], "trainee-pass-1"),
    "kim": ("trainee", ["blue"], "trainee-pass-2"),
}


@dataclass
class Site:
    """The running server and what is in its store."""

    base: str
    data_dir: Path
    sessions: dict[str, int] = field(default_factory=dict)
    """Label -> session id (``sam1``, ``sam2``, ``kim1``, ``sam_g1``, ``sam_g2``)."""
    trainees: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    app: Any = None
    """The Starlette app (the server runs in a thread of the test process)."""

    def client(self, user: str | None = None) -> Client:
        """An HTTP client, logged in as ``user`` (anonymous when None)."""
        c = Client(httpx.Client(base_url=self.base, timeout=30), self)
        if user is not None:
            c.login(user, ACCOUNTS[user][2])
        return c


@dataclass
class Client:
    http: httpx.Client
    site: Site

    def csrf(self) -> str:
        return str(self.http.get("/api/me").json()["csrf_token"])

    def login(self, user: str, password: str) -> httpx.Response:
        r = self.http.post(
            "/login", data={"username": user, "password": password, "csrf_token": self.csrf()}
        )
        return r

    def get(self, path: str, **kw: object) -> httpx.Response:
        return self.http.get(path, **kw)  # type: ignore[arg-type]

    def post(self, path: str, *, csrf: bool = True, **kw: object) -> httpx.Response:
        headers = dict(kw.pop("headers", {}) or {})  # type: ignore[call-overload]
        if csrf:
            headers["X-CSRF-Token"] = self.csrf()
        return self.http.post(path, headers=headers, **kw)  # type: ignore[arg-type]


def fill_store(data_dir: Path) -> dict[str, dict[str, int]]:
    from sqlalchemy import select

    from voice_sim.store import (
        Database,
        Team,
        Trainee,
        add_user,
        read_session,
        store_gauntlet,
        store_session,
    )

    db = Database.open(data_dir)
    with db.write() as s:
        for name, (role, teams, pw) in ACCOUNTS.items():
            add_user(s, name, role, pw, teams)
    ids: dict[str, int] = {}
    base = dt.datetime(2026, 3, 2, 9, 0)
    for label, who, seed, day, scores in (
        ("sam1", "sam", 1, 0, (6.0, 10.0, 12.0, 4.0)),
        ("sam2", "sam", 2, 3, (12.0, 10.0, 12.0, 12.0)),
        ("kim1", "kim", 3, 1, (2.0, 4.0, 6.0, 0.0)),
    ):
        call = FakeCall(
            trainee=who, seed=seed, started_at=base + dt.timedelta(days=day), scores=scores
        )
        folder = make_session(data_dir / "sessions" / label, call)
        ids[label], _ = store_session(db, read_session(folder), trainee=who, source="simulated")
    g = make_gauntlet(
        data_dir / "gauntlets" / "g1",
        [
            FakeCall(
                trainee="sam",
                seed=10,
                persona="elderly-confused",
                pitch_hz=170,
                started_at=base + dt.timedelta(days=5),
            ),
            FakeCall(
                trainee="sam",
                seed=11,
                persona="abusive-caller",
                pitch_hz=200,
                loudness_dbfs=-18,
                started_at=base + dt.timedelta(days=5, minutes=5),
            ),
        ],
    )
    recs = [read_session(p) for p in sorted(g.iterdir()) if p.is_dir()]
    _, gids = store_gauntlet(db, g, recs, trainee="sam")
    ids["sam_g1"], ids["sam_g2"] = gids
    # a teammate without an account, whose patience held better
    g = make_gauntlet(
        data_dir / "gauntlets" / "g2",
        [
            FakeCall(
                trainee="lee",
                seed=20,
                pitch_hz=150,
                wpm=140,
                started_at=base + dt.timedelta(days=6),
            ),
            FakeCall(
                trainee="lee",
                seed=21,
                pitch_hz=153,
                wpm=146,
                loudness_dbfs=-21,
                started_at=base + dt.timedelta(days=6, minutes=6),
            ),
        ],
        overall=81.0,
        composure=9.0,
    )
    recs = [read_session(p) for p in sorted(g.iterdir()) if p.is_dir()]
    store_gauntlet(db, g, recs, trainee="lee", team="red")
    with db.read() as s:
        trainees = {t.name: t.id for t in s.scalars(select(Trainee))}
        teams = {t.name: t.id for t in s.scalars(select(Team))}
    db.close()
    return {"sessions": ids, "trainees": trainees, "teams": teams}


@contextlib.contextmanager
def serve(data_dir: Path, settings: Any = None, **create: Any) -> Iterator[tuple[str, Any]]:
    """The app over ``data_dir`` on uvicorn on a free port, in a thread: (base URL, app)."""
    from voice_sim.web import create_app

    app = create_app(data_dir, web_settings=settings, **create)
    with serve_app(app) as base:
        yield base, app


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on uvicorn over a filled store, upload jobs running; stopped at the end."""
    from voice_sim.store import WebSettings

    data_dir = tmp_path_factory.mktemp("site")
    got = fill_store(data_dir)
    # a small upload limit so the over-the-limit case stays small; no login slow-down in the
    # role matrix (its own test uses a separate app)
    settings = WebSettings(
        max_upload_bytes=2 * 1024 * 1024, max_upload_s=600.0, login_free_failures=1000
    )
    with serve(data_dir, settings) as (base, app):
        yield Site(base, data_dir, app=app, **got)
