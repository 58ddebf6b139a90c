"""A real server for the practice tests: the web app on uvicorn on a free port, with accounts and
the practice service (two call slots), reached over HTTP and its call socket."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from tests.support.server import serve_app

#: Accounts: name -> (role, teams, password).
ACCOUNTS = {
    "sam": ("trainee", ["red"], "trainee-pass-1"),
    "kim": ("trainee", ["red"], "trainee-pass-2"),
    "lee": ("trainee", ["blue"], "trainee-pass-3"),
    "casey": ("coach", ["red"], "coach-pass-1"),
}
#: Call slots of the test server (two calls at once; a third caller queues).
CAPACITY = 2
#: What the trainee says in the browser test (Piper, the bot's voice).
TRAINEE_LINES = (
    "Hello, I'm so sorry you were charged twice. Can I have the email address on the account?",
    "Thank you. Which card was charged, and on which dates?",
)
SR = 16_000


@dataclass
class PracticeSite:
    """The running server."""

    base: str
    data_dir: Path
    app: object

    @property
    def ws_base(self) -> str:
        return self.base.replace("http://", "ws://")

    def client(self, user: str) -> httpx.Client:
        """An HTTP client logged in as ``user``."""
        c = httpx.Client(base_url=self.base, timeout=30)
        token = c.get("/api/me").json()["csrf_token"]
        r = c.post(
            "/login",
            data={"username": user, "password": ACCOUNTS[user][2], "csrf_token": token},
        )
        assert r.status_code in (200, 303), r.text
        return c

    def new_call(
        self, c: httpx.Client, persona: str = "angry-billing", *, gauntlet: str | None = None
    ) -> dict[str, object]:
        """Create a call as the page does (CSRF header, JSON answer): with ``persona``, or a
        gauntlet of the comma-separated persona ids ``gauntlet``."""
        token = c.get("/api/me").json()["csrf_token"]
        form = (
            {"kind": "persona", "persona": persona}
            if gauntlet is None
            else {"kind": "gauntlet", "personas": gauntlet}
        )
        r = c.post(
            "/practice/calls",
            data=form,
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def folder(self, session_id: int) -> Path:
        """The session folder of a stored session (from the store, as the app finds it)."""
        from voice_sim.store import Database
        from voice_sim.store.models import Session
        from voice_sim.store.register import resolve_stored

        db = Database.open(self.data_dir)
        try:
            with db.read() as s:
                row = s.get(Session, session_id)
                assert row is not None
                return resolve_stored(row.folder, self.data_dir)
        finally:
            db.close()

    def service(self) -> object:
        return self.app.state.vs.extra["practice"]  # type: ignore[attr-defined]


def cookie_header(c: httpx.Client) -> str:
    return "; ".join(f"{k}={v}" for k, v in c.cookies.items())


@contextlib.contextmanager
def run_site(
    data_dir: Path, settings: Any, accounts: Mapping[str, tuple[str, list[str], str]] = ACCOUNTS
) -> Iterator[PracticeSite]:
    """The web app with ``accounts`` and the practice service (``PracticeSettings``) over
    ``data_dir``, on uvicorn with the call socket's limits as ``voice-sim serve`` sets them."""
    from voice_sim.store import Database, add_user
    from voice_sim.transport.wire import WS_PROTOCOL_MAX_BYTES
    from voice_sim.web import create_app
    from voice_sim.web.practice import PracticeService
    from voice_sim.web.views.practice import store_calls

    db = Database.open(data_dir)
    with db.write() as s:
        for name, (role, teams, pw) in accounts.items():
            add_user(s, name, role, pw, teams)
    db.close()
    app = create_app(data_dir)
    vs = app.state.vs
    vs.extra["practice"] = PracticeService(
        data_dir, store=lambda call, folders: store_calls(vs, call, folders), settings=settings
    )
    try:
        with serve_app(
            app, ws_max_size=WS_PROTOCOL_MAX_BYTES, ws_per_message_deflate=False
        ) as base:
            yield PracticeSite(base, data_dir, app)
    finally:
        vs.extra["practice"].close()


@pytest.fixture(scope="session")
def practice_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PracticeSite]:
    from voice_sim.web.practice import PracticeSettings

    settings = PracticeSettings(capacity=CAPACITY, note_wait_s=120.0, gauntlet_break_s=3.0)
    with run_site(tmp_path_factory.mktemp("practice-site"), settings) as site:
        yield site


@pytest.fixture(scope="session")
def trainee_lines() -> list[np.ndarray]:
    """The trainee's lines as 16 kHz int16 audio, made with Piper."""
    from voice_sim.simulate import DEFAULT_BOT_VOICE, synthesize_line

    return [synthesize_line(t, DEFAULT_BOT_VOICE, sample_rate=SR) for t in TRAINEE_LINES]


def envelope(y: np.ndarray, *, hop: int = SR // 50) -> np.ndarray:
    """Frame RMS level (dBFS, floored at -70) of int16 or float audio, 20 ms frames."""
    x = y.astype(np.float64)
    if y.dtype == np.int16:
        x = x / 32768.0
    n = x.shape[0] // hop
    rms = np.sqrt(np.mean(np.square(x[: n * hop].reshape(n, hop)), axis=1))
    return np.maximum(20.0 * np.log10(rms + 1e-9), -70.0)
