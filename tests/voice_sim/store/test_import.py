"""``voice-sim import`` end to end with the real analysis and scoring: duplicates skipped, a bad
file reported while the rest go on, and a ``kill -9`` mid-import that leaves no half row and is
finished by running the same command again. Oracle: the files given, counted in the SQLite file
with plain sqlite3."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.speech_calls import write_call

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("calls")
    return [write_call(d / f"call{i}.wav", variant=i)[0] for i in range(4)]


def _import(
    data: Path, *args: str, wait: bool = True
) -> subprocess.Popen[str] | subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "voice_sim", "import", *args]
    env = {**os.environ, "VOICE_SIM_DATA": str(data)}
    if not wait:
        return subprocess.Popen(
            cmd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)


def _rows(data: Path) -> dict[str, int]:
    with sqlite3.connect(data / "voice-sim.db") as con:
        return {
            t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("sessions", "session_docs", "session_items")
        }


def test_import_skips_duplicates_and_reports_a_bad_file(calls: list[Path], tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for c in calls[:3]:
        shutil.copy(c, src / c.name)
    shutil.copy(calls[0], src / "same-as-call0.wav")
    (src / "broken.wav").write_bytes(b"RIFF....WAVEnot really")
    data = tmp_path / "data"
    r = _import(data, str(src), "--trainee", "sam", "--team", "red", "--workers", "2")
    assert isinstance(r, subprocess.CompletedProcess)
    assert r.returncode == 2
    errors = [line for line in r.stderr.splitlines() if "broken.wav" in line]
    assert len(errors) >= 1 and all(line.startswith("voice-sim: error:") for line in errors)
    assert "imported 3, skipped 1 already stored, failed 1" in r.stdout
    with sqlite3.connect(data / "voice-sim.db") as con:
        got = con.execute(
            "SELECT t.name, m.name, s.overall IS NOT NULL, s.source FROM sessions s "
            "JOIN trainees t ON t.id = s.trainee_id JOIN teams m ON m.id = s.team_id"
        ).fetchall()
    assert sorted(got) == [("sam", "red", 1, "import")] * 3
    again = _import(data, str(src / "call1.wav"), str(src / "same-as-call0.wav"))
    assert isinstance(again, subprocess.CompletedProcess)
    assert again.returncode == 0 and "imported 0, skipped 2" in again.stdout


def test_kill_9_mid_import_leaves_no_half_row_and_a_rerun_finishes(
    calls: list[Path], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    args = [str(c) for c in calls] + ["--trainee", "kim", "--workers", "1"]
    proc = _import(data, *args, wait=False)
    assert isinstance(proc, subprocess.Popen)
    db = data / "voice-sim.db"
    deadline = time.monotonic() + 300
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                stored = _rows(data)["sessions"]
            except sqlite3.OperationalError:
                stored = 0  # tables not made yet
        if stored >= 1:
            break
        time.sleep(0.05)
    assert proc.poll() is None, f"the import ended before it could be killed: {proc.stderr}"
    os.killpg(proc.pid, signal.SIGKILL)  # the command and its worker processes
    proc.wait(timeout=30)
    rows = _rows(data)
    assert 1 <= rows["sessions"] < len(calls)
    assert rows["session_docs"] == rows["sessions"]  # no session without its scorecard
    assert rows["session_items"] >= rows["sessions"] * 5
    r = _import(data, *args)
    assert isinstance(r, subprocess.CompletedProcess)
    assert r.returncode == 0, r.stderr
    assert f"skipped {rows['sessions']} already stored" in r.stdout
    after = _rows(data)
    assert after["sessions"] == after["session_docs"] == len(calls)
    assert not [p for p in (data / "imports").iterdir() if p.name.startswith(".tmp-")]
