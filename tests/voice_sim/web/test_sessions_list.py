"""The sessions list's filters, sorting, paging and CSV, through the API and the CSV export.
Oracle: the fixture store's known sessions (dates, scores, personas set in conftest.py)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from .conftest import Site


def _ids(site: Site, query: str) -> list[int]:
    r = site.client("ada").get("/api/sessions?" + query)
    assert r.status_code == 200, r.text
    return [row["id"] for row in r.json()["sessions"]]


@pytest.mark.parametrize(
    ("query", "labels"),
    [
        ("score_min=90", ["sam2"]),
        ("score_max=30", ["kim1"]),
        ("date_from=2026-03-03&date_to=2026-03-04", ["kim1"]),
        ("persona=abusive-caller", ["sam_g2"]),
        ("trainee=kim", ["kim1"]),
        ("team=blue", ["kim1"]),
        ("sort=score&order=asc&per_page=1", ["kim1"]),
        ("sort=started&order=asc&per_page=2", ["sam1", "kim1"]),
        ("sort=started&order=asc&per_page=2&page=2", ["sam2", "sam_g1"]),
    ],
)
def test_filters_sort_and_pages(site: Site, query: str, labels: list[str]) -> None:
    assert _ids(site, query) == [site.sessions[x] for x in labels]


def test_gauntlet_filter_lists_its_calls_in_order(site: Site) -> None:
    gid = site.client("ada").get(f"/api/sessions/{site.sessions['sam_g1']}").json()["gauntlet_id"]
    assert _ids(site, f"gauntlet={gid}&sort=started&order=asc") == [
        site.sessions["sam_g1"],
        site.sessions["sam_g2"],
    ]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("score_min=200", "score_min: expected 0 to 100"),
        ("date_from=yesterday", "date_from: expected a date"),
        ("sort=password_hash", "sort: expected one of"),
        ("per_page=100000", "per_page: expected 1 to 500"),
    ],
)
def test_bad_filter_is_400_naming_the_parameter(site: Site, query: str, says: str) -> None:
    r = site.client("ada").get("/api/sessions?" + query)
    assert r.status_code == 400 and says in r.json()["error"]
    page = site.client("ada").get("/sessions?" + query)
    assert page.status_code == 400 and says in page.text


def test_csv_is_what_the_list_shows(site: Site) -> None:
    c = site.client("ada")
    query = "sort=score&order=desc&per_page=3"
    api = c.get("/api/sessions?" + query).json()["sessions"]
    rows = list(csv.DictReader(io.StringIO(c.get("/sessions.csv?" + query).text)))
    assert [int(r["id"]) for r in rows] == [s["id"] for s in api]
    assert rows[0]["trainee"] == api[0]["trainee"] and float(rows[0]["overall"]) == pytest.approx(
        api[0]["overall"], abs=0.01
    )
    every = list(csv.DictReader(io.StringIO(c.get("/sessions.csv?all=1").text)))
    assert len(every) == c.get("/api/sessions").json()["total"]


def test_list_page_links_keep_the_filters(site: Site) -> None:
    html = site.client("ada").get("/sessions?trainee=sam&per_page=2").text  # sam has 4 calls
    assert "page 1 of 2" in html
    nxt = re.search(r'<a href="\?([^"]+)" rel="next">', html)
    assert nxt is not None
    assert set(nxt.group(1).split("&amp;")) == {"trainee=sam", "per_page=2", "page=2"}


def test_a_filter_stays_visible_when_nothing_matches(site: Site) -> None:
    """The filter bar shows what is filtering the list (a trainee no call has included), and
    the empty list says the filters are why."""
    html = site.client("ada").get("/sessions?trainee=nobody").text
    assert "<option selected>nobody</option>" in html
    assert "No sessions match these filters" in html


def test_filtering_within_a_gauntlet_keeps_the_gauntlet(site: Site) -> None:
    gid = site.client("ada").get(f"/api/sessions/{site.sessions['sam_g1']}").json()["gauntlet_id"]
    html = site.client("ada").get(f"/sessions?gauntlet={gid}").text
    assert f'<input type="hidden" name="gauntlet" value="{gid}">' in html
