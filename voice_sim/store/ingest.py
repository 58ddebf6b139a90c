"""Bringing recordings in: find them, analyse and score them in worker processes, store them.

Used by ``voice-sim import`` and by the web app's uploads. Crash safety: a worker writes the
new session folder under a temporary name and renames it when complete; the store row is
written afterwards in one transaction. A ``kill -9`` at any moment leaves at worst a temporary
folder (removed by the next run) or a complete folder without a row (the next run stores it
without analysing again), never a half row.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ..errors import one_line
from ..gauntlet import GAUNTLET_FILE
from .errors import StoreError
from .register import (
    SessionRecord,
    find_recording,
    gauntlet_calls,
    read_session,
    sha256_file,
)

#: Recording formats the analysis reads.
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".opus", ".mp3")
#: Sub-folder of the data directory that imported and uploaded recordings are copied to.
IMPORTS_DIR = "imports"
UPLOADS_DIR = "uploads"
#: Prefix of a session folder still being written.
TMP_PREFIX = ".tmp-"
#: Whisper threads per worker: one per worker keeps N workers on N cores without contention.
WORKER_THREADS = 1


@dataclass(frozen=True)
class ImportItem:
    """One thing to import: a recording file, or an existing session folder."""

    path: Path
    """The recording (for a session folder, its recording)."""
    folder: Path | None = None
    """An existing session folder holding it (scored in place), or None for a bare file."""
    gauntlet: Path | None = None
    """The gauntlet folder this session belongs to."""


@dataclass
class ImportReport:
    """What an import did."""

    stored: list[int] = field(default_factory=list)
    """Session ids stored (new or updated)."""
    skipped: list[Path] = field(default_factory=list)
    """Files whose recording was already stored."""
    failed: list[tuple[Path, str]] = field(default_factory=list)
    """(file, one-line reason)."""
    audio_s: float = 0.0
    """Audio seconds analysed."""


def _has_glob(s: str) -> bool:
    return any(c in s for c in "*?[")


def expand(paths: Sequence[str | Path]) -> list[ImportItem]:
    """Recordings, session folders, gauntlet folders, folders of recordings and globs -> items,
    in a stable order, each recording once. A path that matches nothing raises StoreError."""
    items: list[ImportItem] = []
    seen: set[Path] = set()

    def add(item: ImportItem) -> None:
        key = Path(os.path.abspath(item.path))
        if key not in seen:
            seen.add(key)
            items.append(item)

    def walk(p: Path) -> None:
        if p.is_file():
            if p.suffix.lower() not in AUDIO_SUFFIXES:
                raise StoreError(f"{p}: not a recording ({', '.join(AUDIO_SUFFIXES)}) or folder")
            folder = p.parent if p.stem == "recording" and _is_session(p.parent) else None
            add(ImportItem(p, folder))
            return
        if (p / GAUNTLET_FILE).is_file() and find_recording(p) is None:
            for call in gauntlet_calls(p):
                rec = find_recording(call)
                if rec is not None:
                    add(ImportItem(rec, call, p))
            return
        if _is_session(p):
            rec = find_recording(p)
            assert rec is not None
            add(ImportItem(rec, p))
            return
        subs = sorted(p.iterdir(), key=lambda q: q.name)
        for q in subs:
            if q.name.startswith("."):
                continue
            if q.is_dir() or q.suffix.lower() in AUDIO_SUFFIXES:
                walk(q)

    for raw in paths:
        s = str(raw)
        if _has_glob(s) and not Path(s).exists():
            matches = sorted(glob.glob(s, recursive=True))
            if not matches:
                raise StoreError(f"{s}: no file matches")
            for m in matches:
                walk(Path(m))
            continue
        p = Path(s)
        if not p.exists():
            raise StoreError(f"{p}: no such file or folder")
        walk(p)
    return items


def _is_session(folder: Path) -> bool:
    return (
        folder.is_dir()
        and find_recording(folder) is not None
        and (
            (folder / "meta.json").is_file()
            or (folder / "events.jsonl").is_file()
            or (folder / "scorecard.json").is_file()
        )
    )


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_stem(name: str) -> str:
    """A file name's stem made safe for a folder name (no separators, no dots first)."""
    stem = _SAFE.sub("-", Path(name).stem).strip("-.")[:60]
    return stem or "recording"


def import_folder(data_dir: Path, content_hash: str, name: str, sub: str = IMPORTS_DIR) -> Path:
    """Where a copied recording's session folder goes: ``<data>/imports/<hash12>-<stem>``."""
    return data_dir / sub / f"{content_hash[:12]}-{safe_stem(name)}"


def clean_temp_folders(data_dir: Path, sub: str = IMPORTS_DIR) -> int:
    """Remove folders a killed import left half-written; returns how many."""
    base = data_dir / sub
    n = 0
    if base.is_dir():
        for p in base.iterdir():
            if p.name.startswith(TMP_PREFIX) and p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
                n += 1
    return n


# ----------------------------------------------------------------------------- worker side

_worker: dict[str, Any] = {}


def _init_worker(threads: int) -> None:
    """Load Whisper once per worker process."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    _worker["threads"] = threads


def analyse_and_score(
    recording: Path,
    dest: Path,
    *,
    persona: str | None,
    name: str,
    events: Path | None = None,
    threads: int = WORKER_THREADS,
) -> None:
    """Write ``analysis.json``, ``scorecard.json``, ``report.html`` and the timeline for one
    recording into ``dest`` (what ``voice-sim score`` writes)."""
    import scoring
    from audio_analysis import AnalysisSettings, analyze_file, render_timeline, write_analysis

    transcriber = _worker.get("transcriber")
    if transcriber is None:
        from audio_analysis.transcribe import WhisperTranscriber

        transcriber = WhisperTranscriber(threads=threads)
        _worker["transcriber"] = transcriber
    analysis = analyze_file(
        recording, settings=AnalysisSettings(threads=threads), transcriber=transcriber
    )
    write_analysis(analysis, dest)
    with contextlib.suppress(Exception):  # a missing figure must not lose the scorecard
        render_timeline(analysis, dest / "timeline", formats=("png",))
    evs = scoring.read_events(events) if events is not None and events.is_file() else []
    call = scoring.call_inputs(
        analysis.to_dict(),
        evs,
        source=str(recording),
        name=name,
        recording=recording,
        persona=persona,
        meta=scoring.read_meta(dest / "meta.json"),
        case_note=scoring.read_case_note(dest),
    )
    card = scoring.score_inputs(call)
    scoring.write_report(card, call, dest)


def process_item(
    item: ImportItem, data_dir: Path, content_hash: str, persona: str | None, sub: str = IMPORTS_DIR
) -> SessionRecord:
    """Analyse and score one item (in a worker process) and read back its record.

    A bare recording is copied into a new session folder under ``<data>/<sub>/``; an existing
    session folder is scored in place when it has no scorecard yet.
    """
    threads = int(_worker.get("threads", WORKER_THREADS))
    if item.folder is not None:
        folder = item.folder
        if not (folder / "scorecard.json").is_file():
            import scoring

            known = scoring.read_meta(folder / "meta.json").get("persona")
            analyse_and_score(
                item.path,
                folder,
                persona=persona or (known if isinstance(known, str) and known else None),
                name=folder.name,
                events=folder / "events.jsonl",
                threads=threads,
            )
        return read_session(folder)
    final = import_folder(data_dir, content_hash, item.path.name, sub)
    if not (final / "scorecard.json").is_file():
        tmp = final.with_name(f"{TMP_PREFIX}{final.name}-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            rec = tmp / f"recording{item.path.suffix.lower()}"
            shutil.copyfile(item.path, rec)
            analyse_and_score(
                rec, tmp, persona=persona, name=safe_stem(item.path.name), threads=threads
            )
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return read_session(final)


def _run_item(
    item: ImportItem, data_dir: Path, content_hash: str, persona: str | None, sub: str
) -> SessionRecord:
    try:
        return process_item(item, data_dir, content_hash, persona, sub)
    except Exception as exc:
        # one line, picklable, whatever the library raised
        msg = one_line(exc)
        raise StoreError(msg) from None


def make_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes (spawned: no inherited threads or locks) with Whisper loaded lazily."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_init_worker,
        initargs=(WORKER_THREADS,),
    )


def run_import(
    items: Iterable[ImportItem],
    *,
    store: Callable[[ImportItem, SessionRecord], int],
    is_stored: Callable[[str], bool],
    data_dir: Path,
    persona: str | None = None,
    workers: int = 2,
    on_progress: Callable[[ImportItem, str, float], None] | None = None,
) -> ImportReport:
    """Import ``items``: hash each, skip stored ones, analyse the rest in ``workers`` processes
    and ``store`` each result as it comes (one transaction each).

    ``on_progress(item, status, audio_s)`` is called once per item with status ``stored``,
    ``skipped`` or ``failed: <reason>``.
    """
    report = ImportReport()
    clean_temp_folders(data_dir)
    todo: list[tuple[ImportItem, str]] = []

    def tell(item: ImportItem, status: str, audio_s: float = 0.0) -> None:
        if on_progress is not None:
            on_progress(item, status, audio_s)

    queued: set[str] = set()
    for item in items:
        try:
            h = sha256_file(item.path)
        except OSError as exc:
            report.failed.append((item.path, f"cannot read: {exc.strerror or exc}"))
            tell(item, f"failed: cannot read: {exc.strerror or exc}")
            continue
        unscored = item.folder is not None and not (item.folder / "scorecard.json").exists()
        if h in queued or (is_stored(h) and not unscored):
            report.skipped.append(item.path)  # the same recording twice is one session
            tell(item, "skipped")
            continue
        queued.add(h)
        todo.append((item, h))
    if not todo:
        return report
    with make_pool(max(1, min(workers, len(todo)))) as pool:
        futures: dict[Future[SessionRecord], ImportItem] = {
            pool.submit(_run_item, item, data_dir, h, persona, IMPORTS_DIR): item
            for item, h in todo
        }
        from concurrent.futures import as_completed

        for fut in as_completed(futures):
            item = futures[fut]
            try:
                rec = fut.result()
                sid = store(item, rec)
            except Exception as exc:
                reason = one_line(exc)
                report.failed.append((item.path, reason))
                tell(item, f"failed: {reason}")
                continue
            report.stored.append(sid)
            report.audio_s += rec.duration_s
            tell(item, "stored", rec.duration_s)
    return report
