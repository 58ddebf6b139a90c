"""Bad uploads get a 4xx with a one-line reason and leave no row and no file.

Oracle: the files are built here with known defects (no header, three channels, a WAV whose
header promises more audio than it holds, a FLAC cut in half, a body over the limit)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

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


def _multipart(parts: list[tuple[dict[str, str], bytes]], boundary: str = "b0undary") -> bytes:
    out = b""
    for headers, body in parts:
        out += f"--{boundary}\r\n".encode()
        for k, v in headers.items():
            out += f"{k}: {v}\r\n".encode("latin-1")
        out += b"\r\n" + body + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def _post_raw(site: Site, body: bytes, boundary: str = "b0undary") -> object:
    c = site.client("casey")
    return c.post(
        "/api/uploads",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


def _field(name: str, value: str) -> tuple[dict[str, str], bytes]:
    return {"Content-Disposition": f'form-data; name="{name}"'}, value.encode()


def test_huge_part_headers_are_refused(site: Site) -> None:
    """A part's headers are read into memory: they get a small limit of their own (the file
    limit only counts the file's bytes)."""
    before = _state(site)
    wav = _audio(2, 1.0)
    body = _multipart(
        [
            _field("trainee", "sam"),
            _field("team", "red"),
            (
                {
                    "Content-Disposition": 'form-data; name="file"; filename="a.wav"',
                    "X-Padding": "p" * 1_000_000,
                },
                wav,
            ),
        ]
    )
    r = _post_raw(site, body)
    assert r.status_code == 400 and "header" in r.json()["error"]  # type: ignore[attr-defined]
    assert _state(site) == before


def test_a_flood_of_small_fields_is_refused(site: Site) -> None:
    before = _state(site)
    parts = [_field(f"f{i}", "x") for i in range(5000)]
    parts.append(
        ({"Content-Disposition": 'form-data; name="file"; filename="a.wav"'}, _audio(2, 1.0))
    )
    r = _post_raw(site, _multipart([_field("trainee", "sam"), *parts]))
    assert r.status_code == 400 and "fields" in r.json()["error"]  # type: ignore[attr-defined]
    assert _state(site) == before


def _flac_of_silence(seconds: float, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.zeros(int(seconds * rate), dtype=np.int16), rate, format="FLAC")
    return buf.getvalue()


def test_compressed_audio_that_unpacks_to_hours_is_refused(site: Site) -> None:
    """A decompression bomb: FLAC packs silence a thousandfold, so a file far under the size
    limit can hold more audio than a call ever lasts. The length is checked (the site allows
    600 s) before anything is stored."""
    bomb = _flac_of_silence(20 * 60)
    assert len(bomb) < 200_000  # tiny on the wire
    before = _state(site)
    r = site.client("casey").post(
        "/api/uploads",
        files={"file": ("bomb.flac", bomb, "audio/flac")},
        data={"trainee": "sam", "team": "red"},
    )
    assert r.status_code == 400, r.text
    assert "too long" in r.json()["error"]
    assert _state(site) == before


def test_a_sample_rate_no_call_has_is_refused(site: Site) -> None:
    buf = io.BytesIO()
    sf.write(buf, np.zeros((2000, 2), dtype=np.int16) + 100, 1000, format="WAV")
    r = site.client("casey").post(
        "/api/uploads",
        files={"file": ("slow.wav", buf.getvalue(), "audio/wav")},
        data={"trainee": "sam", "team": "red"},
    )
    assert r.status_code == 400 and "sample rate" in r.json()["error"]


def test_upload_leftovers_of_a_killed_server_are_swept_at_start(tmp_path: Path) -> None:
    """A server killed mid-upload leaves its temporary folder; the next start removes the old
    ones (an hour or more) and leaves any upload in progress alone."""
    import os
    import time

    from voice_sim.store.ingest import TMP_PREFIX, UPLOADS_DIR

    from .conftest import serve

    up = tmp_path / UPLOADS_DIR
    stale, fresh = up / f"{TMP_PREFIX}dead", up / f"{TMP_PREFIX}live"
    for d in (stale, fresh):
        d.mkdir(parents=True)
        (d / "upload.bin").write_bytes(b"RIFF" + b"\0" * 100)
    old = time.time() - 2 * 3600
    os.utime(stale / "upload.bin", (old, old))
    os.utime(stale, (old, old))
    with serve(tmp_path):
        pass
    assert not stale.exists() and fresh.exists()
