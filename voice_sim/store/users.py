"""User accounts: create, authenticate, and what each one may see."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import ColumnElement, delete, exists, false, func, or_, select, true, update
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session as OrmSession

from .errors import StoreError
from .models import ROLES, CoachTeam, Gauntlet, Login, Session, Team, Trainee, User, utcnow
from .passwords import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, hash_password
from .register import get_team, get_trainee

#: User names: letters, digits and . _ - (they appear in URLs and cookies' user records).
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
MAX_NAME_CHARS = 120


def check_name(name: str) -> str:
    """``name`` stripped, or a StoreError saying what is wrong with it."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS or not set(name) <= NAME_CHARS:
        raise StoreError(
            f"user name {name!r}: use 1-{MAX_NAME_CHARS} letters, digits, '.', '_', '-' or '@'"
        )
    return name


def add_user(s: OrmSession, name: str, role: str, password: str, teams: Sequence[str] = ()) -> User:
    """Create (or update the role, password and teams of) an account.

    A trainee account is linked to the trainee of the same name (their stored calls become
    theirs) and joins ``teams[0]``; a coach coaches every team in ``teams``.
    """
    name = check_name(name)
    if role not in ROLES:
        raise StoreError(f"--role: expected one of {', '.join(ROLES)}, got {role!r}")
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise StoreError(f"password: use {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")
    if role == "trainee" and len(teams) > 1:
        raise StoreError("--team: a trainee belongs to one team")
    user = s.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, role=role, password_hash=hash_password(password), auth_epoch=0)
        s.add(user)
    else:
        user.role = role
        user.password_hash = hash_password(password)
        user.auth_epoch += 1  # old login cookies stop working
    s.flush()
    if role == "coach":
        for t in teams:
            team = get_team(s, t)
            if s.get(CoachTeam, (user.id, team.id)) is None:
                s.add(CoachTeam(user_id=user.id, team_id=team.id))
    if role == "trainee":
        trainee = get_trainee(s, name, teams[0] if teams else None)
        trainee.user_id = user.id
        if trainee.team_id is not None:  # earlier calls stored without a team follow them
            s.execute(
                update(Session)
                .where(Session.trainee_id == trainee.id, Session.team_id.is_(None))
                .values(team_id=trainee.team_id)
            )
    s.flush()
    return user


def _login_key(nonce: str) -> str:
    """What the logins table keeps of a cookie's nonce: its SHA-256 (a copy of the table is no
    copy of anyone's cookie)."""
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def start_login(s: OrmSession, user_id: int, nonce: str, *, max_age_s: float) -> None:
    """Record a logged-in browser (and drop records older than any cookie can be)."""
    s.execute(delete(Login).where(Login.created_at < utcnow() - dt.timedelta(seconds=max_age_s)))
    s.add(Login(nonce=_login_key(nonce), user_id=user_id, created_at=utcnow()))
    s.flush()


def end_login(s: OrmSession, nonce: str) -> None:
    """Forget a logged-in browser: its cookie logs nobody in from now on."""
    s.execute(delete(Login).where(Login.nonce == _login_key(nonce)))


def logged_in_user(s: OrmSession, user_id: int, epoch: object, nonce: str) -> User | None:
    """The user a cookie names, if that login is still on record and the password unchanged."""
    user = s.scalar(
        select(User)
        .join(Login, Login.user_id == User.id)
        .where(User.id == user_id, Login.nonce == _login_key(nonce))
    )
    if user is None or user.auth_epoch != epoch:
        return None
    return user


def count_users(s: OrmSession) -> int:
    return int(s.scalar(select(func.count(User.id))) or 0)


class Viewer(Protocol):
    """Who is looking: the web app's ``Actor`` (or anything with these attributes)."""

    @property
    def role(self) -> str: ...
    @property
    def team_ids(self) -> tuple[int, ...]:
        """Teams a coach coaches."""

    @property
    def trainee_id(self) -> int | None:
        """A trainee account's own trainee row."""


def _owned_rows(
    viewer: Viewer, team_id: InstrumentedAttribute[Any], trainee_id: InstrumentedAttribute[Any]
) -> ColumnElement[bool]:
    """A WHERE clause on a table of calls with these ``team_id`` and ``trainee_id`` columns:
    admins see every row; a coach, the rows of the teams they coach; a trainee, their own."""
    if viewer.role == "admin":
        return true()
    if viewer.role == "coach":
        return team_id.in_(viewer.team_ids) if viewer.team_ids else false()
    if viewer.role == "trainee" and viewer.trainee_id is not None:
        return trainee_id == viewer.trainee_id
    return false()


def visible_sessions(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause on ``sessions`` for what ``viewer`` may see.

    Admins see everything; a coach sees the sessions of the teams they coach; a trainee sees
    their own.
    """
    return _owned_rows(viewer, Session.team_id, Session.trainee_id)


def visible_trainees(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause on ``trainees`` for whose pages ``viewer`` may open: a coach's trainees
    are those of the teams they coach, and those with a call the coach may open (a trainee who
    moved to another team keeps their old team's calls visible to its coach)."""
    if viewer.role == "admin":
        return true()
    if viewer.role == "coach":
        if not viewer.team_ids:
            return false()
        return or_(
            Trainee.team_id.in_(viewer.team_ids),
            exists().where(Session.trainee_id == Trainee.id, visible_sessions(viewer)),
        )
    if viewer.role == "trainee" and viewer.trainee_id is not None:
        return Trainee.id == viewer.trainee_id
    return false()


def visible_gauntlets(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause on ``gauntlets``, as :func:`visible_sessions` is on their calls."""
    return _owned_rows(viewer, Gauntlet.team_id, Gauntlet.trainee_id)


def visible_teams(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause on ``teams`` for whose pages ``viewer`` may open (trainees: none)."""
    if viewer.role == "admin":
        return true()
    if viewer.role == "coach" and viewer.team_ids:
        return Team.id.in_(viewer.team_ids)
    return false()
