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
calls ``await security.websocket_actor(ws, *roles)`` before accepting).
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from ..store import Database, StoreSettings, User, WebSettings
from ..store.models import CoachTeam, Trainee
from . import security

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
    return env


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
        from starlette.responses import JSONResponse

        return JSONResponse({"error": what}, status_code=404)
    return render(request, "error.html", {"status": 404, "message": what}, status_code=404)


def _actor_loader(db: Database) -> Any:
    def load(user_id: int, epoch: Any) -> security.Actor | None:
        with db.read() as s:
            user = s.get(User, user_id)
            if user is None or user.auth_epoch != epoch:
                return None
            if user.role == "coach":
                teams = tuple(
                    s.scalars(select(CoachTeam.team_id).where(CoachTeam.user_id == user.id))
                )
                return security.Actor(user.id, user.name, user.role, teams)
            trainee = s.scalar(select(Trainee).where(Trainee.user_id == user.id))
            return security.Actor(
                user.id,
                user.name,
                user.role,
                (trainee.team_id,) if trainee and trainee.team_id else (),
                trainee.id if trainee else None,
            )

    return load


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

    async def server_error(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("Internal error; the server log has the details.", 500)

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={500: server_error})
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
    app.add_middleware(
        security.SecurityMiddleware,
        secret=secret,
        load_actor=_actor_loader(db),
        max_age_s=settings.session_max_age_s,
        secure=settings.secure_cookies,
    )
    return app
