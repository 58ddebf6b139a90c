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
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from ..errors import VoiceSimError
from ..gauntlet import GAUNTLET_FILE, GauntletFile, read_gauntlet_file
from .db import Database
from .errors import StoreError
from .models import Gauntlet, Session, SessionDoc, SessionItem, Team, Trainee, utcnow
from .settings import WAVEFORM_POINTS

if TYPE_CHECKING:  # the readers' packages load on first use: the CLI's commands stay light
    from audio_analysis import CallAnalysis
    from personas.call_log import CallEvent
    from scoring import Scorecard, SessionScorecard

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


@dataclass(frozen=True)
class FolderFiles:
    """A session folder's files, each read by its owner's reader (None or empty when absent).

    ``analysis.json`` by ``audio_analysis.read_analysis``, ``scorecard.json`` by
    ``scoring.read_scorecard``, ``events.jsonl`` by ``personas.call_log.read_events`` (lenient:
    a line torn by a crash at the end is dropped, nothing else is forgiven) and ``meta.json`` by
    ``scoring.read_meta`` (it only adds context: unreadable reads as empty).
    """

    meta: Mapping[str, Any]
    analysis: CallAnalysis | None
    card: Scorecard | None
    events: tuple[CallEvent, ...]


def read_folder_files(folder: Path) -> FolderFiles:
    """Read a session folder's files through their owners; a damaged file is a
    :class:`StoreError` naming the file and the field."""
    from audio_analysis import AnalysisError, read_analysis
    from personas.call_log import EventLogError, read_events
    from scoring import ScoringError, read_meta, read_scorecard

    try:
        analysis = (
            read_analysis(folder / "analysis.json")
            if (folder / "analysis.json").is_file()
            else None
        )
        card = (
            read_scorecard(folder / "scorecard.json")
            if (folder / "scorecard.json").is_file()
            else None
        )
        events = (
            read_events(folder / "events.jsonl", lenient=True)
            if (folder / "events.jsonl").is_file()
            else []
        )
    except (AnalysisError, ScoringError, EventLogError) as exc:
        raise StoreError(str(exc)) from None
    return FolderFiles(read_meta(folder / "meta.json"), analysis, card, tuple(events))


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


def _markers(files: FolderFiles) -> list[dict[str, Any]]:
    """What the session page marks on the waveform: interruptions, dead air (as the scorecard
    judged it, else the analysis's), the customer's mood moves and the moments that won or lost
    points."""
    from personas.call_log import Intensity

    a, card = files.analysis, files.card
    marks: list[dict[str, Any]] = []
    for it in a.interruptions if a is not None else ():
        label = f"{it.by} interrupted {it.of}"
        marks.append({"kind": "interruption", "t_s": it.start_s, "label": label, "by": it.by})
    for start_s, duration_s in _dead_air(files):
        marks.append({"kind": "dead_air", "t_s": start_s, "label": f"dead air {duration_s:.1f} s"})
    for ev in files.events:
        if isinstance(ev, Intensity) and ev.previous is not None and ev.level != ev.previous:
            reason = f": {ev.reason}" if ev.reason else ""
            label = f"mood {ev.previous} → {ev.level}{reason}"
            marks.append({"kind": "mood", "t_s": ev.t_s, "label": label})
    for item in card.items if card is not None else ():
        for e in item.evidence:
            if e.start_s is None or e.effect not in ("won", "lost"):
                continue
            what = e.quote or e.figure or ""
            marks.append(
                {
                    "kind": e.effect,
                    "t_s": e.start_s,
                    "label": f"{item.label}: {what}",
                    "item": item.id,
                }
            )
    marks.sort(key=lambda m: m["t_s"])
    return marks


def _dead_air(files: FolderFiles) -> list[tuple[float, float]]:
    """The call's dead air (start_s, duration_s): the scorecard's verdicts (the director's rule,
    with hold notices and the customer's patience), else the analysis's."""
    if files.card is not None and files.card.silences is not None:
        return [(x.start_s, x.duration_s) for x in files.card.dead_air]
    if files.analysis is not None:
        return [(d.start_s, d.duration_s) for d in files.analysis.dead_air]
    return []


def _turns(analysis: CallAnalysis | None) -> list[dict[str, Any]]:
    if analysis is None:
        return []
    return [
        {"speaker": t.speaker, "start_s": t.start_s, "end_s": t.end_s, "text": t.text}
        for t in analysis.turns
    ]


def _trainee_figures(files: FolderFiles) -> dict[str, Any]:
    a = files.analysis
    if a is None:
        return {"dead_air": len(_dead_air(files)) if files.card is not None else None}
    sp = a.speakers.get("trainee")
    gaps = [g.duration_s for g in a.gaps if g.to_speaker == "trainee"]
    return {
        "pitch_hz": _num(sp.pitch_hz_median) if sp else None,
        "loudness_dbfs": _num(sp.loudness_dbfs_median) if sp else None,
        "wpm": _num(sp.wpm) if sp else None,
        "interruptions": sum(1 for i in a.interruptions if i.by == "trainee"),
        "latency_s": float(median(gaps)) if gaps else None,
        "dead_air": len(_dead_air(files)),
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
    files = read_folder_files(folder)
    meta, card, analysis = files.meta, files.card, files.analysis
    rec = recording or find_recording(folder)
    if rec is not None and rec.is_file():
        content_hash = sha256_file(rec)
    elif card is not None or analysis is not None:
        rec = None
        content_hash = hashlib.sha256(f"folder:{folder.resolve()}".encode()).hexdigest()
    else:
        raise StoreError(f"{folder}: holds no recording, analysis.json or scorecard.json")
    duration = (
        _num(meta.get("duration_s"))
        or (analysis.duration_s if analysis is not None else None)
        or (card.duration_s if card is not None else None)
        or 0.0
    )
    persona = _text(meta.get("persona")) or (card.persona if card is not None else None)
    gauntlet = meta.get("gauntlet") if isinstance(meta.get("gauntlet"), dict) else None
    items = tuple(
        {
            "id": it.id,
            "label": it.label,
            "score": it.score,
            "max": it.max,
            "applicable": it.applicable,
        }
        for it in (card.items if card is not None else ())
    )
    timeline = {
        "turns": _turns(analysis),
        "markers": _markers(files),
        "waveform": waveform(rec) if (with_waveform and rec is not None) else [],
        "warnings": list(analysis.warnings) if analysis is not None else [],
    }
    return SessionRecord(
        folder=folder,
        recording=rec,
        content_hash=content_hash,
        started_at=_started_at(meta, rec or folder),
        duration_s=duration,
        persona=persona,
        persona_name=_text(meta.get("persona_name")),
        archetype=_archetype(persona),
        trainee=_text(meta.get("trainee")),
        mode=_text(meta.get("mode")),
        gauntlet_index=int(gauntlet["index"])
        if gauntlet and isinstance(gauntlet.get("index"), int)
        else None,
        overall=card.overall if card is not None else None,
        items=items,
        scorecard=card.to_dict() if card is not None else {},
        timeline=timeline,
        **_trainee_figures(files),
    )


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


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


def _drift(card: SessionScorecard | None) -> dict[str, float | None]:
    """The trainee's drift over a gauntlet, last call against the first (``pitch_st``,
    ``loudness_db``, ``wpm_pct``; None when there are fewer than two calls)."""
    from audio_analysis.drift import between

    calls = card.calls if card is not None else ()
    if len(calls) < 2:
        return {"pitch_st": None, "loudness_db": None, "wpm_pct": None}
    a, b = calls[0], calls[-1]
    return asdict(
        between(
            (a.pitch_hz_median, a.loudness_dbfs_median, a.wpm),
            (b.pitch_hz_median, b.loudness_dbfs_median, b.wpm),
        )
    )


def _session_scorecard(folder: Path) -> SessionScorecard | None:
    """The gauntlet's ``session_scorecard.json`` through scoring's reader (None: not scored)."""
    from scoring import ScoringError, read_session_scorecard

    if not (folder / "session_scorecard.json").is_file():
        return None
    try:
        return read_session_scorecard(folder)
    except ScoringError as exc:
        raise StoreError(str(exc)) from None


def gauntlet_calls(folder: Path) -> list[Path]:
    """The session folders of a gauntlet folder, in call order (none without a gauntlet.json)."""
    return _gauntlet_file(folder).folders(folder)


def _gauntlet_file(folder: Path) -> GauntletFile:
    """``gauntlet.json`` as its owner reads it; no calls when the folder has none."""
    if not (folder / GAUNTLET_FILE).is_file():
        return GauntletFile(calls=())
    try:
        return read_gauntlet_file(folder)
    except VoiceSimError as exc:
        raise StoreError(str(exc)) from None


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
    plan = _gauntlet_file(folder)
    card = _session_scorecard(folder)
    with db.write() as s:
        who = get_trainee(s, trainee, team)
        key = stored_path(folder, db.data_dir)
        g = s.scalar(select(Gauntlet).where(Gauntlet.folder == key))
        if g is None:
            g = Gauntlet(folder=key, trainee_id=who.id)
            s.add(g)
        g.team_id = who.team_id
        g.started_at = min((r.started_at for r in records), default=utcnow())
        g.calls = len(plan.calls or records)
        g.overall = card.overall if card is not None else None
        g.patience = [
            {k: it.to_dict()[k] for k in ("id", "label", "score", "max", "applicable")}
            for it in (card.patience if card is not None else ())
        ]
        g.drift = _drift(card)
        s.flush()
        ids = []
        for rec in records:
            row, _ = store_session_in(
                s, rec, db.data_dir, trainee=trainee, team=team, source=source, gauntlet=g
            )
            ids.append(row.id)
        return g.id, ids


def store_records(
    db: Database,
    records: Sequence[SessionRecord],
    *,
    trainee: str,
    source: str,
    team: str | None = None,
    gauntlet: Path | None = None,
) -> tuple[int | None, list[int]]:
    """Store finished calls: a gauntlet's, with its folder ``gauntlet``, in one unit of work;
    else each call in its own. Returns (gauntlet id or None, session ids in order)."""
    if gauntlet is not None:
        return store_gauntlet(db, gauntlet, records, trainee=trainee, team=team, source=source)
    ids = [store_session(db, rec, trainee=trainee, team=team, source=source)[0] for rec in records]
    return None, ids
