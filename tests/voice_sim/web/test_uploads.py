"""Bad uploads get a 4xx with a one-line reason and leave no row and no file.

Oracle: the files are built here with known defects (no header, three channels, a WAV whose
header promises more audio than it holds, a FLAC cut in half, a body over the limit)."""

from __future__ import annotations

import io
import sqlite3

import numpy as np
import pytest
import soundfile as sf

from .conftest import Site

RATE = 16_000


def _audio(channels: int, seconds: float, fmt: str = "WAV") -> bytes:
    t = np.arange(int(seconds * RATE)) / RATE
    y = np.stack([0.3 * np.sin(2 * np.pi * (200 + 50 * c) * t) for c in range(channels)], axis=1)
    buf = io.BytesIO()
    sf.write(buf, y, RATE, format=fmt, subtype="PCM_16")
    return buf.getvalue()


def _truncated_wav() -> bytes:
    whole = _audio(2, 2.0)
    return whole[: len(whole) // 2]  # the header still promises 2 s


def _truncated_flac() -> bytes:
    whole = _audio(2, 3.0, "FLAC")
    return whole[: len(whole) // 2]


def _state(site: Site) -> tuple[int, int, list[str]]:
    with sqlite3.connect(site.data_dir / "voice-sim.db") as con:
        sessions = int(con.execute("SELECT count(*) FROM sessions").fetchone()[0])
        jobs = int(con.execute("SELECT count(*) FROM jobs").fetchone()[0])
    up = site.data_dir / "uploads"
    files = sorted(str(p.relative_to(up)) for p in up.rglob("*")) if up.exists() else []
    return sessions, jobs, files


BAD = [
    ("empty", lambda: b"", 400, "empty file"),
    ("not audio", lambda: b"%PDF-1.4 not a recording at all" * 10, 415, "not an audio file"),
    ("text named .wav", lambda: b"hello, world\n" * 50, 415, "not an audio file"),
    ("three channels", lambda: _audio(3, 1.0), 400, "3 channels"),
    ("truncated WAV", _truncated_wav, 400, "truncated"),
    ("truncated FLAC", _truncated_flac, 400, "truncated"),
    ("too short", lambda: _audio(2, 0.1), 400, "too short"),
    ("over the limit", lambda: b"RIFF" + b"\0" * (3 * 1024 * 1024), 413, "size limit"),
]


@pytest.mark.parametrize(("case", "make", "status", "says"), BAD, ids=[b[0] for b in BAD])
def test_bad_upload_is_refused_and_leaves_nothing(
    site: Site, case: str, make: object, status: int, says: str
) -> None:
    c = site.client("casey")
    before = _state(site)
    r = c.post(
        "/api/uploads",
        files={"file": (f"{case}.wav", make(), "audio/wav")},  # type: ignore[operator]
        data={"trainee": "sam", "team": "red"},
    )
    assert r.status_code == status, r.text
    reason = r.json()["error"]
    assert says in reason and "\n" not in reason
    assert _state(site) == before


def test_upload_needs_a_file_field(site: Site) -> None:
    before = _state(site)
    r = site.client("casey").post(
        "/api/uploads",
        data={"trainee": "sam"},
        files={"other": ("x.wav", _audio(2, 1.0), "audio/wav")},
    )
    assert r.status_code == 400 and "no file" in r.json()["error"]
    assert _state(site) == before


def test_coach_may_not_upload_into_a_team_they_do_not_coach(site: Site) -> None:
    before = _state(site)
    r = site.client("casey").post(
        "/api/uploads",
        data={"trainee": "kim", "team": "blue"},
        files={"file": ("x.wav", _audio(2, 1.0), "audio/wav")},
    )
    assert r.status_code == 400 and "team" in r.json()["error"]
    assert _state(site) == before


def test_uploaded_file_name_cannot_choose_where_it_is_stored(site: Site) -> None:
    """A name like ../../x.wav is display text only; the folder name is made from it safely."""
    from voice_sim.store.ingest import import_folder, safe_stem

    assert safe_stem("../../etc/passwd.wav") == "passwd"
    assert safe_stem("..\\..\\evil.wav") == "evil"
    p = import_folder(site.data_dir, "ab" * 32, "../../../x.wav", "uploads")
    assert p.parent == site.data_dir / "uploads"
