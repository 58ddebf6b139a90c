"""Reading the store: the filtered, sorted, paged sessions list and what a session page shows.

The web pages, the JSON API and the CSV export all read through these functions, so a filter
means the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session as OrmSession

from .errors import StoreError
from .models import Comment, Override, Session, SessionDoc, Team, Trainee
from .settings import MAX_PAGE_SIZE, PAGE_SIZE
from .users import Viewer, visible_sessions

#: Columns the list sorts by (query value -> column).
SORT_COLUMNS = {
    "started": Session.started_at,
    "trainee": Trainee.name,
    "team": Team.name,
    "persona": Session.persona,
    "archetype": Session.archetype,
    "duration": Session.duration_s,
    "score": Session.overall,
}
DEFAULT_SORT = "started"


@dataclass(frozen=True)
class SessionFilter:
    """The sessions list's query: filters (all optional), sort and page.

    Dates are inclusive calendar days (UTC); scores are 0-100 inclusive.
    """

    trainee: str | None = None
    team: str | None = None
    persona: str | None = None
    archetype: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    score_min: float | None = None
    score_max: float | None = None
    gauntlet: int | None = None
    sort: str = DEFAULT_SORT
    desc: bool = True
    page: int = 1
    per_page: int = PAGE_SIZE

    def query_params(self, **change: Any) -> dict[str, str]:
        """The filter as URL query parameters (defaults left out), with ``change`` applied."""
        f = replace(self, **change)
        out: dict[str, str] = {}
        for fl in fields(f):
            v = getattr(f, fl.name)
            if fl.name == "desc" or v is None or v == fl.default:
                continue
            if isinstance(v, dt.date):
                out[fl.name] = v.isoformat()
            elif isinstance(v, float):
                out[fl.name] = f"{v:g}"
            else:
                out[fl.name] = str(v)
        if f.sort != DEFAULT_SORT or not f.desc:
            out["order"] = "desc" if f.desc else "asc"
        return out


def _text(params: Mapping[str, str], key: str) -> str | None:
    v = (params.get(key) or "").strip()
    if len(v) > 200:
        raise StoreError(f"{key}: too long")
    return v or None


def _date(params: Mapping[str, str], key: str) -> dt.date | None:
    v = _text(params, key)
    if v is None:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise StoreError(f"{key}: expected a date YYYY-MM-DD, got {v!r}") from None


def _float(params: Mapping[str, str], key: str, lo: float, hi: float) -> float | None:
    v = _text(params, key)
    if v is None:
        return None
    try:
        x = float(v)
    except ValueError:
        raise StoreError(f"{key}: expected a number, got {v!r}") from None
    if not lo <= x <= hi:
        raise StoreError(f"{key}: expected {lo:g} to {hi:g}, got {v}")
    return x


def _int(params: Mapping[str, str], key: str, default: int | None, lo: int, hi: int) -> int | None:
    v = _text(params, key)
    if v is None:
        return default
    try:
        x = int(v)
    except ValueError:
        raise StoreError(f"{key}: expected a whole number, got {v!r}") from None
    if not lo <= x <= hi:
        raise StoreError(f"{key}: expected {lo} to {hi}, got {x}")
    return x


def parse_filter(params: Mapping[str, str], *, per_page: int = PAGE_SIZE) -> SessionFilter:
    """A :class:`SessionFilter` from URL query parameters; bad values raise StoreError naming
    the parameter."""
    sort = _text(params, "sort") or DEFAULT_SORT
    if sort not in SORT_COLUMNS:
        raise StoreError(f"sort: expected one of {', '.join(SORT_COLUMNS)}, got {sort!r}")
    order = _text(params, "order") or "desc"
    if order not in ("asc", "desc"):
        raise StoreError(f"order: expected asc or desc, got {order!r}")
    f = SessionFilter(
        trainee=_text(params, "trainee"),
        team=_text(params, "team"),
        persona=_text(params, "persona"),
        archetype=_text(params, "archetype"),
        date_from=_date(params, "date_from"),
        date_to=_date(params, "date_to"),
        score_min=_float(params, "score_min", 0, 100),
        score_max=_float(params, "score_max", 0, 100),
        gauntlet=_int(params, "gauntlet", None, 1, 2**31),
        sort=sort,
        desc=order == "desc",
        page=_int(params, "page", 1, 1, 10**6) or 1,
        per_page=_int(params, "per_page", per_page, 1, MAX_PAGE_SIZE) or per_page,
    )
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise StoreError("date_from: later than date_to")
    return f


def _where(f: SessionFilter, viewer: Viewer) -> list[Any]:
    conds: list[Any] = [visible_sessions(viewer)]
    if f.trainee:
        conds.append(Trainee.name == f.trainee)
    if f.team:
        conds.append(Team.name == f.team)
    if f.persona:
        conds.append(Session.persona == f.persona)
    if f.archetype:
        conds.append(Session.archetype == f.archetype)
    if f.date_from:
        conds.append(Session.started_at >= dt.datetime.combine(f.date_from, dt.time()))
    if f.date_to and f.date_to < dt.date.max:  # the day after is the bound (the last has none)
        end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time())
        conds.append(Session.started_at < end)
    if f.score_min is not None:
        conds.append(Session.overall >= f.score_min)
    if f.score_max is not None:
        conds.append(Session.overall <= f.score_max)
    if f.gauntlet is not None:
        conds.append(Session.gauntlet_id == f.gauntlet)
    return conds


LIST_COLUMNS = (
    Session.id,
    Session.started_at,
    Session.duration_s,
    Session.persona,
    Session.persona_name,
    Session.archetype,
    Session.overall,
    Session.source,
    Session.gauntlet_id,
    Session.call_index,
    Session.interruptions,
    Session.latency_s,
    Session.trainee_id,
    Session.team_id,
    Trainee.name.label("trainee"),
    Team.name.label("team"),
)


def _base(columns: Any, conds: list[Any]) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Session)
        .join(Trainee, Trainee.id == Session.trainee_id)
        .outerjoin(Team, Team.id == Session.team_id)
        .where(and_(*conds))
    )


def list_sessions(
    s: OrmSession, viewer: Viewer, f: SessionFilter, *, paged: bool = True
) -> tuple[list[dict[str, Any]], int]:
    """One page of sessions ``viewer`` may see that match ``f``, and how many match in all."""
    conds = _where(f, viewer)
    total = int(s.scalar(_base((func.count(Session.id),), conds)) or 0)
    col = SORT_COLUMNS[f.sort]
    # NULLs (unscored) last either way; id breaks ties so paging is stable
    order: list[Any] = [col.is_(None), col.desc() if f.desc else col.asc(), Session.id.desc()]
    q = _base(LIST_COLUMNS, conds).order_by(*order)
    if paged:
        q = q.limit(f.per_page).offset((f.page - 1) * f.per_page)
    rows = [dict(r._mapping) for r in s.execute(q)]
    return rows, total


def get_visible(s: OrmSession, viewer: Viewer, session_id: int) -> Session | None:
    """The session if ``viewer`` may see it, else None (the caller answers 404 either way)."""
    return s.scalar(select(Session).where(Session.id == session_id, visible_sessions(viewer)))


def session_detail(s: OrmSession, row: Session) -> dict[str, Any]:
    """What a session page and ``GET /api/sessions/{id}`` show: the row, the scorecard with
    each item's original and overridden score, comments and overrides, timeline."""
    doc = s.get(SessionDoc, row.id)
    comments = s.scalars(
        select(Comment).where(Comment.session_id == row.id).order_by(Comment.t_s, Comment.id)
    )
    overrides = list(
        s.scalars(select(Override).where(Override.session_id == row.id).order_by(Override.id))
    )
    latest = {o.item: o for o in overrides}
    card = dict(doc.scorecard) if doc else {}
    labels = {it.item: it.label for it in row.items}
    return {
        "id": row.id,
        "trainee": row.trainee.name,
        "trainee_id": row.trainee_id,
        "team": row.team.name if row.team else None,
        "team_id": row.team_id,
        "persona": row.persona,
        "persona_name": row.persona_name,
        "archetype": row.archetype,
        "source": row.source,
        "started_at": _iso(row.started_at),
        "duration_s": row.duration_s,
        "overall": row.overall,
        "overall_adjusted": _adjusted_overall(row, latest),
        "gauntlet_id": row.gauntlet_id,
        "call_index": row.call_index,
        "summary": card.get("summary"),
        "warnings": card.get("warnings") or [],
        "items": _items(row, card, latest),
        "figures": {
            "pitch_hz": row.pitch_hz,
            "loudness_dbfs": row.loudness_dbfs,
            "wpm": row.wpm,
            "interruptions": row.interruptions,
            "latency_s": row.latency_s,
            "dead_air": row.dead_air,
        },
        "comments": [
            {"id": c.id, "t_s": c.t_s, "text": c.text, "by": c.user.name, "at": _iso(c.created_at)}
            for c in comments
        ],
        "overrides": [
            {
                "id": o.id,
                "item": o.item,
                "label": labels.get(o.item, o.item),
                "original_score": o.original_score,
                **_override_json(o),
            }
            for o in overrides
        ],
        "timeline": doc.timeline if doc else {},
    }


def _iso(t: dt.datetime) -> str:
    """A stored (naive UTC) time as ISO 8601 with its zone."""
    return t.isoformat() + "Z"


def _override_json(o: Override) -> dict[str, Any]:
    return {"score": o.score, "reason": o.reason, "by": o.user.name, "at": _iso(o.created_at)}


def _items(
    row: Session, card: Mapping[str, Any], latest: Mapping[str, Override]
) -> list[dict[str, Any]]:
    """Each item as scored, its latest override, and the scorecard's evidence, tip and judge."""
    scored = {it.get("id"): it for it in card.get("items") or [] if isinstance(it, dict)}
    items = []
    for it in row.items:
        o = latest.get(it.item)
        src = scored.get(it.item, {})
        items.append(
            {
                "id": it.item,
                "label": it.label,
                "score": it.score,
                "max": it.max,
                "applicable": it.applicable,
                "override": None if o is None else _override_json(o),
                "evidence": src.get("evidence") or [],
                "tip": src.get("tip"),
                "judged_by": src.get("judged_by"),
            }
        )
    return items


def _adjusted_overall(row: Session, latest: Mapping[str, Override]) -> float | None:
    """The overall score 0-100 with the coaches' overrides in place of the items they
    override (scoring's rule: points won over points available, applicable items only);
    None when nothing is overridden or the session is unscored."""
    applicable = [it for it in row.items if it.applicable and it.max > 0]
    if row.overall is None or not applicable or not latest:
        return None
    won = sum(latest[it.item].score if it.item in latest else it.score for it in applicable)
    return 100.0 * won / sum(it.max for it in applicable)


def filter_choices(s: OrmSession, viewer: Viewer) -> dict[str, list[str]]:
    """Distinct trainees, teams, personas and archetypes ``viewer`` can filter by."""
    vis = visible_sessions(viewer)

    def distinct(col: Any) -> list[str]:
        q = (
            select(col)
            .select_from(Session)
            .join(Trainee, Trainee.id == Session.trainee_id)
            .outerjoin(Team, Team.id == Session.team_id)
            .where(vis, col.is_not(None))
            .distinct()
            .order_by(col)
        )
        return [str(v) for v in s.scalars(q)]

    return {
        "trainee": distinct(Trainee.name),
        "team": distinct(Team.name),
        "persona": distinct(Session.persona),
        "archetype": distinct(Session.archetype),
    }
