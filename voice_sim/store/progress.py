"""Progress over time: a trainee's scores and voice across gauntlets, a team's latest gauntlets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from .models import Gauntlet, Session, SessionItem, Team, Trainee
from .users import Viewer, visible_gauntlets, visible_sessions

#: Longest history a trainee page plots (most recent sessions).
MAX_HISTORY = 500


def trainee_progress(s: OrmSession, trainee: Trainee, viewer: Viewer) -> dict[str, Any]:
    """Scores over time (overall and per item) and voice across each gauntlet's calls, of the
    calls and gauntlets ``viewer`` may open."""
    sessions = list(
        s.execute(
            select(
                Session.id,
                Session.started_at,
                Session.overall,
                Session.persona,
                Session.gauntlet_id,
                Session.call_index,
                Session.pitch_hz,
                Session.loudness_dbfs,
                Session.wpm,
                Session.interruptions,
                Session.latency_s,
            )
            .where(Session.trainee_id == trainee.id, visible_sessions(viewer))
            .order_by(Session.started_at.desc(), Session.id.desc())
            .limit(MAX_HISTORY)
        ).mappings()
    )
    sessions.reverse()
    ids = [r["id"] for r in sessions]
    items: dict[str, dict[str, Any]] = {}
    if ids:
        for it in s.execute(
            select(SessionItem).where(SessionItem.session_id.in_(ids), SessionItem.applicable)
        ).scalars():
            entry = items.setdefault(it.item, {"label": it.label, "points": {}})
            if it.max > 0:
                entry["points"][it.session_id] = 100.0 * it.score / it.max
    when = {r["id"]: r["started_at"] for r in sessions}
    per_item = {
        k: {
            "label": v["label"],
            "points": sorted((when[sid], pct) for sid, pct in v["points"].items()),
        }
        for k, v in items.items()
    }
    gauntlets = list(
        s.scalars(
            select(Gauntlet)
            .where(Gauntlet.trainee_id == trainee.id, visible_gauntlets(viewer))
            .order_by(Gauntlet.started_at)
        )
    )
    calls: dict[int, list[dict[str, Any]]] = {}
    for r in sessions:
        if r["gauntlet_id"] is not None:
            calls.setdefault(r["gauntlet_id"], []).append(dict(r))
    for v in calls.values():
        v.sort(key=lambda r: (r["call_index"] or 0, r["started_at"]))
    return {
        "sessions": [dict(r) for r in sessions],
        "overall": [(r["started_at"], r["overall"]) for r in sessions if r["overall"] is not None],
        "items": per_item,
        "gauntlets": [
            {
                "id": g.id,
                "started_at": g.started_at,
                "calls": g.calls,
                "overall": g.overall,
                "drift": g.drift or {},
                "patience": g.patience or [],
                "series": calls.get(g.id, []),
            }
            for g in gauntlets
        ],
    }


def team_board(s: OrmSession, team: Team) -> list[dict[str, Any]]:
    """One row per member: their latest gauntlet in this team (its patience items, drift, and
    interruptions and latency on the first call against the last), None where a member has
    none (a gauntlet run in another team stays that team's). Three queries, whatever the
    team's size."""
    members = list(
        s.scalars(select(Trainee).where(Trainee.team_id == team.id).order_by(Trainee.name))
    )
    latest = (
        select(func.max(Gauntlet.id))
        .where(Gauntlet.trainee_id.in_([m.id for m in members]), Gauntlet.team_id == team.id)
        .group_by(Gauntlet.trainee_id)
    )
    gauntlets = {
        g.trainee_id: g for g in s.scalars(select(Gauntlet).where(Gauntlet.id.in_(latest)))
    }
    calls: dict[int, list[Any]] = {}
    for c in s.execute(
        select(
            Session.gauntlet_id,
            Session.call_index,
            Session.interruptions,
            Session.latency_s,
            Session.overall,
            Session.id,
        )
        .where(Session.gauntlet_id.in_([g.id for g in gauntlets.values()]))
        .order_by(Session.call_index, Session.started_at)
    ).mappings():
        calls.setdefault(c["gauntlet_id"], []).append(c)
    rows = []
    for m in members:
        g = gauntlets.get(m.id)
        row: dict[str, Any] = {"trainee": m.name, "trainee_id": m.id, "gauntlet": None}
        if g is not None:
            row["gauntlet"] = _board_gauntlet(g, calls.get(g.id, []))
        rows.append(row)
    return rows


def _board_gauntlet(g: Gauntlet, calls: list[Any]) -> dict[str, Any]:
    """A member's gauntlet on the team board; ``calls`` in call order."""
    first, last = (calls[0], calls[-1]) if calls else ({}, {})
    return {
        "id": g.id,
        "started_at": g.started_at,
        "calls": len(calls) or g.calls,
        "overall": g.overall,
        "patience": {p["id"]: p for p in g.patience or []},
        "drift": g.drift or {},
        "interruptions_first": first.get("interruptions"),
        "interruptions_last": last.get("interruptions"),
        "latency_first_s": first.get("latency_s"),
        "latency_last_s": last.get("latency_s"),
    }
