"""Trainee pages (progress over time) and team pages (latest gauntlet per member)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store import Team, Trainee, visible_teams, visible_trainees
from ...store.progress import team_board, trainee_progress
from .. import security
from ..app import not_found, path_id, render, state
from ..plots import line_chart

#: Team table columns a lead can sort by (besides ``patience:<item id>``).
TEAM_SORT = ("trainee", "date", "overall", "pitch", "loudness", "pace", "int_last", "lat_last")


def trainee_charts(p: dict[str, Any]) -> dict[str, Any]:
    """The trainee page's plots as SVG."""
    overall = line_chart([("overall", p["overall"])], title="Overall score", y_range=(0, 100))
    items = [
        line_chart(
            [(v["label"], v["points"])],
            title=v["label"],
            y_label="% of max",
            y_range=(0, 100),
            width=270,
            height=140,
        )
        for v in p["items"].values()
    ]
    drift = {}
    for key, title, unit in (
        ("pitch_hz", "Pitch across each gauntlet", "Hz"),
        ("loudness_dbfs", "Loudness across each gauntlet", "dBFS"),
        ("wpm", "Pace across each gauntlet", "wpm"),
    ):
        drift[key] = line_chart(
            [
                (
                    g["started_at"].strftime("%m-%d %H:%M"),
                    [(c["call_index"] or i + 1, c[key]) for i, c in enumerate(g["series"])],
                )
                for g in p["gauntlets"][-6:]
            ],
            title=title,
            y_label=unit,
            x_labels="index",
            width=370,
        )
    return {"overall": overall, "items": items, "drift": drift}


@security.login_required
async def trainee_page(request: Request) -> Response:
    vs = state(request)
    who = security.logged_in(request)
    tid = path_id(request, "trainee_id")

    def load() -> dict[str, Any] | None:
        with vs.db.read() as s:
            t = s.scalar(select(Trainee).where(Trainee.id == tid, visible_trainees(who)))
            if t is None:
                return None
            return {"trainee": t, "team": t.team, "progress": trainee_progress(s, t, who)}

    got = await run_in_threadpool(load) if tid is not None else None
    if got is None:
        return not_found(request, "no such trainee")
    return render(request, "trainee.html", {**got, "charts": trainee_charts(got["progress"])})


def _sort_key(key: str) -> Any:
    def get(row: dict[str, Any]) -> Any:
        g = row["gauntlet"]
        if key == "trainee":
            return (0, row["trainee"].lower())
        if g is None:
            return (1, 0)
        v = {
            "date": g["started_at"].timestamp(),
            "overall": g["overall"],
            "pitch": g["drift"].get("pitch_st"),
            "loudness": g["drift"].get("loudness_db"),
            "pace": g["drift"].get("wpm_pct"),
            "int_last": g["interruptions_last"],
            "lat_last": g["latency_last_s"],
        }.get(key)
        if v is None and key.startswith("patience:"):
            p = g["patience"].get(key.split(":", 1)[1])
            v = None if p is None else p.get("score")
        return (0, v) if v is not None else (1, 0)

    return get


@security.login_required
async def team_page(request: Request) -> Response:
    vs = state(request)
    who = security.logged_in(request)
    team_id = path_id(request, "team_id")

    def load() -> dict[str, Any] | None:
        with vs.db.read() as s:
            team = s.scalar(select(Team).where(Team.id == team_id, visible_teams(who)))
            if team is None:
                return None
            return {"team": team, "rows": team_board(s, team)}

    got = await run_in_threadpool(load) if team_id is not None else None
    if got is None:
        return not_found(request, "no such team")
    patience: dict[str, str] = {}
    for r in got["rows"]:
        if r["gauntlet"]:
            for pid, p in r["gauntlet"]["patience"].items():
                patience.setdefault(pid, p.get("label") or pid)
    sort = request.query_params.get("sort", "trainee")
    if sort not in TEAM_SORT and not (sort.startswith("patience:") and sort[9:] in patience):
        sort = "trainee"
    desc = request.query_params.get("order", "asc") == "desc"
    rows = sorted(got["rows"], key=_sort_key(sort))
    if desc:  # members without a gauntlet stay at the bottom
        rows = [r for r in rows if r["gauntlet"] or sort == "trainee"][::-1] + [
            r for r in rows if not r["gauntlet"] and sort != "trainee"
        ]
    return render(
        request,
        "team.html",
        {**got, "rows": rows, "patience": patience, "sort": sort, "desc": desc},
    )


@security.roles_required("admin", "coach")
async def teams_page(request: Request) -> Response:
    vs = state(request)
    who = security.logged_in(request)

    def load() -> list[dict[str, Any]]:
        with vs.db.read() as s:
            q = (
                select(Team.id, Team.name, func.count(Trainee.id).label("members"))
                .outerjoin(Trainee, Trainee.team_id == Team.id)
                .where(visible_teams(who))
                .group_by(Team.id, Team.name)
                .order_by(Team.name)
            )
            return [dict(r._mapping) for r in s.execute(q)]

    teams = await run_in_threadpool(load)
    return render(request, "teams.html", {"teams": teams})


routes = [
    Route("/trainees/{trainee_id}", trainee_page, methods=["GET"]),
    Route("/teams", teams_page, methods=["GET"]),
    Route("/teams/{team_id}", team_page, methods=["GET"]),
]
