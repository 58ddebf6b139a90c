"""The store's tables as typed SQLAlchemy 2 mapped classes.

Every schema change is an Alembic migration in ``voice_sim/store/migrations/versions``; the
classes here describe the schema at the newest revision (a test checks the two agree).
Times are naive UTC ``datetime`` values (SQLite keeps no time zone; PostgreSQL gets the same).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: The roles a user account can have, most powerful first.
ROLES = ("admin", "coach", "trainee")


def utcnow() -> dt.datetime:
    """Now, as naive UTC (what every time column holds)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Team(Base):
    """A team of trainees; coaches coach one or more teams."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    """Team name as typed by the admin (``--team``)."""


class User(Base):
    """A login account."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    """Login name (also the trainee name of a trainee account)."""
    role: Mapped[str] = mapped_column(String(16))
    """``admin``, ``coach`` or ``trainee``."""
    password_hash: Mapped[str] = mapped_column(String(255))
    """``scrypt$n$r$p$salt$hash`` (see :mod:`voice_sim.store.passwords`)."""
    auth_epoch: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped when the password changes: login cookies of an older epoch stop working."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    coached: Mapped[list[Team]] = relationship(secondary="coach_teams", viewonly=True)
    """Teams this coach coaches, loaded when asked for (``coach_teams`` rows are what is
    written)."""


class CoachTeam(Base):
    """Which coach coaches which team."""

    __tablename__ = "coach_teams"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )


class Trainee(Base):
    """Someone whose calls are stored (with or without a login account of the same name)."""

    __tablename__ = "trainees"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    """The trainee's own login account, when they have one."""
    team: Mapped[Team | None] = relationship(lazy="joined")


class Gauntlet(Base):
    """Back-to-back escalating calls (``voice-sim gauntlet``), with the session scorecard."""

    __tablename__ = "gauntlets"
    id: Mapped[int] = mapped_column(primary_key=True)
    folder: Mapped[str] = mapped_column(String(1024), unique=True)
    """The gauntlet folder (relative to the data directory when inside it)."""
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    calls: Mapped[int] = mapped_column(Integer)
    """Number of calls planned."""
    overall: Mapped[float | None] = mapped_column(Float)
    """Session score 0-100 (``session_scorecard.json``), None before it is scored."""
    patience: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Patience items of the session scorecard (``id``, ``label``, ``score``, ``max``)."""
    drift: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Trainee drift, last call against the first: ``pitch_st``, ``loudness_db``, ``wpm_pct``."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Session(Base):
    """One call: a session folder with its recording, analysis and scorecard."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_started", "started_at"),
        Index("ix_sessions_trainee_started", "trainee_id", "started_at"),
        Index("ix_sessions_team_started", "team_id", "started_at"),
        Index("ix_sessions_persona", "persona"),
        Index("ix_sessions_archetype", "archetype"),
        Index("ix_sessions_overall", "overall"),
        Index("ix_sessions_gauntlet", "gauntlet_id", "call_index"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the recording: the same recording is one session, however often it arrives."""
    source: Mapped[str] = mapped_column(String(16))
    """How it arrived: ``live``, ``simulated``, ``import``, ``upload`` or ``score``."""
    folder: Mapped[str] = mapped_column(String(1024))
    """Session folder (relative to the data directory when inside it)."""
    recording: Mapped[str | None] = mapped_column(String(1024))
    """Recording file, relative to ``folder`` when inside it."""
    persona: Mapped[str | None] = mapped_column(String(120))
    persona_name: Mapped[str | None] = mapped_column(String(200))
    archetype: Mapped[str | None] = mapped_column(String(60))
    gauntlet_id: Mapped[int | None] = mapped_column(ForeignKey("gauntlets.id", ondelete="SET NULL"))
    call_index: Mapped[int | None] = mapped_column(Integer)
    """1-based position in the gauntlet."""
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    duration_s: Mapped[float] = mapped_column(Float)
    overall: Mapped[float | None] = mapped_column(Float)
    """Scorecard overall 0-100 as scored (overrides leave it as it was)."""
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    """The trainee's team when the call was stored: what a coach's access follows."""
    pitch_hz: Mapped[float | None] = mapped_column(Float)
    """Trainee's median pitch, Hz."""
    loudness_dbfs: Mapped[float | None] = mapped_column(Float)
    """Trainee's median loudness, dBFS."""
    wpm: Mapped[float | None] = mapped_column(Float)
    """Trainee's speaking rate, words per minute."""
    interruptions: Mapped[int | None] = mapped_column(Integer)
    """Times the trainee cut the customer off."""
    latency_s: Mapped[float | None] = mapped_column(Float)
    """Trainee's median response latency (customer stops to trainee starts), seconds."""
    dead_air: Mapped[int | None] = mapped_column(Integer)
    """Silences longer than the analysis's dead-air threshold."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    trainee: Mapped[Trainee] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship(lazy="joined")
    items: Mapped[list[SessionItem]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="SessionItem.position"
    )


class SessionItem(Base):
    """One scorecard item of a session, as scored (the original, kept when overridden)."""

    __tablename__ = "session_items"
    __table_args__ = (Index("ix_session_items_item", "item", "session_id"),)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[str] = mapped_column(String(60), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    max: Mapped[float] = mapped_column(Float)
    applicable: Mapped[bool] = mapped_column(Boolean, default=True)


class SessionDoc(Base):
    """What a session page shows, kept in the store so a page needs no file but the audio."""

    __tablename__ = "session_docs"
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    scorecard: Mapped[dict[str, Any]] = mapped_column(JSON)
    """``scorecard.json`` as written by ``voice-sim score`` (empty before scoring)."""
    timeline: Mapped[dict[str, Any]] = mapped_column(JSON)
    """``turns``, ``markers`` and ``waveform`` (see :mod:`voice_sim.store.register`)."""


class Comment(Base):
    """A comment pinned to a time in a call."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_session", "session_id", "t_s"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    t_s: Mapped[float] = mapped_column(Float)
    """Seconds from the start of the recording."""
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[User] = relationship(lazy="joined")


class Override(Base):
    """A coach's new score for one item, with the reason; the item's original stays."""

    __tablename__ = "overrides"
    __table_args__ = (Index("ix_overrides_session", "session_id", "item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(60))
    original_score: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[User] = relationship(lazy="joined")


class Job(Base):
    """Background work started from the web app (an upload being analysed and scored)."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``upload``."""
    status: Mapped[str] = mapped_column(String(16))
    """``queued``, ``running``, ``done`` or ``failed``."""
    filename: Mapped[str] = mapped_column(String(255))
    """The uploaded file's name (display only, never used as a path)."""
    message: Mapped[str | None] = mapped_column(Text)
    """Why it failed, or a note (``already stored``)."""
    folder: Mapped[str] = mapped_column(String(1024))
    """The new session folder (relative to the data directory) holding the recording."""
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """``trainee``, ``team``, ``persona`` given with the upload."""
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Login(Base):
    """A logged-in browser: the web app's cookie names one of these, and logging out deletes it
    (so a copied cookie stops working the moment its owner logs out)."""

    __tablename__ = "logins"
    __table_args__ = (Index("ix_logins_user", "user_id"),)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The random value in the cookie (a hash of it, so a read of the table logs nobody in)."""
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Assignment(Base):
    """A gauntlet a coach sets for a team (or one trainee) to take from the practice page."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_team", "team_id"),
        Index("ix_assignments_trainee", "trainee_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    """What the trainee sees ("Friday queue")."""
    personas: Mapped[list[Any]] = mapped_column(JSON)
    """Persona ids in call order."""
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    """The team it is set for (or None with a trainee)."""
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainees.id", ondelete="CASCADE"))
    """The one trainee it is set for (or None with a team)."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


__all__ = [
    "ROLES",
    "Assignment",
    "Base",
    "CoachTeam",
    "Comment",
    "Gauntlet",
    "Job",
    "Login",
    "Override",
    "Session",
    "SessionDoc",
    "SessionItem",
    "Team",
    "Trainee",
    "User",
    "utcnow",
]
