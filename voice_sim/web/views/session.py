"""A session page: recording with waveform and markers, transcript, items with evidence,
comments pinned to a time, coach overrides; and the session's files."""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ...store import StoreError
from ...store.queries import get_visible, session_detail
from ...store.review import add_comment, add_override
from .. import security
from ..app import not_found, path_id, render, state
from ..files import AUDIO_TYPES, SESSION_FILES, FileRefused, read_case_note, recording_file
from ..files import session_file as resolve_session_file

#: Session files the page links to, when the folder has them: (file name, link text).
LINKED_FILES = (
    ("report.html", "report"),
    ("scorecard.json", "scorecard.json"),
    ("analysis.json", "analysis.json"),
    ("case_note.md", "case note"),
)


def _servable(locate: Any) -> bool:
    """Whether the file route would serve what ``locate()`` finds (it raises FileRefused)."""
    try:
        locate()
    except FileRefused:
        return False
    return True


def highlighted_turns(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """Transcript turns split into plain and scored parts: each evidence quote is marked in the
    turn that holds it (same speaker, containing its start time), with won/lost."""
    turns = detail["timeline"].get("turns") or []
    quotes: list[tuple[float, str, str, str]] = []
    for it in detail["items"]:
        for e in it["evidence"]:
            if (
                e.get("quote")
                and e.get("start_s") is not None
                and e.get("effect") in ("won", "lost")
            ):
                quotes.append(
                    (float(e["start_s"]), e.get("speaker") or "", e["quote"], e["effect"])
                )
    out = []
    for t in turns:
        text = t.get("text") or ""
        spans: list[tuple[int, int, str]] = []
        for start, speaker, quote, effect in quotes:
            if speaker and speaker != t.get("speaker"):
                continue
            if not (t["start_s"] - 0.5 <= start <= t["end_s"] + 0.5):
                continue
            m = re.search(re.escape(quote.strip(" .,!?")), text, re.I)
            if m and not any(a < m.end() and m.start() < b for a, b, _ in spans):
                spans.append((m.start(), m.end(), effect))
        spans.sort()
        parts, pos = [], 0
        for a, b, effect in spans:
            parts.append({"text": text[pos:a], "effect": None})
            parts.append({"text": text[a:b], "effect": effect})
            pos = b
        parts.append({"text": text[pos:], "effect": None})
        out.append({**t, "parts": [p for p in parts if p["text"]]})
    return out


@security.login_required
async def session_page(request: Request) -> Response:
    return await _page(request)


async def _page(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    """The session page; ``error`` is why a comment or override just sent was refused (it
    comes from our own check, never from the URL)."""
    vs = state(request)
    who = security.logged_in(request)
    sid = path_id(request, "session_id")
    if sid is None:
        return not_found(request)

    def load() -> tuple[dict[str, Any], str | None, list[tuple[str, str]], bool] | None:
        with vs.db.read() as s:
            row = get_visible(s, who, sid)
            if row is None:
                return None
            files = [
                (name, label)
                for name, label in LINKED_FILES
                if _servable(lambda n=name: resolve_session_file(row.folder, n, vs.data_dir))
            ]
            has_rec = _servable(lambda: recording_file(row.folder, row.recording, vs.data_dir))
            return (
                session_detail(s, row),
                read_case_note(row.folder, vs.data_dir),
                files,
                has_rec,
            )

    got = await run_in_threadpool(load)
    if got is None:
        return not_found(request, "no such session")
    detail, note, files, has_recording = got
    page_data = {
        "id": detail["id"],
        "duration_s": detail["duration_s"],
        "markers": detail["timeline"].get("markers") or [],
        "waveform": detail["timeline"].get("waveform") or [],
        "comments": detail["comments"],
    }
    return render(
        request,
        "session.html",
        {
            "s": detail,
            "turns": highlighted_turns(detail),
            "page_data": page_data,
            "case_note": note,
            "can_override": who.is_staff,
            "error": error,
            "files": files,
            "has_recording": has_recording,
        },
        status_code=status_code,
    )


async def _with_row(request: Request, fn: Any) -> Response:
    vs = state(request)
    who = security.logged_in(request)
    sid = path_id(request, "session_id")
    if sid is None:
        return not_found(request)
    form = await request.form()

    def work() -> str | None:
        with vs.db.write() as s:
            row = get_visible(s, who, sid)
            if row is None:
                return "404"
            fn(s, row, who, form)
            return None

    try:
        missing = await run_in_threadpool(work)
    except StoreError as exc:
        return await _page(request, str(exc), status_code=400)
    if missing:
        return not_found(request, "no such session")
    return RedirectResponse(f"/sessions/{sid}#review", status_code=303)


@security.login_required
async def post_comment(request: Request) -> Response:
    return await _with_row(
        request, lambda s, row, who, f: add_comment(s, row, who.id, f.get("t_s"), f.get("text"))
    )


@security.login_required
async def post_override(request: Request) -> Response:
    who = security.logged_in(request)
    if not who.is_staff:
        # a trainee who can see the session learns it exists; others still get 404
        sid = path_id(request, "session_id")

        def visible() -> bool:
            with state(request).db.read() as s:
                return sid is not None and get_visible(s, who, sid) is not None

        if not await run_in_threadpool(visible):
            return not_found(request, "no such session")
        return security.forbidden(request, "only coaches and admins override scores")
    return await _with_row(
        request,
        lambda s, row, who, f: add_override(
            s, row, who.id, f.get("item"), f.get("score"), f.get("reason")
        ),
    )


async def _file(request: Request, name: str | None) -> Response:
    vs = state(request)
    who = security.logged_in(request)
    sid = path_id(request, "session_id")
    if sid is None:
        return not_found(request)

    def locate() -> Any:
        with vs.db.read() as s:
            row = get_visible(s, who, sid)
            if row is None:
                return None
            if name is None:
                return recording_file(row.folder, row.recording, vs.data_dir)
            return resolve_session_file(row.folder, name, vs.data_dir)

    try:
        path = await run_in_threadpool(locate)
    except FileRefused as exc:
        return PlainTextResponse(exc.reason, status_code=exc.status)
    if path is None:
        return not_found(request, "no such session")
    if name is None:
        media = AUDIO_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return FileResponse(path, media_type=media)
    headers = {"x-content-type-options": "nosniff"}
    if name.endswith((".html", ".svg")):
        # the report runs its own script; a sandbox gives it no access to our cookies or API
        headers["content-security-policy"] = "sandbox allow-scripts"
    return FileResponse(path, media_type=SESSION_FILES[name], headers=headers)


@security.login_required
async def recording(request: Request) -> Response:
    return await _file(request, None)


@security.login_required
async def session_file(request: Request) -> Response:
    return await _file(request, request.path_params["name"])


routes = [
    Route("/sessions/{session_id}", session_page, methods=["GET"]),
    Route("/sessions/{session_id}/recording", recording, methods=["GET"]),
    Route("/sessions/{session_id}/files/{name:path}", session_file, methods=["GET"]),
    Route("/sessions/{session_id}/comments", post_comment, methods=["POST"]),
    Route("/sessions/{session_id}/overrides", post_override, methods=["POST"]),
]
