"""The sessions list: filters, sorting, paging, and CSV export of what is shown."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ...store import StoreError
from ...store.queries import SORT_COLUMNS, filter_choices, list_sessions, parse_filter
from .. import security
from ..app import render, state

#: CSV columns, in order.
CSV_COLUMNS = (
    "id",
    "started_at",
    "trainee",
    "team",
    "persona",
    "archetype",
    "duration_s",
    "overall",
    "interruptions",
    "latency_s",
    "source",
)


#: SessionFilter fields that narrow the list (as opposed to sorting and paging it).
FILTER_FIELDS = (
    "trainee",
    "team",
    "persona",
    "archetype",
    "date_from",
    "date_to",
    "score_min",
    "score_max",
    "gauntlet",
)


@security.login_required
async def sessions_page(request: Request) -> Response:
    vs = state(request)
    who = security.logged_in(request)
    try:
        f = parse_filter(request.query_params, per_page=vs.settings.page_size)
    except StoreError as exc:
        return PlainTextResponse(f"Bad request: {exc}", status_code=400)

    def load() -> tuple[list[dict], int, dict]:
        with vs.db.read() as s:
            rows, total = list_sessions(s, who, f)
            return rows, total, filter_choices(s, who)

    rows, total, choices = await run_in_threadpool(load)
    pages = max(1, -(-total // f.per_page))

    def link(**change: object) -> str:
        return "?" + urlencode(f.query_params(**change))

    def sort_link(col: str) -> str:
        desc = not f.desc if f.sort == col else col in ("started", "score", "duration")
        return link(sort=col, desc=desc, page=1)

    return render(
        request,
        "sessions.html",
        {
            "rows": rows,
            "total": total,
            "f": f,
            "pages": pages,
            "choices": choices,
            "link": link,
            "sort_link": sort_link,
            "sort_columns": SORT_COLUMNS,
            "csv_link": "/sessions.csv?" + urlencode(f.query_params()),
            "filtered": any(getattr(f, k) is not None for k in FILTER_FIELDS),
        },
    )


def rows_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    for r in rows:
        vals = []
        for c in CSV_COLUMNS:
            v = r.get(c)
            if c == "started_at" and v is not None:
                v = v.isoformat() + "Z"
            elif isinstance(v, float):
                v = f"{v:.2f}"
            vals.append("" if v is None else v)
        # a spreadsheet must not run a cell as a formula (=, +, -, @ at the start)
        w.writerow(["'" + s if isinstance(s, str) and s[:1] in "=+-@\t\r" else s for s in vals])
    return out.getvalue()


@security.login_required
async def sessions_csv(request: Request) -> Response:
    """The rows the list shows with the same filters, sort and page (``all=1``: every page)."""
    vs = state(request)
    who = security.logged_in(request)
    try:
        f = parse_filter(request.query_params, per_page=vs.settings.page_size)
    except StoreError as exc:
        return PlainTextResponse(f"Bad request: {exc}", status_code=400)
    every = request.query_params.get("all") == "1"

    def load() -> list[dict]:
        with vs.db.read() as s:
            return list_sessions(s, who, f, paged=not every)[0]

    rows = await run_in_threadpool(load)
    return Response(
        rows_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="sessions.csv"'},
    )


routes = [
    Route("/sessions", sessions_page, methods=["GET"]),
    Route("/sessions.csv", sessions_csv, methods=["GET"]),
]
