"""The session page as a coach reads it: the links it offers lead somewhere, overrides show with
the original score and name the item. Oracle: the fixture folders' files and the rules of
issue 8 (the original score is kept and both are shown)."""

from __future__ import annotations

from .conftest import Site


def test_session_page_links_only_the_files_the_folder_has(site: Site) -> None:
    """A link to a file the folder lacks would be a 404 for the coach who clicks it."""
    sid = site.sessions["sam2"]
    html = site.client("casey").get(f"/sessions/{sid}").text
    for name in ("scorecard.json", "analysis.json"):
        assert f"/sessions/{sid}/files/{name}" in html
        assert site.client("casey").get(f"/sessions/{sid}/files/{name}").status_code == 200
    assert f"/sessions/{sid}/files/report.html" not in html  # the fixture writes no report


def test_an_override_shows_the_original_and_names_the_item(site: Site) -> None:
    c = site.client("casey")
    sid = site.sessions["sam2"]
    body = {"item": "no_triggers", "score": 10, "reason": "said sorry first"}
    assert c.post(f"/api/sessions/{sid}/overrides", json=body).status_code == 201
    detail = c.get(f"/api/sessions/{sid}").json()
    (o,) = [o for o in detail["overrides"] if o["reason"] == "said sorry first"]
    assert o["label"] == "No trigger or hedge phrases" and o["original_score"] == 12.0
    html = c.get(f"/sessions/{sid}").text
    row = html[html.index('id="item-no_triggers"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="original" title="as scored">12</span>' in row
    assert '<span class="overridden" title="coach override">10</span>' in row
    assert "said sorry first" in row
    assert "No trigger or hedge phrases 12 → 10. said sorry first" in html  # the history
