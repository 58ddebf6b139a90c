"""Session folders -> store rows: what ``call``, ``simulate``, ``gauntlet``, ``score``,
``import`` and uploads all go through.

Reading a folder (:func:`read_session`) is pure and runs in import worker processes; writing
(:func:`store_session`) is one unit of work, so a crash leaves either the whole session or
nothing. The same recording (SHA-256 of its bytes) is one session however often it arrives:
registering it again updates its scores and keeps its comments and overrides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from .db import Database
from .errors import StoreError
from .models import Gauntlet, Session, SessionDoc, SessionItem, Team, Trainee, utcnow
from .settings import WAVEFORM_POINTS

#: Bytes read at a time when hashing or scanning a recording.
CHUNK_BYTES = 1 << 20
#: Recording names a session folder may hold, in order of preference.
RECORDING_NAMES = ("recording.wav", "recording.flac", "recording.ogg", "recording.mp3")
#: Where ``source`` values come from.
SOURCES = ("live", "simulated", "import", "upload", "score")


@dataclass(frozen=True)
class SessionRecord:
    """Everything the store keeps about one call, read from its session folder.

    Times are seconds from the start of the recording; figures are the trainee's.
    """

    folder: Path
    recording: Path | None
    content_hash: str
    started_at: dt.datetime
    duration_s: float
    persona: str | None = None
    persona_name: str | None = None
    archetype: str | None = None
    trainee: str | None = None
    """Trainee name from meta.json (the bot's name in a simulation)."""
    mode: str | None = None
    """meta.json ``mode``: ``live`` or ``simulated``."""
    gauntlet_index: int | None = None
    """1-based position in a gauntlet (meta.json ``gauntlet.index``)."""
    overall: float | None = None
    items: tuple[dict[str, Any], ...] = ()
    """Scorecard items: ``id``, ``label``, ``score``, ``max``, ``applicable``."""
    pitch_hz: float | None = None
    loudness_dbfs: float | None = None
    wpm: float | None = None
    interruptions: int | None = None
    latency_s: float | None = None
    dead_air: int | None = None
    scorecard: dict[str, Any] = field(default_factory=dict)
    timeline: dict[str, Any] = field(default_factory=dict)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            h.update(chunk)
    return h.hexdigest()


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable JSON: {exc}") from None
    if not isinstance(data, dict):
        raise StoreError(f"{path}: expected a JSON object")
    return data


def _events(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            continue  # a crash can leave a half line at the end; the rest is good
        if isinstance(ev, dict):
            out.append(ev)
    return out


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and math.isfinite(v) else None


def find_recording(folder: Path) -> Path | None:
    """The session folder's recording, if it has one."""
    for name in RECORDING_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def waveform(path: Path, points: int = WAVEFORM_POINTS) -> list[list[int]]:
    """Peak level per channel in ``points`` equal slices of the recording, 0-100 (% of full
    scale), streamed in blocks so a long call needs little memory."""
    import numpy as np
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as f:
            frames, channels = f.frames, f.channels
            if frames <= 0:
                return [[] for _ in range(channels)]
            per = max(1, math.ceil(frames / points))
            peaks = np.zeros((channels, math.ceil(frames / per)), dtype=np.float32)
            col = 0
            for block in f.blocks(blocksize=per * 256, dtype="float32", always_2d=True):
                n = math.ceil(len(block) / per)
                pad = n * per - len(block)
                if pad:
                    block = np.vstack([block, np.zeros((pad, channels), dtype=np.float32)])
                peaks[:, col : col + n] = np.abs(block).reshape(n, per, channels).max(axis=1).T
                col += n
    except (RuntimeError, OSError, sf.LibsndfileError) as exc:
        raise StoreError(f"{path}: cannot read the recording: {exc}") from None
    return np.clip(np.round(peaks[:, :col] * 100), 0, 100).astype(int).tolist()


def _markers(
    analysis: Mapping[str, Any], events: Sequence[Mapping[str, Any]], card: Mapping[str, Any]
) -> list[dict[str, Any]]:
    marks: list[dict[str, Any]] = []
    for it in analysis.get("interruptions") or []:
        t = _num(it.get("start_s"))
        if t is not None:
            label = f"{it.get('by', '?')} interrupted {it.get('of', '?')}"
            marks.append({"kind": "interruption", "t_s": t, "label": label, "by": it.get("by")})
    for d in analysis.get("dead_air") or []:
        t = _num(d.get("start_s"))
        if t is not None:
            dur = _num(d.get("duration_s")) or 0.0
            marks.append({"kind": "dead_air", "t_s": t, "label": f"dead air {dur:.1f} s"})
    for ev in events:
        if ev.get("type") != "intensity" or ev.get("previous") is None:
            continue
        t, level, prev = _num(ev.get("t_s")), ev.get("level"), ev.get("previous")
        if t is not None and level != prev:
            reason = f": {ev['reason']}" if ev.get("reason") else ""
            marks.append({"kind": "mood", "t_s": t, "label": f"mood {prev} → {level}{reason}"})
    for item in card.get("items") or []:
        for e in item.get("evidence") or []:
            t = _num(e.get("start_s"))
            if t is None or e.get("effect") not in ("won", "lost"):
                continue
            what = e.get("quote") or e.get("figure") or ""
            marks.append(
                {
                    "kind": e["effect"],
                    "t_s": t,
                    "label": f"{item.get('label', item.get('id'))}: {what}",
                    "item": item.get("id"),
                }
            )
    marks.sort(key=lambda m: m["t_s"])
    return marks


def _turns(analysis: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for t in analysis.get("turns") or []:
        start, end = _num(t.get("start_s")), _num(t.get("end_s"))
        if start is None or end is None:
            continue
        out.append(
            {"speaker": t.get("speaker"), "start_s": start, "end_s": end, "text": t.get("text")}
        )
    return out


def _trainee_figures(analysis: Mapping[str, Any]) -> dict[str, Any]:
    sp = (analysis.get("speakers") or {}).get("trainee") or {}
    gaps = [
        g["duration_s"]
        for g in analysis.get("gaps") or []
        if g.get("to") == "trainee" and _num(g.get("duration_s")) is not None
    ]
    has = bool(analysis)
    return {
        "pitch_hz": _num(sp.get("pitch_hz_median")),
        "loudness_dbfs": _num(sp.get("loudness_dbfs_median")),
        "wpm": _num(sp.get("wpm")),
        "interruptions": (
            sum(1 for i in analysis.get("interruptions") or [] if i.get("by") == "trainee")
            if has
            else None
        ),
        "latency_s": float(median(gaps)) if gaps else None,
        "dead_air": len(analysis.get("dead_air") or []) if has else None,
    }


def _started_at(meta: Mapping[str, Any], fallback: Path) -> dt.datetime:
    raw = meta.get("started_at")
    if isinstance(raw, str):
        try:
            t = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
            return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t
        except ValueError:
            pass
    try:
        return dt.datetime.fromtimestamp(fallback.stat().st_mtime, dt.UTC).replace(tzinfo=None)
    except OSError:
        return utcnow()


def _archetype(persona: str | None) -> str | None:
    if not persona:
        return None
    try:
        from personas import get_persona

        return str(get_persona(persona).archetype)
    except Exception:  # an unknown or custom persona file: no archetype, still stored
        return None


def read_session(
    folder: Path, *, recording: Path | None = None, with_waveform: bool = True
) -> SessionRecord:
    """Read a scored (or unscored) session folder into a :class:`SessionRecord`.

    ``recording`` overrides the folder's own ``recording.*`` (``voice-sim score call.wav
    --out DIR`` writes the scorecard into DIR, the audio stays where it was).
    """
    if not folder.is_dir():
        raise StoreError(f"{folder}: no such session folder")
    meta = _json(folder / "meta.json")
    card = _json(folder / "scorecard.json")
    analysis = _json(folder / "analysis.json")
    events = _events(folder / "events.jsonl")
    rec = recording or find_recording(folder)
    if rec is not None and rec.is_file():
        content_hash = sha256_file(rec)
    elif card or analysis:
        rec = None
        content_hash = hashlib.sha256(f"folder:{folder.resolve()}".encode()).hexdigest()
    else:
        raise StoreError(f"{folder}: holds no recording, analysis.json or scorecard.json")
    duration = (
        _num(meta.get("duration_s"))
        or _num(analysis.get("duration_s"))
        or _num(card.get("duration_s"))
        or 0.0
    )
    persona = meta.get("persona") or card.get("persona")
    gauntlet = meta.get("gauntlet") if isinstance(meta.get("gauntlet"), dict) else None
    items = tuple(
        {
            "id": str(it.get("id")),
            "label": str(it.get("label") or it.get("id")),
            "score": float(it.get("score") or 0.0),
            "max": float(it.get("max") or 0.0),
            "applicable": bool(it.get("applicable", True)),
        }
        for it in card.get("items") or []
        if isinstance(it, dict) and it.get("id")
    )
    timeline = {
        "turns": _turns(analysis),
        "markers": _markers(analysis, events, card),
        "waveform": waveform(rec) if (with_waveform and rec is not None) else [],
        "warnings": list(analysis.get("warnings") or []),
    }
    return SessionRecord(
        folder=folder,
        recording=rec,
        content_hash=content_hash,
        started_at=_started_at(meta, rec or folder),
        duration_s=duration,
        persona=persona if isinstance(persona, str) else None,
        persona_name=meta.get("persona_name")
        if isinstance(meta.get("persona_name"), str)
        else None,
        archetype=_archetype(persona if isinstance(persona, str) else None),
        trainee=meta.get("trainee") if isinstance(meta.get("trainee"), str) else None,
        mode=meta.get("mode") if isinstance(meta.get("mode"), str) else None,
        gauntlet_index=int(gauntlet["index"])
        if gauntlet and isinstance(gauntlet.get("index"), int)
        else None,
        overall=_num(card.get("overall")),
        items=items,
        scorecard=card,
        timeline=timeline,
        **_trainee_figures(analysis),
    )


def stored_path(path: Path, data_dir: Path) -> str:
    """``path`` as the store keeps it: relative to the data directory when inside it."""
    p = Path(os.path.abspath(path))
    try:
        return p.relative_to(Path(os.path.abspath(data_dir))).as_posix()
    except ValueError:
        return str(p)


def resolve_stored(stored: str, data_dir: Path) -> Path:
    """The absolute path of a stored path."""
    p = Path(stored)
    return p if p.is_absolute() else data_dir / p


def get_team(s: OrmSession, name: str) -> Team:
    """The team called ``name``, created when new."""
    name = name.strip()
    if not name:
        raise StoreError("team: the name is empty")
    team = s.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        s.add(team)
        s.flush()
    return team


def get_trainee(s: OrmSession, name: str, team: str | None = None) -> Trainee:
    """The trainee called ``name`` (created when new); ``team`` moves them to that team."""
    name = name.strip()
    if not name:
        raise StoreError("trainee: the name is empty")
    trainee = s.scalar(select(Trainee).where(Trainee.name == name))
    if trainee is None:
        from .models import User

        user = s.scalar(select(User).where(User.name == name, User.role == "trainee"))
        trainee = Trainee(name=name, user_id=user.id if user else None)
        s.add(trainee)
    if team is not None:
        trainee.team = get_team(s, team)
    s.flush()
    return trainee


def _apply(row: Session, rec: SessionRecord, data_dir: Path) -> None:
    row.folder = stored_path(rec.folder, data_dir)
    row.recording = None if rec.recording is None else stored_path(rec.recording, data_dir)
    row.persona, row.persona_name, row.archetype = rec.persona, rec.persona_name, rec.archetype
    row.started_at, row.duration_s, row.overall = rec.started_at, rec.duration_s, rec.overall
    row.pitch_hz, row.loudness_dbfs, row.wpm = rec.pitch_hz, rec.loudness_dbfs, rec.wpm
    row.interruptions, row.latency_s, row.dead_air = rec.interruptions, rec.latency_s, rec.dead_air


def store_session_in(
    s: OrmSession,
    rec: SessionRecord,
    data_dir: Path,
    *,
    trainee: str,
    team: str | None = None,
    source: str = "score",
    gauntlet: Gauntlet | None = None,
) -> tuple[Session, bool]:
    """Insert or update ``rec`` inside an open unit of work; returns (row, created)."""
    if source not in SOURCES:
        raise StoreError(f"source: expected one of {', '.join(SOURCES)}, got {source!r}")
    row = s.scalar(select(Session).where(Session.content_hash == rec.content_hash))
    created = row is None
    if row is None:
        who = get_trainee(s, trainee, team)
        row = Session(
            content_hash=rec.content_hash, source=source, trainee_id=who.id, team_id=who.team_id
        )
        s.add(row)
    elif team is not None:  # an explicit team moves the session (and its trainee) there
        row.team_id = get_trainee(s, row.trainee.name, team).team_id
    _apply(row, rec, data_dir)
    if gauntlet is not None:
        row.gauntlet_id, row.call_index = gauntlet.id, rec.gauntlet_index
    s.flush()
    # items and docs replaced whole: a re-score brings a new scorecard; overrides stay
    row.items = [
        SessionItem(
            item=it["id"],
            position=i,
            label=it["label"],
            score=it["score"],
            max=it["max"],
            applicable=it["applicable"],
        )
        for i, it in enumerate(rec.items)
    ]
    doc = s.get(SessionDoc, row.id)
    if doc is None:
        s.add(SessionDoc(session_id=row.id, scorecard=rec.scorecard, timeline=rec.timeline))
    else:
        doc.scorecard, doc.timeline = rec.scorecard, rec.timeline
    s.flush()
    return row, created


def store_session(
    db: Database,
    rec: SessionRecord,
    *,
    trainee: str,
    team: str | None = None,
    source: str = "score",
) -> tuple[int, bool]:
    """Store one session in its own unit of work; returns (session id, created)."""
    with db.write() as s:
        row, created = store_session_in(
            s, rec, db.data_dir, trainee=trainee, team=team, source=source
        )
        return row.id, created


def is_stored(db: Database, content_hash: str) -> int | None:
    """The id of the session with this recording hash, if stored."""
    with db.read() as s:
        return s.scalar(select(Session.id).where(Session.content_hash == content_hash))


def _drift(calls: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    def fig(c: Mapping[str, Any], k: str) -> float | None:
        return _num(c.get(k))

    if len(calls) < 2:
        return {"pitch_st": None, "loudness_db": None, "wpm_pct": None}
    a, b = calls[0], calls[-1]
    p0, p1 = fig(a, "pitch_hz_median"), fig(b, "pitch_hz_median")
    l0, l1 = fig(a, "loudness_dbfs_median"), fig(b, "loudness_dbfs_median")
    w0, w1 = fig(a, "wpm"), fig(b, "wpm")
    return {
        "pitch_st": round(12 * math.log2(p1 / p0), 2) if p0 and p1 else None,
        "loudness_db": round(l1 - l0, 2) if l0 is not None and l1 is not None else None,
        "wpm_pct": round(100 * (w1 - w0) / w0, 1) if w0 and w1 is not None else None,
    }


def gauntlet_calls(folder: Path) -> list[Path]:
    """The session folders of a gauntlet folder, in call order."""
    doc = _json(folder / "gauntlet.json")
    out = []
    for c in doc.get("calls") or []:
        name = c if isinstance(c, str) else (c.get("folder") or c.get("name"))
        if isinstance(name, str) and name and "/" not in name and name not in (".", ".."):
            out.append(folder / name)
    return out


def store_gauntlet(
    db: Database,
    folder: Path,
    records: Sequence[SessionRecord],
    *,
    trainee: str,
    team: str | None = None,
    source: str = "simulated",
) -> tuple[int, list[int]]:
    """Store a gauntlet and its calls in one unit of work; returns (gauntlet id, session ids)."""
    plan = _json(folder / "gauntlet.json")
    card = _json(folder / "session_scorecard.json")
    with db.write() as s:
        who = get_trainee(s, trainee, team)
        key = stored_path(folder, db.data_dir)
        g = s.scalar(select(Gauntlet).where(Gauntlet.folder == key))
        if g is None:
            g = Gauntlet(folder=key, trainee_id=who.id)
            s.add(g)
        g.team_id = who.team_id
        g.started_at = min((r.started_at for r in records), default=utcnow())
        g.calls = len(plan.get("calls") or records)
        g.overall = _num(card.get("overall"))
        g.patience = [
            {k: it.get(k) for k in ("id", "label", "score", "max", "applicable")}
            for it in card.get("patience") or []
        ]
        g.drift = _drift(card.get("calls") or [])
        s.flush()
        ids = []
        for rec in records:
            row, _ = store_session_in(
                s, rec, db.data_dir, trainee=trainee, team=team, source=source, gauntlet=g
            )
            ids.append(row.id)
        return g.id, ids
