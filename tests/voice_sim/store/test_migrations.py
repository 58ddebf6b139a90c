"""Migrations from empty and between versions, on SQLite and on a real PostgreSQL server; the
same store code on both. Oracle: the schema the mapped classes describe (Alembic's comparison),
and rows written before an upgrade read back after it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from tests.support.sessions import FakeCall, make_session
from voice_sim.store import (
    HEAD_REVISION,
    Base,
    Database,
    StoreSettings,
    add_user,
    current_revision,
    migrate,
    read_session,
    store_session,
)
from voice_sim.store.queries import get_visible, list_sessions, parse_filter, session_detail
from voice_sim.store.review import add_comment, add_override
from voice_sim.web.security import Actor

ALL_TABLES = {
    "alembic_version",
    "teams",
    "users",
    "coach_teams",
    "trainees",
    "gauntlets",
    "sessions",
    "session_items",
    "session_docs",
    "comments",
    "overrides",
    "jobs",
    "logins",
    "assignments",
}


def _open(url: str | None, data_dir: Path, upgrade: bool = True) -> Database:
    return Database.open(data_dir, StoreSettings(database_url=url), upgrade=upgrade)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("fresh_pg"))


def test_from_empty_to_head_matches_the_models(backend: str | None, tmp_path: Path) -> None:
    db = _open(backend, tmp_path)
    try:
        assert current_revision(db.engine) == HEAD_REVISION
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == ALL_TABLES
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.close()


def test_upgrade_between_versions_keeps_the_data(backend: str | None, tmp_path: Path) -> None:
    db = _open(backend, tmp_path, upgrade=False)
    try:
        migrate(db.engine, "0001")
        assert current_revision(db.engine) == "0001"
        with db.engine.begin() as conn:
            assert not inspect(conn).has_table("jobs")
            conn.execute(
                text(
                    "INSERT INTO users (name, role, password_hash, auth_epoch, created_at) "
                    "VALUES ('old', 'coach', 'scrypt$x', 0, '2026-01-01 00:00:00')"
                )
            )
        migrate(db.engine)
        assert current_revision(db.engine) == HEAD_REVISION
        with db.engine.connect() as conn:
            assert inspect(conn).has_table("jobs")
            assert conn.execute(text("SELECT name FROM users")).scalar() == "old"
        migrate(db.engine, "0001")  # and back down
        with db.engine.connect() as conn:
            assert not inspect(conn).has_table("jobs")
            assert conn.execute(text("SELECT name FROM users")).scalar() == "old"
    finally:
        db.close()


def test_same_code_on_both(backend: str | None, tmp_path: Path) -> None:
    """Store, list with a filter, comment, override and read back: identical on both."""
    db = _open(backend, tmp_path)
    try:
        with db.write() as s:
            add_user(s, "casey", "coach", "coach-pass-1", ["red"])
            add_user(s, "sam", "trainee", "trainee-pass-1", ["red"])
        a = make_session(tmp_path / "a", FakeCall(seed=1, scores=(12, 10, 12, 12)))
        b = make_session(tmp_path / "b", FakeCall(seed=2))
        sa, _ = store_session(db, read_session(a), trainee="sam", source="simulated")
        sb, _ = store_session(db, read_session(b), trainee="sam", source="simulated")
        again, created = store_session(db, read_session(a), trainee="sam", source="import")
        assert (again, created) == (sa, False)  # same recording, same session
        coach = Actor(1, "casey", "coach", team_ids=(1,))
        with db.read() as s:
            rows, total = list_sessions(s, coach, parse_filter({"score_min": "90"}))
        assert total == 1 and rows[0]["id"] == sa and rows[0]["team"] == "red"
        with db.write() as s:
            row = get_visible(s, coach, sb)
            assert row is not None
            add_comment(s, row, 1, 6.5, "cut off here")
            add_override(s, row, 1, "no_triggers", 9, "context")
        with db.read() as s:
            row = get_visible(s, coach, sb)
            assert row is not None
            d = session_detail(s, row)
        item = next(i for i in d["items"] if i["id"] == "no_triggers")
        assert (item["score"], item["override"]["score"]) == (4.0, 9.0)  # both kept
        assert d["comments"][0]["t_s"] == 6.5
        assert d["timeline"]["markers"][0]["kind"] in ("mood", "lost", "interruption")
    finally:
        db.close()


def test_sqlite_is_in_wal_mode(tmp_path: Path) -> None:
    _open(None, tmp_path).close()
    with sqlite3.connect(tmp_path / "voice-sim.db") as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_bad_database_url_is_one_line(tmp_path: Path) -> None:
    from voice_sim.store import StoreError

    with pytest.raises(StoreError, match="mysql is not supported"):
        _open("mysql://x@localhost/db", tmp_path)
    with pytest.raises(StoreError, match="not a database URL"):
        _open("::nonsense::", tmp_path)
