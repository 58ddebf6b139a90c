"""The JSON API (``docs/api.md``): the same login, roles and CSRF rules as the pages."""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...store import StoreError
from ...store.queries import get_visible, list_sessions, parse_filter, session_detail
from ...store.review import add_comment, add_override
from .. import security
from ..app import path_id, state


def _bad(reason: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


def _row_json(r: dict[str, Any]) -> dict[str, Any]:
    out = dict(r)
    out["started_at"] = r["started_at"].isoformat() + "Z"
    out["url"] = f"/sessions/{r['id']}"
    return out


async def me(request: Request) -> Response:
    """Who is logged in (null when nobody) and the CSRF token for this session."""
    who = security.actor(request)
    return JSONResponse(
        {
            "user": None if who is None else {"id": who.id, "name": who.name, "role": who.role},
            "csrf_token": security.request_csrf_token(request),
        }
    )


@security.login_required
async def sessions(request: Request) -> Response:
    vs = state(request)
    who = security.logged_in(request)
    try:
        f = parse_filter(request.query_params, per_page=vs.settings.page_size)
    except StoreError as exc:
        return _bad(str(exc))

    def load() -> tuple[list[dict[str, Any]], int]:
        with vs.db.read() as s:
            return list_sessions(s, who, f)

    rows, total = await run_in_threadpool(load)
    return JSONResponse(
        {
            "total": total,
            "page": f.page,
            "per_page": f.per_page,
            "sessions": [_row_json(r) for r in rows],
        }
    )


@security.login_required
async def session(request: Request) -> Response:
    vs = state(request)
    who = security.logged_in(request)
    sid = path_id(request, "session_id")

    def load() -> dict[str, Any] | None:
        with vs.db.read() as s:
            row = get_visible(s, who, sid) if sid is not None else None
            return None if row is None else session_detail(s, row)

    got = await run_in_threadpool(load)
    if got is None:
        return _bad("no such session", 404)
    got["recording_url"] = f"/sessions/{got['id']}/recording"
    return JSONResponse(got)


async def _body(request: Request) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            data = json.loads(await request.body())
        except (ValueError, RecursionError):  # RecursionError: nested too deep to be ours
            raise StoreError("body: not valid JSON") from None
        if not isinstance(data, dict):
            raise StoreError("body: expected a JSON object")
        return data
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _write(request: Request, fn: Any, staff_only: bool = False) -> Response:
    vs = state(request)
    who = security.logged_in(request)
    sid = path_id(request, "session_id")
    try:
        body = await _body(request)
    except StoreError as exc:
        return _bad(str(exc))

    def work() -> dict[str, Any] | str:
        with vs.db.write() as s:
            row = get_visible(s, who, sid) if sid is not None else None
            if row is None:
                return "404"
            if staff_only and not who.is_staff:
                return "403"
            return fn(s, row, who, body)

    try:
        got = await run_in_threadpool(work)
    except StoreError as exc:
        return _bad(str(exc))
    if got == "404":
        return _bad("no such session", 404)
    if got == "403":
        return _bad("only coaches and admins override scores", 403)
    return JSONResponse(got, status_code=201)


@security.login_required
async def post_comment(request: Request) -> Response:
    def fn(s: Any, row: Any, who: security.Actor, body: dict[str, Any]) -> dict[str, Any]:
        c = add_comment(s, row, who.id, body.get("t_s"), body.get("text"))
        return {
            "comment": {
                "id": c.id,
                "t_s": c.t_s,
                "text": c.text,
                "by": who.name,
                "at": c.created_at.isoformat() + "Z",
            }
        }

    return await _write(request, fn)


@security.login_required
async def post_override(request: Request) -> Response:
    def fn(s: Any, row: Any, who: security.Actor, body: dict[str, Any]) -> dict[str, Any]:
        o = add_override(s, row, who.id, body.get("item"), body.get("score"), body.get("reason"))
        return {
            "override": {
                "id": o.id,
                "item": o.item,
                "original_score": o.original_score,
                "score": o.score,
                "reason": o.reason,
                "by": who.name,
                "at": o.created_at.isoformat() + "Z",
            }
        }

    return await _write(request, fn, staff_only=True)


routes = [
    Route("/api/me", me, methods=["GET"]),
    Route("/api/sessions", sessions, methods=["GET"]),
    Route("/api/sessions/{session_id}", session, methods=["GET"]),
    Route("/api/sessions/{session_id}/comments", post_comment, methods=["POST"]),
    Route("/api/sessions/{session_id}/overrides", post_override, methods=["POST"]),
]
