"""Background analysis and scoring of uploads, in worker processes next to the server.

A job row is written when an accepted upload has been moved into its session folder; a runner
thread per worker takes queued jobs oldest first, has a worker process analyse and score the
folder (:func:`voice_sim.store.ingest.process_item`), stores the session and marks the job
done. A job that fails removes its folder (no row, no file) and says why. Jobs left queued or
running when the server stopped are taken up again at the next start.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..errors import one_line
from ..store import Database, Job, Session, StoreError
from ..store.ingest import TMP_PREFIX, UPLOADS_DIR, ImportItem, _run_item, make_pool
from ..store.models import utcnow
from ..store.register import find_recording, resolve_stored, store_session_in

log = logging.getLogger(__name__)

#: How often an idle runner looks for work it was not woken for, seconds.
POLL_S = 2.0
#: A temporary upload folder untouched this long is a leftover of a killed server, seconds.
STALE_UPLOAD_S = 3600.0


def sweep_stale_uploads(data_dir: Path, older_than_s: float = STALE_UPLOAD_S) -> int:
    """Remove temporary upload folders untouched for ``older_than_s`` (a server killed
    mid-upload leaves one); returns how many. Newer ones may be uploads in progress."""
    import time

    root = data_dir / UPLOADS_DIR
    if not root.is_dir():
        return 0
    cutoff, n = time.time() - older_than_s, 0
    for d in root.glob(f"{TMP_PREFIX}*"):
        try:
            newest = max([d.stat().st_mtime, *(p.stat().st_mtime for p in d.iterdir())])
        except OSError:
            continue
        if d.is_dir() and not d.is_symlink() and newest < cutoff:
            shutil.rmtree(d, ignore_errors=True)
            n += 1
    return n


class JobRunner:
    """Runs upload jobs in ``workers`` processes; ``start()`` with the app, ``stop()`` at exit."""

    def __init__(self, db: Database, data_dir: Path, *, workers: int = 1) -> None:
        self.db, self.data_dir, self.workers = db, data_dir, max(1, workers)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pool: Any = None
        self._claim = threading.Lock()

    def start(self) -> None:
        sweep_stale_uploads(self.data_dir)
        with self.db.write() as s:  # work a stopped server left behind
            for job in s.scalars(select(Job).where(Job.status == "running")):
                job.status = "queued"
        self._pool = make_pool(self.workers)
        for i in range(self.workers):
            t = threading.Thread(target=self._loop, name=f"upload-job-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def notify(self) -> None:
        """A job was queued."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        pool, self._pool = self._pool, None
        if pool is not None:
            # a job in progress stays "running" in the store and is redone at the next start
            for p in list(getattr(pool, "_processes", {}).values()):
                p.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
        for t in self._threads:
            t.join(timeout=5)
        self._threads.clear()

    def _next(self) -> Job | None:
        with self._claim, self.db.write() as s:
            job = s.scalar(select(Job).where(Job.status == "queued").order_by(Job.id).limit(1))
            if job is None:
                return None
            job.status, job.updated_at = "running", utcnow()
            return job

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job = self._next()
            except Exception:  # the store is busy or gone: try again later
                log.exception("upload jobs: cannot read the queue")
                job = None
            if job is None:
                self._wake.wait(POLL_S)
                self._wake.clear()
                continue
            self._run(job)

    def _already_stored(self, s: Any, job_id: int, content_hash: str) -> bool:
        """Inside a unit of work: when a session with this recording exists (stored since the
        upload was accepted, by an import say), the job is done with it. An upload never
        updates or moves a stored call: its options (trainee, team) are the uploader's."""
        sid = s.scalar(select(Session.id).where(Session.content_hash == content_hash))
        if sid is None:
            return False
        j = s.get(Job, job_id)
        if j is not None:
            j.status, j.session_id, j.updated_at = "done", sid, utcnow()
            j.message = "already stored"
        return True

    def _run(self, job: Job) -> None:
        folder = resolve_stored(job.folder, self.data_dir)
        opts = job.options or {}
        try:
            rec_path = find_recording(folder)
            if rec_path is None:
                raise StoreError("the uploaded recording is gone")
            from ..store.register import sha256_file

            pool = self._pool
            if pool is None:
                return
            content_hash = sha256_file(rec_path)
            with self.db.write() as s:
                stored = self._already_stored(s, job.id, content_hash)
            if stored:
                shutil.rmtree(folder, ignore_errors=True)
                return
            fut = pool.submit(
                _run_item,
                ImportItem(rec_path, folder),
                self.data_dir,
                content_hash,
                opts.get("persona"),
                "uploads",
            )
            rec = fut.result()
            with self.db.write() as s:
                stored = self._already_stored(s, job.id, rec.content_hash)
                if not stored:
                    row, _ = store_session_in(
                        s,
                        rec,
                        self.data_dir,
                        trainee=opts.get("trainee") or "unassigned",
                        team=opts.get("team"),
                        source="upload",
                    )
                    j = s.get(Job, job.id)
                    assert j is not None
                    j.status, j.session_id, j.updated_at = "done", row.id, utcnow()
                    j.message = None
            if stored:
                shutil.rmtree(folder, ignore_errors=True)
        except Exception as exc:
            if self._stop.is_set():
                return  # stopped mid-job: redone at the next start
            reason = one_line(exc)
            log.warning("upload job %s failed: %s", job.id, reason)
            shutil.rmtree(folder, ignore_errors=True)
            try:
                with self.db.write() as s:
                    j = s.get(Job, job.id)
                    if j is not None:
                        j.status, j.message, j.updated_at = "failed", reason, utcnow()
            except Exception:
                log.exception("upload job %s: cannot record the failure", job.id)
