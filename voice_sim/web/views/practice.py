"""Practice from the browser: pick a persona or a gauntlet, call, write the case note, review.

Routes (every one behind the login; POSTs behind the CSRF token, the socket behind the Origin
check and the login cookie):

    GET  /practice                          the picker, and the call panel
    POST /practice/calls                    a new call (persona) or gauntlet -> JSON or redirect
    GET  /practice/calls/{id}               the call's page (answer, or what happened after)
    WS   /practice/calls/{id}/ws            the call audio and messages (voice_sim.transport)
    POST /practice/calls/{id}/notes/{n}     the case note of call n (1-based), or skip it
    GET  /practice/calls/{id}/status        after the call: analysing, scoring, done -> review
    GET  /practice/calls/{id}/scorecard     a gauntlet's session scorecard
    POST /practice/assignments              a coach sets a gauntlet for a team they coach
    POST /practice/assignments/{id}/delete  ... and withdraws it
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute

from scoring.case_note import MAX_NOTE_CHARS

from ...errors import VoiceSimError
from ...transport import CallSocket, PracticeCall
from ...transport.ws import Receive, Scope, Send
from .. import security
from ..app import AppState, not_found, parse_id, render, state
from ..practice import GAUNTLET_BREAK_S, PracticeService, PracticeSettings

#: Calls a trainee may plan in one gauntlet from the browser.
MAX_GAUNTLET_CALLS = 6
#: Calls of the standard gauntlet offered to everyone.
STANDARD_GAUNTLET_CALLS = 3


def service(vs: AppState) -> PracticeService:
    """The app's practice service (made on first use; a test may put its own in first)."""
    svc = vs.extra.get("practice")
    if svc is None:
        svc = _make_service(vs)
        vs.extra["practice"] = svc
    assert isinstance(svc, PracticeService)
    return svc


def _make_service(vs: AppState) -> PracticeService:
    from ... import config as cfg
    from ...settings import CallSettings

    path = cfg.find_config_file(None)
    doc = cfg.load_config_file(path)
    settings = cfg.resolve(PracticeSettings, "practice", config=doc, config_path=path)
    call_settings = cfg.resolve(CallSettings, "call", config=doc, config_path=path)
    return PracticeService(
        vs.data_dir,
        store=lambda call, folders: store_calls(vs, call, folders),
        settings=settings,
        call_settings=call_settings,
    )


def store_calls(vs: AppState, call: PracticeCall, folders: list[Path]) -> tuple[list[int], str]:
    """Store a finished call (or gauntlet) for the trainee who made it; its review page."""
    from ...store.register import read_session, store_records

    gid, ids = store_records(
        vs.db,
        [read_session(f) for f in folders],
        trainee=call.plan.spec.trainee_name,
        source="live",
        gauntlet=call.plan.folder if call.plan.gauntlet else None,
    )
    return ids, (
        f"/practice/calls/{call.id}/scorecard" if gid is not None else f"/sessions/{ids[0]}"
    )


def _socket(svc: PracticeService) -> CallSocket:
    sock = getattr(svc, "_socket", None)
    if sock is None:

        async def authenticate(scope: Scope) -> str | None:
            auth = (scope.get("state") or {}).get("auth")
            who = getattr(auth, "actor", None)
            return None if who is None else str(who.id)

        trusted = [o.strip() for o in svc.settings.trusted_origins.split(",") if o.strip()]
        sock = CallSocket(
            svc.registry,
            authenticate=authenticate,
            trusted_origins=trusted,
            on_call_end=svc.on_call_end,
            on_done=svc.plan_done,
            prepare=svc.ready,
        )
        svc._socket = sock  # type: ignore[attr-defined]
    return sock


class PracticeSocket:
    """The call socket of the app's practice service."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        vs: AppState = scope["app"].state.vs
        await _socket(service(vs))(scope, receive, send)


def _personas() -> list[dict[str, str]]:
    from personas import list_personas

    return [
        {
            "id": p.id,
            "name": p.display_name,
            "archetype": p.archetype,
            "summary": p.summary,
        }
        for p in list_personas()
    ]


def _call_of(request: Request) -> PracticeCall | None:
    who = security.logged_in(request)
    return service(state(request)).registry.get(request.path_params["call_id"], str(who.id))


def _page_data(call: PracticeCall | None) -> dict[str, Any] | None:
    if call is None:
        return None
    return {
        "id": call.id,
        "calls": call.plan.calls,
        "state": call.state,
        "socket": f"/practice/calls/{call.id}/ws",
        "status": f"/practice/calls/{call.id}/status",
        "notes": f"/practice/calls/{call.id}/notes/",
    }


def _with_policy(svc: PracticeService, resp: Response) -> Response:
    """A page that joins LiveKit rooms may connect to the LiveKit server too."""
    if svc.settings.livekit_url:
        origins = security.socket_origins(svc.settings.livekit_url)
        resp.headers["content-security-policy"] = security.content_security_policy(origins)
    return resp


def _assignments(vs: AppState, who: security.Actor) -> dict[str, Any]:
    """Gauntlets set for this trainee (their own and their team's); for staff, the ones they
    manage and the teams they may set one for."""
    from sqlalchemy import or_, select

    from ...store.models import Assignment, Team, Trainee

    with vs.db.read() as s:
        teams: list[dict[str, Any]] = []
        if who.is_staff:
            q = select(Assignment).order_by(Assignment.id.desc())
            teams_q = select(Team).order_by(Team.name)
            if who.role != "admin":
                q = q.where(Assignment.team_id.in_(who.team_ids))
                teams_q = teams_q.where(Team.id.in_(who.team_ids))
            rows = list(s.scalars(q))
            teams = [{"id": t.id, "name": t.name} for t in s.scalars(teams_q)]
        else:
            mine = []
            if who.trainee_id is not None:
                mine.append(Assignment.trainee_id == who.trainee_id)
            if who.team_ids:
                mine.append(Assignment.team_id.in_(who.team_ids))
            q = select(Assignment).where(or_(*mine)).order_by(Assignment.id)
            rows = list(s.scalars(q)) if mine else []
        # the names of the teams and trainees these are set for (not every row of both tables)
        team_ids = {a.team_id for a in rows if a.team_id is not None}
        trainee_ids = {a.trainee_id for a in rows if a.trainee_id is not None}
        names: dict[int, str] = dict(
            s.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).tuples().all()
        )
        trainees: dict[int, str] = dict(
            s.execute(select(Trainee.id, Trainee.name).where(Trainee.id.in_(trainee_ids)))
            .tuples()
            .all()
        )
        out = [
            {
                "id": a.id,
                "name": a.name,
                "personas": list(a.personas),
                "for": names.get(a.team_id or -1) or trainees.get(a.trainee_id or -1) or "",
            }
            for a in rows
        ]
    return {"assignments": out, "teams": teams}


async def _picker(request: Request, call: PracticeCall | None) -> Response:
    """The practice page: the picker, and the call panel (``call``, when there is one)."""
    who = security.logged_in(request)
    vs = state(request)
    svc = service(vs)
    personas = await run_in_threadpool(_personas)
    assigned = await run_in_threadpool(_assignments, vs, who)
    resp = render(
        request,
        "practice.html",
        {
            "personas": personas,
            "call": call,
            "page_data": _page_data(call),
            "standard_calls": STANDARD_GAUNTLET_CALLS,
            "break_s": svc.settings.gauntlet_break_s,
            "livekit": bool(svc.settings.livekit_url),
            "max_calls": MAX_GAUNTLET_CALLS,
            "error": request.query_params.get("error"),
            **assigned,
        },
    )
    return _with_policy(svc, resp)


@security.login_required
async def practice_page(request: Request) -> Response:
    return await _picker(request, None)


@security.login_required
async def create_call(request: Request) -> Response:
    who = security.logged_in(request)
    form = await request.form()
    kind = str(form.get("kind") or "persona")
    svc = service(state(request))
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        if kind == "gauntlet":
            raw = str(form.get("assignment") or "")
            ids = (
                await run_in_threadpool(_assigned_personas, state(request), who, raw)
                if raw
                else str(form.get("personas") or "")
            )
            plan = await run_in_threadpool(_gauntlet_plan, ids)
            if svc.settings.livekit_url:
                return _livekit_call(request, svc, gauntlet=[g.persona_id for g in plan])
            call = svc.create(str(who.id), who.name, gauntlet=tuple(plan))
        else:
            persona = str(form.get("persona") or "")
            await run_in_threadpool(_check_persona, persona)
            if svc.settings.livekit_url:
                return _livekit_call(request, svc, persona=persona)
            call = svc.create(str(who.id), who.name, persona=persona)
    except (ValueError, VoiceSimError) as exc:
        if wants_json:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return render(request, "error.html", {"status": 400, "message": str(exc)}, 400)
    if wants_json:
        return JSONResponse(_page_data(call))
    return RedirectResponse(f"/practice/calls/{call.id}", status_code=303)


def _livekit_call(
    request: Request,
    svc: PracticeService,
    *,
    persona: str | None = None,
    gauntlet: list[str] | None = None,
) -> Response:
    """A LiveKit room for the call: the page joins it, a ``voice-sim worker`` is dispatched."""
    import secrets

    from ..practice import livekit_token

    who = security.logged_in(request)
    meta: dict[str, Any] = {"trainee": who.name}
    if gauntlet:
        meta |= {"gauntlet": gauntlet, "break_s": svc.settings.gauntlet_break_s}
    else:
        meta["persona"] = persona
    if svc.settings.phone_line:
        meta["phone_line"] = True
    lk = livekit_token(
        svc.settings,
        identity=f"trainee-{who.id}-{secrets.token_hex(3)}",
        name=who.name,
        metadata=meta,
    )
    calls = len(gauntlet) if gauntlet else 1
    return JSONResponse({"livekit": lk, "calls": calls, "id": lk["room"] if lk else None})


def _check_persona(persona: str) -> None:
    from personas import persona_ids

    if persona not in persona_ids():
        raise ValueError(f"persona: unknown id {persona!r}")


def _assigned_personas(vs: AppState, who: security.Actor, raw: str) -> str:
    """The persona ids of an assignment set for ``who`` (anyone else's is "no such")."""
    from ...store.models import Assignment

    aid = parse_id(raw, missing=-1)
    with vs.db.read() as s:
        a = s.get(Assignment, aid)
        mine = a is not None and (
            (a.trainee_id is not None and a.trainee_id == who.trainee_id)
            or (a.team_id is not None and a.team_id in who.team_ids)
            or who.role == "admin"
        )
        if a is None or not mine:
            raise ValueError("assignment: no such assignment")
        return ",".join(a.personas)


def _gauntlet_plan(personas: str) -> list[Any]:
    from personas import PersonaError, persona_ids, plan_gauntlet

    ids = [p.strip() for p in personas.split(",") if p.strip()]
    known = set(persona_ids())
    bad = [p for p in ids if p not in known]
    if bad:
        raise ValueError(f"personas: unknown id {bad[0]!r}")
    if len(ids) > MAX_GAUNTLET_CALLS:
        raise ValueError(f"personas: at most {MAX_GAUNTLET_CALLS} calls in a gauntlet")
    try:
        return plan_gauntlet(ids or None, len(ids) or STANDARD_GAUNTLET_CALLS)
    except PersonaError as exc:
        raise ValueError(str(exc)) from None


@security.login_required
async def call_page(request: Request) -> Response:
    call = _call_of(request)
    if call is None:
        return not_found(request, "no such call")
    svc = service(state(request))
    st = svc.status(call)
    if st["phase"] == "done" and st["review"]:
        return RedirectResponse(st["review"], status_code=303)
    return await _picker(request, call)


@security.login_required
async def save_note(request: Request) -> Response:
    call = _call_of(request)
    raw = str(request.path_params["index"])
    if call is None or not raw.isdigit() or len(raw) > 3:
        return JSONResponse({"error": "no such call"}, status_code=404)
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        body = await request.body()
        if len(body) > 4 * MAX_NOTE_CHARS:
            return JSONResponse({"error": "note too long"}, status_code=413)
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            return JSONResponse({"error": "expected JSON"}, status_code=400)
        text = doc.get("text") if isinstance(doc, dict) else None
        skip = bool(doc.get("skip")) if isinstance(doc, dict) else False
    else:
        form = await request.form()
        text, skip = form.get("text"), form.get("skip") is not None
    if text is not None and not isinstance(text, str):
        return JSONResponse({"error": "text: expected a string"}, status_code=400)
    if text is not None and len(text) > MAX_NOTE_CHARS:
        return JSONResponse(
            {"error": f"the note is over {MAX_NOTE_CHARS} characters"}, status_code=413
        )
    svc = service(state(request))
    written = await run_in_threadpool(
        svc.save_note, call, int(raw) - 1, None if skip else (text or None)
    )
    return JSONResponse({"saved": written is not None, **svc.status(call)})


@security.login_required
async def call_status(request: Request) -> Response:
    call = _call_of(request)
    if call is None:
        return JSONResponse({"error": "no such call"}, status_code=404)
    return JSONResponse(service(state(request)).status(call))


@security.login_required
async def gauntlet_scorecard(request: Request) -> Response:
    call = _call_of(request)
    if call is None or not call.plan.gauntlet:
        return not_found(request, "no such gauntlet")
    svc = service(state(request))
    st = svc.status(call)
    path = call.plan.folder / "session_scorecard.json"

    def load() -> dict[str, Any] | None:
        import scoring

        try:  # through scoring's reader; not there yet (or damaged): still being scored
            return scoring.read_session_scorecard(path).to_dict()
        except scoring.ScoringError:
            return None

    card = await run_in_threadpool(load)
    ids = st["session_ids"]
    return render(
        request,
        "practice_scorecard.html",
        {"card": card, "session_ids": ids, "status": st},
    )


@security.roles_required("admin", "coach")
async def create_assignment(request: Request) -> Response:
    """A coach sets a gauntlet for one of their teams (an admin for any team)."""
    from urllib.parse import quote

    from ...store.models import Assignment, Team

    who = security.logged_in(request)
    form = await request.form()
    name = str(form.get("name") or "").strip()[:120]
    raw_team = str(form.get("team") or "")
    ids = [str(p) for p in form.getlist("persona") if str(p).strip()]
    vs = state(request)

    def save() -> str | None:
        if not name:
            return "name: give the gauntlet a name"
        if not ids:
            return "persona: pick at least one customer"
        try:
            _gauntlet_plan(",".join(ids))
        except ValueError as exc:
            return str(exc)
        team_id = parse_id(raw_team, missing=-1)
        with vs.db.write() as s:
            team = s.get(Team, team_id)
            if team is None or (who.role != "admin" and team.id not in who.team_ids):
                return "team: not a team you coach"
            s.add(Assignment(name=name, personas=ids, team_id=team.id, created_by=who.id))
        return None

    problem = await run_in_threadpool(save)
    if problem:
        return RedirectResponse(f"/practice?error={quote(problem)}#assign", status_code=303)
    return RedirectResponse("/practice#assign", status_code=303)


@security.roles_required("admin", "coach")
async def delete_assignment(request: Request) -> Response:
    """Withdraw an assignment (a coach: only for the teams they coach)."""
    from ...store.models import Assignment

    who = security.logged_in(request)
    raw = str(request.path_params["assignment_id"])
    aid = parse_id(raw, missing=-1)
    vs = state(request)

    def delete() -> bool:
        with vs.db.write() as s:
            a = s.get(Assignment, aid)
            if a is None or (who.role != "admin" and a.team_id not in who.team_ids):
                return False
            s.delete(a)
            return True

    if not await run_in_threadpool(delete):
        return not_found(request, "no such assignment")
    return RedirectResponse("/practice#assign", status_code=303)


routes = [
    Route("/practice/assignments", create_assignment, methods=["POST"]),
    Route("/practice/assignments/{assignment_id}/delete", delete_assignment, methods=["POST"]),
    Route("/practice", practice_page, methods=["GET"]),
    Route("/practice/calls", create_call, methods=["POST"]),
    Route("/practice/calls/{call_id}", call_page, methods=["GET"]),
    WebSocketRoute("/practice/calls/{call_id}/ws", PracticeSocket()),
    Route("/practice/calls/{call_id}/notes/{index}", save_note, methods=["POST"]),
    Route("/practice/calls/{call_id}/status", call_status, methods=["GET"]),
    Route("/practice/calls/{call_id}/scorecard", gauntlet_scorecard, methods=["GET"]),
]

__all__ = ["GAUNTLET_BREAK_S", "routes", "service", "store_calls"]
