"""Every setting of the session store and the web app, as named constants in frozen objects.

Resolved defaults < config file ``[store]`` / ``[web]`` < ``VOICE_SIM_STORE_*`` /
``VOICE_SIM_WEB_*`` < flags by :func:`voice_sim.config.resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The SQLite file inside the data directory when no ``database_url`` is set.
SQLITE_FILENAME = "voice-sim.db"
#: How long a writer waits for another writer's lock before failing. A gauntlet and an import
#: writing at once each hold the lock for milliseconds per session, so 30 s is generous.
BUSY_TIMEOUT_S = 30.0

#: Upload size limit: a 20-minute stereo 16-bit WAV at 16 kHz is 77 MB; 48 kHz stereo about 230 MB.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
#: A recording shorter than this cannot hold a conversation worth scoring.
MIN_UPLOAD_S = 0.5
#: Longest accepted recording: a support call that runs past two hours is not one to score, and
#: compressed audio (FLAC packs silence a thousandfold) can hold days within the size limit.
MAX_UPLOAD_S = 2 * 3600.0
#: Sample rates an upload may have: telephone audio (8 kHz) up to studio rates.
MIN_UPLOAD_RATE_HZ = 8000
MAX_UPLOAD_RATE_HZ = 192_000
#: Rows per page of the sessions list.
PAGE_SIZE = 50
#: Largest page an API client may ask for.
MAX_PAGE_SIZE = 500
#: The session cookie lives this long (a working week).
SESSION_MAX_AGE_S = 7 * 24 * 3600
#: Failed logins for one user name or address before each further attempt waits.
LOGIN_FREE_FAILURES = 3
#: The wait after the free failures doubles from this, capped at LOGIN_MAX_DELAY_S.
LOGIN_BASE_DELAY_S = 0.5
LOGIN_MAX_DELAY_S = 8.0
#: Points on the waveform drawn on a session page (peaks per channel).
WAVEFORM_POINTS = 1200
#: Worker processes that analyse and score uploads in the server.
UPLOAD_WORKERS = 1


@dataclass(frozen=True)
class StoreSettings:
    """Where sessions are stored ([store] in the config file, VOICE_SIM_STORE_* in the env)."""

    database_url: str | None = None
    """SQLAlchemy URL, e.g. postgresql://user@host/db; None = SQLite in the data directory."""
    busy_timeout_s: float = BUSY_TIMEOUT_S
    """How long a writer waits for another writer, seconds."""


@dataclass(frozen=True)
class WebSettings:
    """The web app ([web] in the config file, VOICE_SIM_WEB_* in the env)."""

    max_upload_bytes: int = MAX_UPLOAD_BYTES
    """Largest accepted upload, bytes."""
    min_upload_s: float = MIN_UPLOAD_S
    """Shortest accepted recording, seconds."""
    max_upload_s: float = MAX_UPLOAD_S
    """Longest accepted recording, seconds (checked on the decoded audio, not the file size)."""
    page_size: int = PAGE_SIZE
    """Rows per page of the sessions list."""
    session_max_age_s: int = SESSION_MAX_AGE_S
    """Lifetime of the login cookie, seconds."""
    login_free_failures: int = LOGIN_FREE_FAILURES
    """Failed logins allowed before attempts slow down."""
    login_base_delay_s: float = LOGIN_BASE_DELAY_S
    """First wait after the free failures, seconds (doubles each failure)."""
    login_max_delay_s: float = LOGIN_MAX_DELAY_S
    """Longest wait before a login attempt is answered, seconds."""
    upload_workers: int = UPLOAD_WORKERS
    """Worker processes that analyse and score uploads."""
    secure_cookies: bool = False
    """Mark cookies Secure and send Strict-Transport-Security (set it when serving behind
    HTTPS)."""
    trusted_proxies: str = ""
    """Comma-separated addresses of reverse proxies in front of ``serve`` whose
    X-Forwarded-For / X-Forwarded-Proto are believed (the login lock then counts each client's
    own address). Empty: the headers are ignored, since any client could send them."""
