"""Two writers at once lose nothing: two processes store sessions, comments and overrides into
one SQLite file at the same time (as a gauntlet and an import would). Oracle: every row each
process wrote is there afterwards, counted by plain sqlite3."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
from pathlib import Path

from tests.support.sessions import FakeCall, make_session

#: Sessions each writer stores.
PER_WRITER = 25


def _writer(data_dir: str, folders: list[str], trainee: str, barrier: object) -> None:
    from voice_sim.store import Database, read_session, store_session
    from voice_sim.store.models import Comment

    db = Database.open(Path(data_dir))
    records = [read_session(Path(f)) for f in folders]  # reading is not what is tested
    barrier.wait()  # type: ignore[attr-defined]  # both start writing together
    for rec in records:
        sid, created = store_session(
            db, rec, trainee=trainee, team=f"team-{trainee}", source="import"
        )
        assert created
        with db.write() as s:  # and a second unit of work per session, interleaved
            s.add(Comment(session_id=sid, user_id=1, t_s=1.0, text=f"{trainee} {sid}"))
    db.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    from voice_sim.store import Database, add_user

    db = Database.open(tmp_path)
    with db.write() as s:
        add_user(s, "casey", "coach", "coach-pass-1")
    db.close()
    jobs = {}
    for w in ("a", "b"):
        jobs[w] = [
            str(
                make_session(
                    tmp_path / "src" / f"{w}{i}",
                    FakeCall(seed=(100 if w == "a" else 200) + i, duration_s=3.0),
                )
            )
            for i in range(PER_WRITER)
        ]
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), jobs[w], w, barrier)) for w in jobs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0, 0]
    with sqlite3.connect(tmp_path / "voice-sim.db") as con:
        per_trainee = dict(
            con.execute(
                "SELECT t.name, count(*) FROM sessions s JOIN trainees t ON t.id = s.trainee_id "
                "GROUP BY t.name"
            ).fetchall()
        )
        comments = con.execute("SELECT count(*) FROM comments").fetchone()[0]
        docs = con.execute("SELECT count(*) FROM session_docs").fetchone()[0]
        items = con.execute("SELECT count(*) FROM session_items").fetchone()[0]
    assert per_trainee == {"a": PER_WRITER, "b": PER_WRITER}
    assert comments == docs == 2 * PER_WRITER
    assert items == 2 * PER_WRITER * 4
