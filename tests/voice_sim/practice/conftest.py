"""A real server for the practice tests: the web app on uvicorn on a free port, with accounts and
the practice service (two call slots), reached over HTTP and its call socket."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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

    def new_call(self, c: httpx.Client, persona: str = "angry-billing") -> dict[str, object]:
        """Create a call as the page does (CSRF header, JSON answer)."""
        token = c.get("/api/me").json()["csrf_token"]
        r = c.post(
            "/practice/calls",
            data={"kind": "persona", "persona": persona},
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def service(self) -> object:
        return self.app.state.vs.extra["practice"]  # type: ignore[attr-defined]


def cookie_header(c: httpx.Client) -> str:
    return "; ".join(f"{k}={v}" for k, v in c.cookies.items())


@pytest.fixture(scope="session")
def practice_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PracticeSite]:
    import uvicorn

    from voice_sim.store import Database, add_user
    from voice_sim.transport.wire import WS_PROTOCOL_MAX_BYTES
    from voice_sim.web import create_app
    from voice_sim.web.practice import PracticeService, PracticeSettings
    from voice_sim.web.views.practice import store_calls

    data_dir = tmp_path_factory.mktemp("practice-site")
    db = Database.open(data_dir)
    with db.write() as s:
        for name, (role, teams, pw) in ACCOUNTS.items():
            add_user(s, name, role, pw, teams)
    db.close()
    app = create_app(data_dir)
    vs = app.state.vs
    vs.extra["practice"] = PracticeService(
        data_dir,
        store=lambda call, folders: store_calls(vs, call, folders),
        settings=PracticeSettings(capacity=CAPACITY, note_wait_s=120.0, gauntlet_break_s=3.0),
    )
    port = free_port()
    # the call socket's limits as voice-sim serve sets them
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_max_size=WS_PROTOCOL_MAX_BYTES,
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    t0 = time.monotonic()
    while not server.started:
        if not thread.is_alive() or time.monotonic() - t0 > 60:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield PracticeSite(f"http://127.0.0.1:{port}", data_dir, app)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        vs.extra["practice"].close()


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
