"""The store's commands and the registration hook: ``users add`` (then a real login), ``serve``
refusing a public host with no account, ``score`` storing its session under ``--trainee`` and
``--no-store`` storing nothing; ``simulate`` and ``gauntlet`` storing theirs (real calls; the
gauntlet test in tests/voice_sim/test_gauntlet.py runs with ``--no-store`` and checks nothing
is written). Oracle: the SQLite file read with plain sqlite3."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import free_port
from voice_sim.cli import main


def _users(data: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(data / "voice-sim.db") as con:
        return sorted(con.execute("SELECT name, role FROM users").fetchall())


def test_users_add_reads_the_password_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert (
        main(
            [
                "users",
                "add",
                "casey",
                "--role",
                "coach",
                "--team",
                "red",
                "--password-stdin",
                "--data",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert "coach casey saved (teams: red)" in capsys.readouterr().out
    assert _users(tmp_path) == [("casey", "coach")]
    from voice_sim.store import Database, User
    from voice_sim.store.passwords import verify_password

    db = Database.open(tmp_path)
    with db.read() as s:
        from sqlalchemy import select

        user = s.scalar(select(User).where(User.name == "casey"))
        assert user is not None and verify_password("a-long-password", user.password_hash)
        assert not verify_password("a-long-passwor", user.password_hash)
    db.close()
    assert main(["users", "list", "--data", str(tmp_path)]) == 0
    assert "casey" in capsys.readouterr().out


def test_users_add_to_an_existing_coach_says_every_team_and_list_shows_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def add(name: str, role: str, team: str) -> str:
        monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
        args = [name, "--role", role, "--team", team, "--password-stdin"]
        assert main(["users", "add", *args, "--data", str(tmp_path)]) == 0
        return capsys.readouterr().out.strip()

    assert add("casey", "coach", "red") == "coach casey saved (teams: red)"
    assert add("casey", "coach", "blue") == "coach casey saved (teams: blue, red)"
    add("sam", "trainee", "red")
    add("ada", "admin", "red")
    assert main(["users", "list", "--data", str(tmp_path)]) == 0
    listed = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert listed == [
        ["ada", "admin"],
        ["casey", "coach", "blue,", "red"],
        ["sam", "trainee", "red"],
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (["--role", "boss"], "a-long-password\n", "--role: expected one of admin, coach, trainee"),
        (["--role", "coach"], "short\n", "password: use 8"),
        (["--role", "coach"], "", "nothing on standard input"),
        (["--role", "trainee", "--team", "a", "--team", "b"], "a-long-password\n", "one team"),
    ],
)
def test_users_add_refuses_bad_input_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    stdin: str,
    says: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["users", "add", "x", *args, "--password-stdin", "--data", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and says in err and "\n" not in err


@pytest.mark.parametrize(
    "host",
    ["0.0.0.0", "::", "", "192.168.1.5", "example.com", "127.0.0.1.nip.io", "::ffff:127.0.0.1"],
)
def test_serve_on_a_public_host_refuses_while_no_account_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], host: str
) -> None:
    """Anything not certainly this machine alone counts as public (an empty host is every
    interface; a name may resolve anywhere)."""
    assert main(["serve", "--host", host, "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no accounts exist yet" in err and "users add" in err


@pytest.mark.slow
def test_score_stores_its_session_and_no_store_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.speech_calls import write_call

    data = tmp_path / "data"
    monkeypatch.setenv("VOICE_SIM_DATA", str(data))
    wav, _ = write_call(tmp_path / "call.wav", variant=3)
    assert main(["score", str(wav), "--out", str(tmp_path / "a"), "--no-store", "-q"]) == 0
    assert not (data / "voice-sim.db").exists()
    assert (
        main(
            [
                "score",
                str(wav),
                "--out",
                str(tmp_path / "b"),
                "--trainee",
                "sam",
                "--team",
                "red",
                "-q",
            ]
        )
        == 0
    )
    with sqlite3.connect(data / "voice-sim.db") as con:
        rows = con.execute(
            "SELECT t.name, m.name, s.source, s.overall IS NOT NULL, s.recording "
            "FROM sessions s JOIN trainees t ON t.id = s.trainee_id "
            "JOIN teams m ON m.id = s.team_id"
        ).fetchall()
    assert rows == [("sam", "red", "score", 1, str(wav))]


#: A one-line trainee bot: the shortest call that still has a conversation to score.
BOT = "name: store bot\nlines:\n  - I'm sorry about that. Can you tell me what happened?\n"


def _scored_items(folder: Path) -> list[tuple[str, float, float]]:
    card = json.loads((folder / "scorecard.json").read_text())
    return [(it["id"], float(it["score"]), float(it["max"])) for it in card["items"]]


def _stored_items(con: sqlite3.Connection, sid: int) -> list[tuple[str, float, float]]:
    return con.execute(
        "SELECT item, score, max FROM session_items WHERE session_id = ? ORDER BY position",
        (sid,),
    ).fetchall()


@pytest.mark.slow
def test_simulate_stores_its_scored_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real simulated call (Piper, Whisper, Silero), scored: its row says who, which persona,
    no gauntlet, and the scorecard's overall and item scores. Oracle: scorecard.json."""
    data = tmp_path / "data"
    monkeypatch.setenv("VOICE_SIM_DATA", str(data))
    bot = tmp_path / "bot.yaml"
    bot.write_text(BOT)
    out = tmp_path / "call"
    argv = ["simulate", "--script", str(bot), "--out", str(out), "--trainee", "sam"]
    assert main([*argv, "--team", "red"]) == 0
    card = json.loads((out / "scorecard.json").read_text())
    with sqlite3.connect(data / "voice-sim.db") as con:
        rows = con.execute(
            "SELECT s.id, t.name, m.name, s.persona, s.source, s.overall, s.gauntlet_id, "
            "s.call_index, s.folder FROM sessions s JOIN trainees t ON t.id = s.trainee_id "
            "JOIN teams m ON m.id = s.team_id"
        ).fetchall()
        assert len(rows) == 1
        sid, *row = rows[0]
        assert row == [
            "sam",
            "red",
            "angry-billing",
            "simulated",
            card["overall"],
            None,
            None,
            str(out),
        ]
        assert _stored_items(con, sid) == _scored_items(out)


@pytest.mark.slow
def test_gauntlet_stores_its_calls_in_order_with_their_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real two-call simulated gauntlet, scored: one gauntlet row with the session
    scorecard's overall, and each call's row with its index, persona and scores. Oracle:
    gauntlet.json, session_scorecard.json and each call's scorecard.json."""
    data = tmp_path / "data"
    monkeypatch.setenv("VOICE_SIM_DATA", str(data))
    bot = tmp_path / "bot.yaml"
    bot.write_text(BOT)
    out = tmp_path / "g"
    argv = ["gauntlet", "--simulate", "--script", str(bot), "--calls", "2", "--break", "0"]
    assert main([*argv, "--out", str(out), "--trainee", "lee", "--team", "blue"]) == 0
    plan = json.loads((out / "gauntlet.json").read_text())["calls"]
    session_card = json.loads((out / "session_scorecard.json").read_text())
    with sqlite3.connect(data / "voice-sim.db") as con:
        g = con.execute(
            "SELECT g.id, t.name, m.name, g.calls, g.overall FROM gauntlets g "
            "JOIN trainees t ON t.id = g.trainee_id JOIN teams m ON m.id = g.team_id"
        ).fetchall()
        assert len(g) == 1
        gid, *grow = g[0]
        assert grow == ["lee", "blue", 2, session_card["overall"]]
        calls = con.execute(
            "SELECT s.id, s.call_index, s.persona, s.overall, s.folder, t.name, s.source "
            "FROM sessions s JOIN trainees t ON t.id = s.trainee_id "
            "WHERE s.gauntlet_id = ? ORDER BY s.call_index",
            (gid,),
        ).fetchall()
        assert [c[1] for c in calls] == [1, 2]
        for (sid, _, persona, overall, folder, trainee, source), planned in zip(
            calls, plan, strict=True
        ):
            call_dir = out / planned["folder"]
            card = json.loads((call_dir / "scorecard.json").read_text())
            assert (persona, overall, folder, trainee, source) == (
                planned["persona"],
                card["overall"],
                str(call_dir),
                "lee",
                "simulated",
            )
            assert _stored_items(con, sid) == _scored_items(call_dir)
        assert con.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2


def _serve(data: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """``voice-sim serve`` in its own process on a free port; (process, base URL)."""
    import time

    import httpx

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voice_sim", "serve", "--port", str(port), "--data", str(data)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            httpx.get(base + "/login", timeout=1)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("serve did not start")


def _failed_logins_then_probe(base: str, first: str, then: str) -> int:
    """Three wrong passwords from X-Forwarded-For ``first``, then the status of one more
    attempt (another name) from ``then``."""
    import httpx

    def attempt(fwd: str, name: str) -> int:
        c = httpx.Client(base_url=base, timeout=30, headers={"X-Forwarded-For": fwd})
        token = c.get("/api/me").json()["csrf_token"]
        data = {"username": name, "password": "wrong-password", "csrf_token": token}
        return c.post("/login", data=data).status_code

    for i in range(3):
        assert attempt(first, f"name{i}") == 401
    return attempt(then, "other")


@pytest.mark.parametrize(("trusted", "locked"), [(None, True), ("127.0.0.1", False)])
def test_serve_trusts_forwarded_addresses_only_from_its_proxies(
    tmp_path: Path, trusted: str | None, locked: bool
) -> None:
    """Without a trusted proxy a client's X-Forwarded-For is ignored (anyone could send one to
    dodge the login lock); behind one (``[web] trusted_proxies``) each client's own address
    is what gets locked, not the proxy's, which would lock everyone out."""
    # a lock of a minute: the probe lands inside it however slow the machine is
    env = {"VOICE_SIM_WEB_LOGIN_BASE_DELAY_S": "60", "VOICE_SIM_WEB_LOGIN_MAX_DELAY_S": "60"}
    if trusted:
        env["VOICE_SIM_WEB_TRUSTED_PROXIES"] = trusted
    proc, base = _serve(tmp_path, env)
    try:
        status = _failed_logins_then_probe(base, "203.0.113.7", "198.51.100.9")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert status == (429 if locked else 401)
