"""Alembic environment: runs on the connection :func:`voice_sim.store.db.migrate` hands over.

The same migrations serve SQLite and PostgreSQL. On PostgreSQL an advisory lock makes two
processes that start at once (a gauntlet and an import) migrate one after the other; on SQLite
the migration's transaction starts with BEGIN IMMEDIATE, which does the same.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from voice_sim.store.models import Base

#: Any fixed 64-bit number: the PostgreSQL advisory lock that serializes migrations.
MIGRATION_LOCK_ID = 0x766F6963_6573696D

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only ALTER by copying the table; batch mode does that
    compare_type=True,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_ID})
    context.run_migrations()
