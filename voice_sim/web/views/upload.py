"""Uploads: the page where a coach drops recordings, and ``POST /api/uploads``."""

from __future__ import annotations

import os
import shutil
from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ...store import Job, Session, Team, Trainee, visible_teams, visible_trainees
from ...store.ingest import UPLOADS_DIR, import_folder
from ...store.models import utcnow
from ...store.queries import get_visible
from ...store.register import sha256_file, stored_path
from .. import security
from ..app import render, state
from ..uploads import FORMAT_SUFFIX, UploadRefused, check_audio, parse_upload


def job_json(job: Job, session_visible: bool = True) -> dict[str, Any]:
    """A job as the API shows it; the session it made or matched only when the asker may
    open it (a duplicate of another team's call must not hand out that call's id)."""
    sid = job.session_id if session_visible else None
    return {
        "id": job.id,
        "status": job.status,
        "filename": job.filename,
        "message": job.message,
        "session_id": sid,
        "session_url": f"/sessions/{sid}" if sid else None,
        "created_at": job.created_at.isoformat() + "Z",
        "updated_at": job.updated_at.isoformat() + "Z",
    }


@security.roles_required("admin", "coach")
async def upload_page(request: Request) -> Response:
    vs = state(request)
    who = security.logged_in(request)

    def load() -> dict[str, Any]:
        with vs.db.read() as s:
            teams = list(s.scalars(select(Team.name).where(visible_teams(who)).order_by(Team.name)))
            jobs = list(
                s.scalars(
                    select(Job).where(Job.user_id == who.id).order_by(Job.id.desc()).limit(20)
                )
            )
            trainees = list(
                s.scalars(select(Trainee.name).where(visible_trainees(who)).order_by(Trainee.name))
            )
            return {
                "teams": teams,
                "trainees": trainees,
                "jobs": [_job_for(s, who, j) for j in jobs],
            }

    ctx = await run_in_threadpool(load)
    from personas import list_personas

    from ...store.ingest import AUDIO_SUFFIXES

    ctx["personas"] = [(p.id, p.display_name) for p in await run_in_threadpool(list_personas)]

    return render(
        request,
        "upload.html",
        {
            **ctx,
            "max_mb": vs.settings.max_upload_bytes // (1024 * 1024),
            "accept": ",".join(AUDIO_SUFFIXES),
        },
    )


def _job_for(s: Any, who: security.Actor, job: Job) -> dict[str, Any]:
    visible = job.session_id is None or get_visible(s, who, job.session_id) is not None
    return job_json(job, session_visible=visible)


def _options(s: Any, who: security.Actor, fields: dict[str, str]) -> dict[str, Any]:
    trainee = (fields.get("trainee") or "").strip()
    team = (fields.get("team") or "").strip() or None
    persona = (fields.get("persona") or "").strip() or None
    if not trainee or len(trainee) > 120:
        raise UploadRefused(400, "trainee: give the trainee's name (1-120 characters)")
    if persona is not None:
        from personas import persona_ids

        if persona not in persona_ids():
            raise UploadRefused(400, f"persona: unknown persona {persona!r}")
    existing = s.scalar(select(Trainee).where(Trainee.name == trainee))
    if who.role == "coach":
        coached = dict(s.execute(select(Team.name, Team.id).where(Team.id.in_(who.team_ids))).all())
        if team is None and existing is not None and existing.team_id in who.team_ids:
            team = existing.team.name
        if team is None or team not in coached:
            raise UploadRefused(400, "team: choose one of the teams you coach")
        # only an admin puts a trainee in a team: a coach's upload may not move anyone into
        # theirs (they would see that trainee's calls from then on)
        if existing is not None and existing.team_id != coached[team]:
            raise UploadRefused(400, f"trainee: {trainee} is in a team you do not coach")
    return {"trainee": trainee, "team": team, "persona": persona}


@security.roles_required("admin", "coach")
async def api_upload(request: Request) -> Response:
    """Accept one recording (multipart field ``file``; fields ``trainee``, ``team``,
    ``persona``): checked before it is stored, then queued for analysis and scoring."""
    vs = state(request)
    who = security.logged_in(request)
    length = request.headers.get("content-length")
    try:
        parsed = await parse_upload(
            request.stream(),
            request.headers.get("content-type", ""),
            int(length) if length and length.isdigit() else None,
            vs.data_dir,
            vs.settings.max_upload_bytes,
        )
    except UploadRefused as exc:
        return _refused(request, exc)

    def accept() -> dict[str, Any]:
        try:
            assert parsed.path is not None
            info = check_audio(
                parsed.path, min_s=vs.settings.min_upload_s, max_s=vs.settings.max_upload_s
            )
            with vs.db.read() as s:
                opts = _options(s, who, parsed.fields)
            content_hash = sha256_file(parsed.path)
            filename = os.path.basename(parsed.filename or "recording")[:255] or "recording"
            final = import_folder(vs.data_dir, content_hash, filename, UPLOADS_DIR)
            moved = False
            try:
                with vs.db.write() as s:
                    done = s.scalar(select(Session.id).where(Session.content_hash == content_hash))
                    job = Job(
                        kind="upload",
                        status="done" if done else "queued",
                        filename=filename,
                        message="already stored" if done else None,
                        session_id=done,
                        folder=stored_path(final, vs.data_dir),
                        options=opts,
                        user_id=who.id,
                        created_at=utcnow(),
                        updated_at=utcnow(),
                    )
                    s.add(job)
                    s.flush()
                    if not done:
                        final.mkdir(parents=True, exist_ok=True)
                        os.replace(parsed.path, final / f"recording{FORMAT_SUFFIX[info.format]}")
                        moved = True
                    shown = _job_for(s, who, job)
                    # the row commits when the block ends, after the file is in place
                return shown
            except BaseException:
                if moved:  # no row: no file either
                    shutil.rmtree(final, ignore_errors=True)
                raise
        finally:
            parsed.discard()

    try:
        job = await run_in_threadpool(accept)
    except UploadRefused as exc:
        return _refused(request, exc)
    if job["status"] == "queued":
        vs.jobs.notify()
    if "application/json" not in request.headers.get(
        "accept", ""
    ) and not request.url.path.startswith("/api/"):
        return RedirectResponse("/upload", status_code=303)
    return JSONResponse({"job": job}, status_code=202 if job["status"] == "queued" else 200)


def _refused(request: Request, exc: UploadRefused) -> Response:
    return JSONResponse({"error": exc.reason}, status_code=exc.status)


@security.login_required
async def api_job(request: Request) -> Response:
    vs = state(request)
    who = security.logged_in(request)
    raw = request.path_params["job_id"]
    if not raw.isdigit() or len(raw) > 12:
        return JSONResponse({"error": "no such job"}, status_code=404)

    def load() -> dict[str, Any] | None:
        with vs.db.read() as s:
            job = s.get(Job, int(raw))
            if job is None or (job.user_id != who.id and who.role != "admin"):
                return None
            return _job_for(s, who, job)

    got = await run_in_threadpool(load)
    if got is None:
        return JSONResponse({"error": "no such job"}, status_code=404)
    return JSONResponse({"job": got})


routes = [
    Route("/upload", upload_page, methods=["GET"]),
    Route("/api/uploads", api_upload, methods=["POST"]),
    Route("/api/jobs/{job_id}", api_job, methods=["GET"]),
]
