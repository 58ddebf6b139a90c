"""The ASGI app factory: ``create_app(data_dir)`` -> a Starlette app.

Adding a route family
---------------------
Write ``voice_sim/web/views/<family>.py`` with a module-level ``routes: list[BaseRoute]`` and add
its name to :data:`VIEW_MODULES`. Endpoints get the current user with
``security.actor(request)``, guard themselves with ``@security.login_required`` /
``@security.roles_required(...)``, reach the store with ``state(request).db`` and render pages
with ``render(request, "page.html", {...})`` (templates extend ``base.html``; the CSRF token is
in every page's ``<meta name="csrf-token">`` and in the ``csrf_field()`` template helper). CSRF,
the session cookie and same-origin checks are applied to every route by
:class:`~voice_sim.web.security.SecurityMiddleware`, WebSockets included (a WebSocket endpoint
reads ``security.actor(ws)`` and checks the ``Origin`` with
:func:`voice_sim.transport.origin.origin_allowed` before accepting, as the call socket does).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession
from starlette.applications import Starlette
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store import Database, StoreSettings, User, WebSettings
from ..store.models import CoachTeam, Trainee
from ..store.users import logged_in_user
from . import security

log = logging.getLogger("voice_sim.web")

#: Route families, in the order their routes are matched.
VIEW_MODULES = ("auth", "sessions", "session", "people", "upload", "api", "practice")

WEB_DIR = Path(str(resources.files("voice_sim.web")))
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"


@dataclass
class AppState:
    """What every endpoint reaches through ``state(request)``."""

    db: Database
    data_dir: Path
    settings: WebSettings
    secret: bytes
    templates: Environment
    throttle: security.LoginThrottle
    jobs: Any = None
    """The upload job runner (:class:`voice_sim.web.jobs.JobRunner`), started with the app."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Room for route families to keep their own state."""


def state(conn: HTTPConnection) -> AppState:
    vs: AppState = conn.app.state.vs
    return vs


def parse_id(raw: str, missing: int | None = None) -> int | None:
    """A row id from a URL or a form (digits, fewer than 12), else ``missing``."""
    return int(raw) if raw.isdigit() and len(raw) < 12 else missing


def path_id(conn: HTTPConnection, name: str) -> int | None:
    """The row id in the path parameter ``name``, or None when it is not one."""
    return parse_id(conn.path_params[name])


def _static_hashes() -> dict[str, str]:
    out = {}
    for p in STATIC_DIR.rglob("*"):
        if p.is_file():
            out[p.relative_to(STATIC_DIR).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()[
                :10
            ]
    return out


def make_templates() -> Environment:
    """Jinja2 with autoescaping on for every template (.html and anything else)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    hashes = _static_hashes()

    def static(name: str) -> str:
        return f"/static/{name}?v={hashes.get(name, '0')}"

    env.globals["static"] = static
    env.filters["mmss"] = fmt_mmss
    env.filters["score"] = lambda v: "–" if v is None else f"{v:.0f}"
    env.filters["count"] = count_of
    return env


def count_of(n: int, noun: str) -> str:
    """``3 calls``, ``1 call``: a count with its noun (``{{ n | count('call') }}``)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def fmt_mmss(t: float | None) -> str:
    if t is None:
        return ""
    t = max(0.0, float(t))
    return f"{int(t // 60)}:{int(t % 60):02d}"


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A page: ``template`` with ``context`` plus ``request``, ``actor`` and the CSRF helpers."""
    token = security.request_csrf_token(request)
    ctx = {
        "request": request,
        "actor": security.actor(request),
        "csrf_token": token,
        "csrf_field": Markup(f'<input type="hidden" name="{security.CSRF_FIELD}" value="{token}">'),
        **context,
    }
    html = state(request).templates.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code)


def not_found(request: Request, what: str = "not found") -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": what}, status_code=404)
    return render(request, "error.html", {"status": 404, "message": what}, status_code=404)


def actor_of(s: OrmSession, user: User) -> security.Actor:
    """What a route sees of ``user``: role, the teams they coach or belong to, their trainee."""
    if user.role == "coach":
        teams = tuple(s.scalars(select(CoachTeam.team_id).where(CoachTeam.user_id == user.id)))
        return security.Actor(user.id, user.name, user.role, teams)
    trainee = s.scalar(select(Trainee).where(Trainee.user_id == user.id))
    return security.Actor(
        user.id,
        user.name,
        user.role,
        (trainee.team_id,) if trainee and trainee.team_id else (),
        trainee.id if trainee else None,
    )


def _actor_loader(db: Database) -> Callable[[int, Any, str], security.Actor | None]:
    """The middleware's lookup of a cookie's user (run on a thread: it reads the store)."""

    def load(user_id: int, epoch: Any, nonce: str) -> security.Actor | None:
        with db.read() as s:
            user = logged_in_user(s, user_id, epoch, nonce)
            return None if user is None else actor_of(s, user)

    return load


#: What a failed request is told (the details go to the server log only).
INTERNAL_ERROR = "internal error; the server log has the details"


class ErrorPages:
    """A bug in a route is logged with its traceback and answered with a plain 500 page (JSON
    under ``/api/``) that says nothing of it; the connection stays usable."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except security.BodyTooLarge:
            raise  # answered 413 by the security middleware
        except Exception:
            log.exception("error answering %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await _error_response(Request(scope, receive))(scope, receive, send)


def _error_response(request: Request) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": INTERNAL_ERROR}, status_code=500)
    try:
        return render(request, "error.html", {"status": 500, "message": INTERNAL_ERROR}, 500)
    except Exception:  # the templates or the state are what broke
        return PlainTextResponse(INTERNAL_ERROR.capitalize() + ".", status_code=500)


def create_app(
    data_dir: Path,
    *,
    store_settings: StoreSettings | None = None,
    web_settings: WebSettings | None = None,
    db: Database | None = None,
    start_jobs: bool = True,
) -> Starlette:
    """The web app over the store of ``data_dir`` (opened and migrated here unless ``db``)."""
    data_dir = Path(data_dir)
    settings = web_settings or WebSettings()
    db = db or Database.open(data_dir, store_settings)
    secret = security.load_secret(data_dir)
    routes: list[BaseRoute] = []
    for name in VIEW_MODULES:
        routes += importlib.import_module(f"voice_sim.web.views.{name}").routes
    routes.append(Mount("/static", app=StaticFiles(directory=str(STATIC_DIR)), name="static"))

    from contextlib import asynccontextmanager

    from .jobs import JobRunner

    runner = JobRunner(db, data_dir, workers=settings.upload_workers)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        if start_jobs:
            runner.start()
        try:
            yield
        finally:
            runner.stop()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.vs = AppState(
        db=db,
        data_dir=data_dir,
        settings=settings,
        secret=secret,
        templates=make_templates(),
        throttle=security.LoginThrottle(
            settings.login_free_failures, settings.login_base_delay_s, settings.login_max_delay_s
        ),
        jobs=runner,
    )
    app.add_middleware(ErrorPages)  # inside the security middleware: its headers and cookie
    app.add_middleware(
        security.SecurityMiddleware,
        secret=secret,
        load_actor=_actor_loader(db),
        max_age_s=settings.session_max_age_s,
        secure=settings.secure_cookies,
    )
    return app
