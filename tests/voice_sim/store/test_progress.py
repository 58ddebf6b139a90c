"""The team board: each member's latest gauntlet in the team, with its patience items, drift and
first-against-last call figures, read in a fixed number of queries however many members the
team has. Oracle: the fixture folders' known figures (tests/support/sessions.py) and the
statements SQLAlchemy sends, counted on the engine."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from sqlalchemy import event, select

from tests.support.sessions import FakeCall, make_gauntlet
from voice_sim.store import Database, Team, read_session, store_gauntlet
from voice_sim.store.progress import team_board

#: Trainee pitch in the first and the last call of every member's gauntlet, Hz.
FIRST_HZ, LAST_HZ = 160.0, 190.0


def _fill(db: Database, root: Path, members: int) -> None:
    base = dt.datetime(2026, 4, 1, 9, 0)
    for m in range(members):
        name = f"member{m}"
        calls = [
            FakeCall(trainee=name, seed=100 * m + i, pitch_hz=hz, started_at=base)
            for i, hz in enumerate((FIRST_HZ, LAST_HZ))
        ]
        g = make_gauntlet(root / name, calls, composure=float(m))
        recs = [read_session(p, with_waveform=False) for p in sorted(g.iterdir()) if p.is_dir()]
        store_gauntlet(db, g, recs, trainee=name, team="red")


def _board(db: Database) -> tuple[list[dict[str, object]], int]:
    """The red team's board, and how many statements reading it sent."""
    sent: list[str] = []

    def count(_conn: object, _cur: object, statement: str, *_a: object) -> None:
        sent.append(statement)

    with db.read() as s:
        team = s.scalar(select(Team).where(Team.name == "red"))
        assert team is not None
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            rows = team_board(s, team)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return rows, len(sent)


def test_team_board_rows_hold_each_members_latest_gauntlet(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "data")
    try:
        _fill(db, tmp_path / "src", 3)
        rows, _ = _board(db)
    finally:
        db.close()
    assert [r["trainee"] for r in rows] == ["member0", "member1", "member2"]
    for m, row in enumerate(rows):
        g = row["gauntlet"]
        assert isinstance(g, dict)
        assert g["calls"] == 2
        assert (g["interruptions_first"], g["interruptions_last"]) == (1, 1)
        assert (g["latency_first_s"], g["latency_last_s"]) == (0.6, 0.6)
        assert g["patience"]["composure_held"]["score"] == float(m)
        assert g["drift"]["pitch_st"] == pytest.approx(12 * math.log2(LAST_HZ / FIRST_HZ), abs=1e-3)


def test_team_board_queries_do_not_grow_with_the_team(tmp_path: Path) -> None:
    counts = []
    for members in (2, 5):
        db = Database.open(tmp_path / f"data{members}")
        try:
            _fill(db, tmp_path / f"src{members}", members)
            rows, n = _board(db)
        finally:
            db.close()
        assert len(rows) == members
        counts.append(n)
    assert counts[0] == counts[1], counts
