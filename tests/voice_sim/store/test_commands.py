"""The store's commands and the registration hook: ``users add`` (then a real login), ``serve``
refusing a public host with no account, ``score`` storing its session under ``--trainee`` and
``--no-store`` storing nothing. Oracle: the SQLite file read with plain sqlite3."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

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


def test_serve_on_a_public_host_refuses_while_no_account_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--data", str(tmp_path)]) == 2
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
