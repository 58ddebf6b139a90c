"""The session store: every call, its scores, comments and overrides, users and teams.

SQLite in the data directory by default (WAL), PostgreSQL through ``[store] database_url``; the
same SQLAlchemy 2 models and Alembic migrations serve both.

Importing this package imports SQLAlchemy: command modules import it inside their functions so
``voice-sim --help`` stays fast.
"""

from .db import HEAD_REVISION, Database, current_revision, database_url, migrate
from .errors import StoreError
from .models import (
    ROLES,
    Base,
    CoachTeam,
    Comment,
    Gauntlet,
    Job,
    Login,
    Override,
    Session,
    SessionDoc,
    SessionItem,
    Team,
    Trainee,
    User,
)
from .register import (
    SessionRecord,
    gauntlet_calls,
    is_stored,
    read_session,
    sha256_file,
    store_gauntlet,
    store_session,
)
from .settings import StoreSettings, WebSettings
from .users import Viewer, add_user, count_users, visible_sessions, visible_teams, visible_trainees

__all__ = [
    "HEAD_REVISION",
    "ROLES",
    "Base",
    "CoachTeam",
    "Comment",
    "Database",
    "Gauntlet",
    "Job",
    "Login",
    "Override",
    "Session",
    "SessionDoc",
    "SessionItem",
    "SessionRecord",
    "StoreError",
    "StoreSettings",
    "Team",
    "Trainee",
    "User",
    "Viewer",
    "WebSettings",
    "add_user",
    "count_users",
    "current_revision",
    "database_url",
    "gauntlet_calls",
    "is_stored",
    "migrate",
    "read_session",
    "sha256_file",
    "store_gauntlet",
    "store_session",
    "visible_sessions",
    "visible_teams",
    "visible_trainees",
]
