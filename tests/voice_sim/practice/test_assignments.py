"""Assigned gauntlets: a coach sets one for a team they coach, its trainees see it on their
practice page and start it, nobody else can, and a withdrawn one is gone. Oracle: the access
rules (a coach manages only the teams they coach; a trainee sees only their own team's)."""

from __future__ import annotations

import re

from .conftest import PracticeSite


def _team_id(site: PracticeSite, name: str) -> int:
    from sqlalchemy import select

    from voice_sim.store import Database
    from voice_sim.store.models import Team

    db = Database.open(site.data_dir)
    try:
        with db.read() as s:
            tid = s.scalar(select(Team.id).where(Team.name == name))
            assert tid is not None
            return int(tid)
    finally:
        db.close()


def _post(c: object, path: str, data: dict[str, object]) -> object:
    token = c.get("/api/me").json()["csrf_token"]  # type: ignore[attr-defined]
    return c.post(path, data=data, headers={"X-CSRF-Token": token})  # type: ignore[attr-defined]


def test_a_coach_sets_a_gauntlet_their_team_sees_and_starts(practice_site: PracticeSite) -> None:
    casey, sam, lee = (practice_site.client(u) for u in ("casey", "sam", "lee"))
    red, blue = _team_id(practice_site, "red"), _team_id(practice_site, "blue")
    page = casey.get("/practice").text
    assert "Set a gauntlet for a team" in page and f'value="{red}"' in page
    assert f'value="{blue}"' not in page  # casey does not coach blue

    r = _post(
        casey,
        "/practice/assignments",
        {
            "name": "Friday queue",
            "team": str(red),
            "persona": ["elderly-confused", "abusive-caller"],
        },
    )
    assert r.status_code == 303 and "error" not in r.headers["location"]  # type: ignore[attr-defined]
    assert "<b>Friday queue</b> for red" in casey.get("/practice").text  # named by its team
    mine = sam.get("/practice").text
    assert "Assigned to you" in mine and "Friday queue" in mine
    aid = re.search(r'name="assignment" value="(\d+)"', mine)
    assert aid is not None
    assert "Friday queue" not in lee.get("/practice").text  # another team's

    token = sam.get("/api/me").json()["csrf_token"]
    started = sam.post(
        "/practice/calls",
        data={"kind": "gauntlet", "assignment": aid.group(1)},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert started.status_code == 200 and started.json()["calls"] == 2
    token = lee.get("/api/me").json()["csrf_token"]
    refused = lee.post(
        "/practice/calls",
        data={"kind": "gauntlet", "assignment": aid.group(1)},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert refused.status_code == 400 and "no such assignment" in refused.json()["error"]

    # a coach cannot set one for a team they do not coach, nor a trainee at all
    r = _post(
        casey, "/practice/assignments", {"name": "x", "team": str(blue), "persona": "angry-billing"}
    )
    assert "error=team" in r.headers["location"]  # type: ignore[attr-defined]
    r = _post(
        sam, "/practice/assignments", {"name": "x", "team": str(red), "persona": "angry-billing"}
    )
    assert r.status_code == 403  # type: ignore[attr-defined]
    r = _post(casey, "/practice/assignments", {"name": "x", "team": str(red), "persona": "nobody"})
    assert "error=persona" in r.headers["location"]  # type: ignore[attr-defined]

    r = _post(casey, f"/practice/assignments/{aid.group(1)}/delete", {})
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert "Friday queue" not in sam.get("/practice").text
