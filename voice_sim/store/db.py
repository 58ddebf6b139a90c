"""The database: engine, migrations and units of work, on SQLite or PostgreSQL.

SQLite is the default: one file in the data directory, in WAL mode so the web app reads while a
gauntlet or an import writes. Writers start their transaction with ``BEGIN IMMEDIATE``: a
deferred transaction that reads first and writes later can fail at once with "database is
locked" when another writer committed in between; an immediate one waits its turn
(``busy_timeout``) instead, which is how two writers at once lose nothing.

A ``postgresql://`` URL runs the same code and the same migrations on PostgreSQL through pg8000
(pure Python, BSD licence).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from .errors import StoreError
from .settings import SQLITE_FILENAME, StoreSettings

#: The revision the code expects (the newest file in migrations/versions).
HEAD_REVISION = "0004"


def database_url(settings: StoreSettings, data_dir: Path) -> URL:
    """The SQLAlchemy URL in force: ``settings.database_url`` or SQLite in ``data_dir``.

    ``postgresql://`` (and ``postgres://``) URLs get the pg8000 driver.
    """
    if not settings.database_url:
        return URL.create("sqlite", database=str(data_dir / SQLITE_FILENAME))
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        raise StoreError(f"database_url: not a database URL: {settings.database_url!r}") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+pg8000")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"database_url: {url.get_backend_name()} is not supported (sqlite, postgresql)"
        )
    return url


def _sqlite_pragmas(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would defer BEGIN; we emit it ourselves below
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")  # durable in WAL mode except on power loss
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: URL, settings: StoreSettings) -> Engine:
    """An engine for ``url`` with the SQLite pragmas and lock handling set up."""
    if url.get_backend_name() == "sqlite":
        db = url.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": settings.busy_timeout_s, "check_same_thread": False}
        )
        _sqlite_pragmas(engine, settings.busy_timeout_s)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("voice_sim.store") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return None if row is None else str(row[0])


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade (or downgrade) the schema to ``revision``; a no-op when it is there already."""
    from alembic import command

    target = HEAD_REVISION if revision == "head" else revision
    try:
        cur = current_revision(engine)
        if cur == target:
            return
        # a process migrating at the same time is waited for inside the migration's own
        # transaction (BEGIN IMMEDIATE, or PostgreSQL's advisory lock), where Alembic reads
        # the version again: what ``cur`` decides is only the direction
        with engine.execution_options(sqlite_immediate=True).connect() as conn:
            cfg = _alembic_config(conn)
            if cur is not None and int(cur) > int(target):
                command.downgrade(cfg, target)
            else:
                command.upgrade(cfg, target)
            conn.commit()
    except DBAPIError as exc:
        raise StoreError(f"{engine.url.render_as_string()}: migration failed: {exc.orig}") from None


@dataclass
class Database:
    """An open store: the engine and its unit-of-work factories.

    ``read()`` and ``write()`` each give one ORM session for one unit of work; ``write()``
    commits at the end (or rolls back on error) and on SQLite takes the write lock up front.
    """

    engine: Engine
    data_dir: Path
    _reader: sessionmaker[OrmSession]
    _writer: sessionmaker[OrmSession]

    @classmethod
    def open(
        cls, data_dir: Path, settings: StoreSettings | None = None, *, upgrade: bool = True
    ) -> Database:
        """Open (and by default migrate to the newest schema) the store of ``data_dir``."""
        settings = settings or StoreSettings()
        url = database_url(settings, data_dir)
        engine = make_engine(url, settings)
        try:
            if upgrade:
                migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        writer_engine = engine.execution_options(sqlite_immediate=True)
        return cls(
            engine,
            data_dir,
            sessionmaker(engine, expire_on_commit=False),
            sessionmaker(writer_engine, expire_on_commit=False),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.url.get_backend_name() == "sqlite"

    @contextlib.contextmanager
    def read(self) -> Iterator[OrmSession]:
        """One read-only unit of work."""
        with self._reader() as s:
            yield s

    @contextlib.contextmanager
    def write(self) -> Iterator[OrmSession]:
        """One unit of work that commits when the block ends without error."""
        with self._writer() as s, s.begin():
            yield s

    def close(self) -> None:
        self.engine.dispose()
