"""Serving a session's files without ever leaving its folder.

Only the names in :data:`SESSION_FILES` (and the stored recording) are served. A name with a
path separator or ``..`` is refused (400); a file that resolves outside the session folder
through a symlink is refused (403); anything else missing is 404. The recording may also lie
elsewhere in the data directory (``voice-sim score call.wav --out DIR`` keeps it apart), so it
must begin like audio too: a symlink to the server's secret key or database is refused (403).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..store.register import resolve_stored

#: Files of a session folder the web app serves, with their media types.
SESSION_FILES = {
    "report.html": "text/html; charset=utf-8",
    "timeline.png": "image/png",
    "timeline.svg": "image/svg+xml",
    "scorecard.json": "application/json",
    "analysis.json": "application/json",
    "events.jsonl": "application/x-ndjson",
    "meta.json": "application/json",
    "case_note.md": "text/markdown; charset=utf-8",
}
AUDIO_TYPES = {
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".mp3": "audio/mpeg",
}


class FileRefused(Exception):
    """A file request that may not be served; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def check_name(name: str) -> str:
    """A bare file name, or FileRefused(400)."""
    if (
        not name
        or "/" in name
        or "\\" in name
        or "\0" in name
        or name in (".", "..")
        or name.startswith(".")
        or os.path.isabs(name)
    ):
        raise FileRefused(400, "bad file name")
    if name not in SESSION_FILES:
        raise FileRefused(404, "no such file")
    return name


def inside(path: Path, folder: Path) -> Path:
    """``path`` with symlinks resolved, if it stays inside ``folder`` (also resolved); else
    FileRefused(403); FileRefused(404) when it does not exist."""
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(folder))
    if real != root and root not in real.parents:
        raise FileRefused(403, "file is outside the session folder")
    if not real.is_file():
        raise FileRefused(404, "no such file")
    return real


def session_file(folder: str, name: str, data_dir: Path) -> Path:
    """The real path of file ``name`` of a stored session folder."""
    root = resolve_stored(folder, data_dir)
    return inside(root / check_name(name), root)


def recording_file(folder: str, recording: str | None, data_dir: Path) -> Path:
    """The real path of a session's stored recording (inside its folder or the data dir)."""
    if not recording:
        raise FileRefused(404, "this session has no recording")
    root = resolve_stored(folder, data_dir)
    rec = resolve_stored(recording, data_dir)
    try:
        real = inside(rec, root)
    except FileRefused as exc:
        if exc.status != 403:
            raise
        real = inside(rec, data_dir)  # e.g. `voice-sim score call.wav --out DIR` kept it apart
    return _audio_only(real)


def _audio_only(path: Path) -> Path:
    """``path`` if it begins like one of the audio formats we store, else FileRefused(403)."""
    from .uploads import sniff

    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        raise FileRefused(404, "no such file") from None
    if sniff(head) is None:
        raise FileRefused(403, "the stored recording is not an audio file")
    return path


def read_case_note(folder: str, data_dir: Path, limit: int = 200_000) -> str | None:
    """The trainee's case note (``case_note.md``) of a session folder, if there is one."""
    try:
        path = session_file(folder, "case_note.md", data_dir)
    except FileRefused:
        return None
    try:
        return path.read_text(encoding="utf-8", errors="replace")[:limit]
    except OSError:
        return None
