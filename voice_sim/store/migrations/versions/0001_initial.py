"""Initial schema: users, teams, trainees, gauntlets, sessions, items, docs, comments, overrides.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("auth_epoch", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "coach_teams",
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    op.create_table(
        "trainees",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="SET NULL")),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), unique=True
        ),
    )
    op.create_table(
        "gauntlets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("folder", sa.String(1024), nullable=False, unique=True),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="SET NULL")),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("calls", sa.Integer, nullable=False),
        sa.Column("overall", sa.Float),
        sa.Column("patience", sa.JSON, nullable=False),
        sa.Column("drift", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("folder", sa.String(1024), nullable=False),
        sa.Column("recording", sa.String(1024)),
        sa.Column("persona", sa.String(120)),
        sa.Column("persona_name", sa.String(200)),
        sa.Column("archetype", sa.String(60)),
        sa.Column("gauntlet_id", sa.Integer, sa.ForeignKey("gauntlets.id", ondelete="SET NULL")),
        sa.Column("call_index", sa.Integer),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("overall", sa.Float),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="SET NULL")),
        sa.Column("pitch_hz", sa.Float),
        sa.Column("loudness_dbfs", sa.Float),
        sa.Column("wpm", sa.Float),
        sa.Column("interruptions", sa.Integer),
        sa.Column("latency_s", sa.Float),
        sa.Column("dead_air", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_sessions_started", "sessions", ["started_at"])
    op.create_index("ix_sessions_trainee_started", "sessions", ["trainee_id", "started_at"])
    op.create_index("ix_sessions_team_started", "sessions", ["team_id", "started_at"])
    op.create_index("ix_sessions_persona", "sessions", ["persona"])
    op.create_index("ix_sessions_archetype", "sessions", ["archetype"])
    op.create_index("ix_sessions_overall", "sessions", ["overall"])
    op.create_index("ix_sessions_gauntlet", "sessions", ["gauntlet_id", "call_index"])
    op.create_table(
        "session_items",
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("item", sa.String(60), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("max", sa.Float, nullable=False),
        sa.Column("applicable", sa.Boolean, nullable=False),
    )
    op.create_index("ix_session_items_item", "session_items", ["item", "session_id"])
    op.create_table(
        "session_docs",
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("scorecard", sa.JSON, nullable=False),
        sa.Column("timeline", sa.JSON, nullable=False),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("t_s", sa.Float, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_comments_session", "comments", ["session_id", "t_s"])
    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("item", sa.String(60), nullable=False),
        sa.Column("original_score", sa.Float, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_overrides_session", "overrides", ["session_id", "item"])


def downgrade() -> None:
    for table in (
        "overrides",
        "comments",
        "session_docs",
        "session_items",
        "sessions",
        "gauntlets",
        "trainees",
        "coach_teams",
        "users",
        "teams",
    ):
        op.drop_table(table)
