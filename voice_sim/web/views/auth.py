"""Login, logout and the front door."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...store import User
from ...store.passwords import MAX_PASSWORD_CHARS, dummy_verify, verify_password
from ...store.users import end_login, start_login
from .. import security
from ..app import actor_of, render, state


def _safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target (no //host or scheme: no open redirect)."""
    if not target:
        return "/sessions"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/sessions"
    if "\\" in target:
        return "/sessions"
    return target


async def home(request: Request) -> Response:
    if security.actor(request) is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/sessions", status_code=303)


async def login_form(request: Request) -> Response:
    nxt = _safe_next(request.query_params.get("next"))
    if security.actor(request) is not None:
        return RedirectResponse(nxt, status_code=303)
    return render(request, "login.html", {"next": nxt, "error": None, "username": ""})


def _too_many(request: Request, wait_s: float, nxt: str, name: str) -> Response:
    seconds = max(1, math.ceil(wait_s))
    resp = render(
        request,
        "login.html",
        {
            "next": nxt,
            "error": f"Too many failed logins: try again in {seconds} s.",
            "username": name,
        },
        status_code=429,
    )
    resp.headers["retry-after"] = str(seconds)
    return resp


async def login(request: Request) -> Response:
    form = await request.form()
    name = str(form.get("username") or "").strip()[:200]
    password = str(form.get("password") or "")[: MAX_PASSWORD_CHARS + 1]
    nxt = _safe_next(str(form.get("next") or ""))
    vs = state(request)
    address = request.client.host if request.client else "?"
    # counted before the password is checked, so guesses sent at once are counted at once
    wait = vs.throttle.attempt(name, address)
    if wait:
        return _too_many(request, wait, nxt, name)

    def check() -> tuple[User | None, bool]:
        with vs.db.read() as s:
            user = s.scalar(select(User).where(User.name == name)) if name else None
            if user is None:
                dummy_verify(password)
                return None, False
            return user, verify_password(password, user.password_hash)

    user, ok = await run_in_threadpool(check)
    if user is None or not ok:
        return render(
            request,
            "login.html",
            {"next": nxt, "error": "Wrong user name or password.", "username": name},
            status_code=401,
        )
    vs.throttle.succeeded(name, address)
    uid, epoch = user.id, user.auth_epoch

    def start(nonce: str) -> security.Actor:
        with vs.db.write() as s:
            start_login(s, uid, nonce, max_age_s=vs.settings.session_max_age_s)
            u = s.get(User, uid)
            assert u is not None
            return actor_of(s, u)

    nonce = security.new_nonce()
    who = await run_in_threadpool(start, nonce)
    security.log_in(request, who, epoch, nonce)
    return RedirectResponse(nxt, status_code=303)


async def logout(request: Request) -> Response:
    vs = state(request)
    if security.actor(request) is not None:
        old = security.auth_state(request).nonce

        def end() -> None:
            with vs.db.write() as s:
                end_login(s, old)

        await run_in_threadpool(end)
    security.log_out(request)
    return RedirectResponse("/login", status_code=303)


routes = [
    Route("/", home, methods=["GET"]),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
