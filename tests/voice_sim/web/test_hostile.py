"""What an attacker can put in the store, and what the pages, exports and file routes make of it:
transcripts, comments, persona names and trainee names written to break out of HTML, JSON
blocks, attributes and spreadsheets; symlinks planted in session folders; trainees who changed
teams; coaches reaching for trainees who are not theirs.

A server of its own (the shared one's lists must not change under the other tests), over the
fixture store plus the hostile sessions made here. Oracles: HTML parsed back with the standard
library's parser, JSON parsed back, CSV read back with the csv module, the bytes of the secret
key file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.support.sessions import FakeCall, make_gauntlet, make_session

from .conftest import Site, fill_store, serve

#: Break-out attempts for HTML text, attributes, a JSON data block and JavaScript strings.
SCRIPT_END = "</script><script>alert('x')</script>"
QUOTES = '" onmouseover="alert(1)" x=\''
#: Spreadsheet formula starts (OWASP CSV injection): each trainee name and persona begins so.
FORMULAS = ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1")


class Doc(HTMLParser):
    """Tags with their attributes, and the text of script elements."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from sqlalchemy import select

    from voice_sim.store import (
        Database,
        Team,
        Trainee,
        WebSettings,
        read_session,
        store_gauntlet,
        store_session,
    )
    from voice_sim.store.register import get_trainee

    data = tmp_path_factory.mktemp("hostile")
    got = fill_store(data)
    db = Database.open(data)
    base = dt.datetime(2026, 4, 1, 9, 0)
    # a transcript that tries to close the page's JSON block and break attributes
    call = FakeCall(trainee="sam", seed=40, started_at=base)
    folder = make_session(data / "sessions" / "evil-text", call)
    an = json.loads((folder / "analysis.json").read_text())
    an["turns"][1]["text"] = f"Okay {SCRIPT_END} {QUOTES} calm down please."
    (folder / "analysis.json").write_text(json.dumps(an))
    got["sessions"]["evil_text"], _ = store_session(
        db, read_session(folder), trainee="sam", source="import"
    )
    # spreadsheet formulas in trainee names and personas (no team: only the admin sees them)
    for i, f in enumerate(FORMULAS):
        folder = make_session(
            data / "sessions" / f"formula{i}",
            FakeCall(trainee="x", seed=50 + i, started_at=base + dt.timedelta(hours=i)),
        )
        meta = json.loads((folder / "meta.json").read_text())
        meta["persona"] = f + " persona"
        (folder / "meta.json").write_text(json.dumps(meta))
        store_session(db, read_session(folder), trainee=f + " trainee", source="import")
    # a polyglot: a valid WAV that carries an HTML page in a chunk of its own
    folder = make_session(data / "sessions" / "polyglot", FakeCall(trainee="sam", seed=65))
    wav = (folder / "recording.wav").read_bytes()
    page = b"<html><script>fetch('/api/sessions')</script></html>"
    chunk = b"LIST" + len(page).to_bytes(4, "little") + page
    riff = wav[:4] + (int.from_bytes(wav[4:8], "little") + len(chunk)).to_bytes(4, "little")
    (folder / "recording.wav").write_bytes(riff + wav[8:36] + chunk + wav[36:])
    got["sessions"]["polyglot"], _ = store_session(
        db, read_session(folder), trainee="sam", source="import"
    )
    # a session whose recording is swapped for a symlink to the server's secret key
    folder = make_session(data / "sessions" / "zed", FakeCall(trainee="zed", seed=60))
    got["sessions"]["zed"], _ = store_session(
        db, read_session(folder), trainee="zed", source="import"
    )
    (folder / "recording.wav").unlink()
    (data / "secret_key").exists() or (data / "secret_key").write_text("00" * 32)
    # a trainee who moved from red to blue: a call and a gauntlet stay red's
    folder = make_session(data / "sessions" / "max1", FakeCall(trainee="max", seed=70))
    got["sessions"]["max1"], _ = store_session(
        db, read_session(folder), trainee="max", team="red", source="simulated"
    )
    g = make_gauntlet(
        data / "gauntlets" / "max-g",
        [FakeCall(trainee="max", seed=71), FakeCall(trainee="max", seed=72)],
    )
    store_gauntlet(
        db,
        g,
        [read_session(p) for p in sorted(g.iterdir()) if p.is_dir()],
        trainee="max",
        team="red",
    )
    with db.write() as s:
        get_trainee(s, "max", "blue")
        get_trainee(s, "solo")  # a trainee in no team
        got["trainees"] = {t.name: t.id for t in s.scalars(select(Trainee))}
        got["teams"] = {t.name: t.id for t in s.scalars(select(Team))}
    db.close()
    settings = WebSettings(login_free_failures=1000, max_upload_bytes=2 * 1024 * 1024)
    with serve(data, settings) as (base_url, app):
        os.symlink(data / "secret_key", data / "sessions" / "zed" / "recording.wav")
        yield Site(base_url, data, app=app, **got)


# ----------------------------------------------------------------------------- escaping


def test_a_transcript_cannot_close_the_data_block_or_break_attributes(hostile: Site) -> None:
    html = hostile.client("ada").get(f"/sessions/{hostile.sessions['evil_text']}").text
    doc = Doc(html)
    assert SCRIPT_END not in html
    # every script is either a file or the page's JSON data, which parses back whole
    for attrs, text in doc.scripts:
        assert attrs.get("src") or attrs.get("type") == "application/json", attrs
        if attrs.get("type") == "application/json":
            json.loads(text)
    # no attribute an attacker wrote became a real one
    assert not any(k.startswith("on") for _, attrs in doc.tags for k in attrs)
    assert "alert('x')" in html.replace("&#39;", "'")  # shown as text, not dropped


def test_a_comment_cannot_close_the_data_block_or_break_attributes(hostile: Site) -> None:
    c = hostile.client("casey")
    sid = hostile.sessions["sam1"]
    text = f"{SCRIPT_END} {QUOTES}"
    r = c.post(f"/api/sessions/{sid}/comments", json={"t_s": 2, "text": text})
    assert r.status_code == 201
    html = c.get(f"/sessions/{sid}").text
    doc = Doc(html)
    assert SCRIPT_END not in html
    data = [json.loads(t) for a, t in doc.scripts if a.get("type") == "application/json"]
    assert any(cm["text"] == text for d in data for cm in d.get("comments", []))
    # the comment's marker keeps its quotes inside its own title attribute
    titles = [a.get("title") or "" for t, a in doc.tags if "comment" in (a.get("class") or "")]
    assert any(text in t for t in titles)
    assert not any(k.startswith("on") for _, attrs in doc.tags for k in attrs)


def test_the_practice_call_page_data_survives_the_attribute(hostile: Site) -> None:
    """The call panel's data sits in a double-quoted attribute: its JSON must come back whole
    (quotes escaped), or the page cannot start the call after a reload."""
    c = hostile.client("sam")
    r = c.post(
        "/practice/calls",
        data={"kind": "persona", "persona": "angry-billing"},
        headers={"Accept": "application/json"},
    )
    call = r.json()
    doc = Doc(c.get(f"/practice/calls/{call['id']}").text)
    panel = next(a for t, a in doc.tags if a.get("id") == "call")
    assert json.loads(panel["data-call"] or "") == call


def test_csv_cells_never_start_a_formula(hostile: Site) -> None:
    text = hostile.client("ada").get("/sessions.csv?all=1").text
    rows = list(csv.DictReader(io.StringIO(text)))
    cells = [v for r in rows for v in r.values() if v]
    hits = [v for v in cells if "persona" in v or "trainee" in v]
    assert len(hits) >= 2 * len(FORMULAS)
    for v in cells:
        assert v[0] not in "=+-@\t\r", v
    for f in FORMULAS:  # still readable: the text is all there, behind a quote
        assert "'" + f.strip("\t\r") + " persona" in "".join(cells).replace("'\t", "'").replace(
            "'\r", "'"
        )


# ----------------------------------------------------------------------------- files


def test_a_recording_symlinked_to_the_secret_key_is_refused(hostile: Site) -> None:
    """The recording falls back to "anywhere in the data directory" (a scored file kept apart
    from its folder): that must not reach the server's own files."""
    key = (hostile.data_dir / "secret_key").read_bytes().strip()
    r = hostile.client("ada").get(f"/sessions/{hostile.sessions['zed']}/recording")
    assert r.status_code in (403, 404)
    assert key not in r.content


def test_a_recording_that_is_not_audio_is_not_served(hostile: Site, tmp_path: Path) -> None:
    folder = hostile.data_dir / "sessions" / "zed"
    link = folder / "recording.wav"
    link.unlink()
    db_file = hostile.data_dir / "voice-sim.db"
    try:
        os.symlink(db_file, link)
        r = hostile.client("ada").get(f"/sessions/{hostile.sessions['zed']}/recording")
        assert r.status_code in (403, 404) and b"SQLite format" not in r.content
    finally:
        link.unlink()
        os.symlink(hostile.data_dir / "secret_key", link)


def test_a_polyglot_recording_is_served_as_audio_only(hostile: Site) -> None:
    """A WAV that is also an HTML page plays as audio and is never rendered: its media type is
    audio, sniffing is off and the policy allows no script."""
    r = hostile.client("ada").get(f"/sessions/{hostile.sessions['polyglot']}/recording")
    assert r.status_code == 200 and b"<script>" in r.content
    assert r.headers["content-type"] == "audio/wav"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]


# ----------------------------------------------------------------------------- who sees what


def test_a_trainee_page_shows_only_the_calls_the_coach_may_open(hostile: Site) -> None:
    """max moved from red to blue: blue's coach sees max's page but none of red's calls; red's
    coach still sees the calls (and so their page) that red may open."""
    tid = hostile.trainees["max"]
    blake = hostile.client("blake").get(f"/trainees/{tid}")
    assert blake.status_code == 200
    assert "0 calls" in blake.text and "0 gauntlets" in blake.text
    casey = hostile.client("casey").get(f"/trainees/{tid}")
    assert casey.status_code == 200
    assert "3 calls" in casey.text and "1 gauntlet" in casey.text
    assert hostile.client("casey").get(f"/sessions/{hostile.sessions['max1']}").status_code == 200
    assert hostile.client("blake").get(f"/sessions/{hostile.sessions['max1']}").status_code == 404


def test_a_team_board_shows_only_the_teams_own_gauntlets(hostile: Site) -> None:
    html = hostile.client("blake").get(f"/teams/{hostile.teams['blue']}").text
    doc = Doc(html)
    rows = html.split("<tr>")
    max_row = next(r for r in rows if ">max<" in r)
    assert "no gauntlet yet" in max_row
    assert doc  # parsed


def test_a_coach_cannot_claim_a_trainee_in_no_team_by_uploading(hostile: Site) -> None:
    """Only an admin puts a trainee in a team; a coach's upload for someone outside their
    teams is refused, and the trainee stays where they were."""
    import numpy as np
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.zeros((16000, 2), dtype=np.float32) + 0.01, 16000, format="WAV")
    r = hostile.client("casey").post(
        "/api/uploads",
        data={"trainee": "solo", "team": "red"},
        files={"file": ("solo.wav", buf.getvalue(), "audio/wav")},
    )
    assert r.status_code == 400 and "team you do not coach" in r.json()["error"]
    import sqlite3

    with sqlite3.connect(hostile.data_dir / "voice-sim.db") as con:
        team = con.execute("SELECT team_id FROM trainees WHERE name = 'solo'").fetchone()[0]
    assert team is None


def test_a_duplicate_upload_does_not_reveal_a_session_the_coach_cannot_see(
    hostile: Site,
) -> None:
    rec = (hostile.data_dir / "sessions" / "kim1" / "recording.wav").read_bytes()
    r = hostile.client("casey").post(
        "/api/uploads",
        data={"trainee": "sam", "team": "red"},
        files={"file": ("copy.wav", rec, "audio/wav")},
    )
    assert r.status_code == 200, r.text
    job = r.json()["job"]
    assert job["session_id"] is None and job["session_url"] is None
    again = hostile.client("casey").get(f"/api/jobs/{job['id']}").json()["job"]
    assert again["session_id"] is None and again["session_url"] is None
