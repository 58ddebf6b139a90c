"""What every remote call shares before and after it: the models loaded once per process, and the
work after the call (case note, analysis, scoring) that the web app and the LiveKit worker both
run. Nothing here imports the web app.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
from pathlib import Path

from scoring import write_case_note
from scoring.case_note import MAX_NOTE_CHARS

from ..errors import one_line
from ..settings import CallSettings

#: CPU priority of after-call work: the calls still running come first.
AFTER_CALL_NICE = 10
#: Whisper threads for the analysis after a call (one: a core stays free for live calls).
AFTER_CALL_THREADS = 1

_SLUG = re.compile(r"[^a-z0-9-]+")


def prewarm(settings: CallSettings) -> None:
    """Load Whisper, Piper and Silero once for every call of this process.

    faster-whisper (CTranslate2) and ONNX Runtime sessions are safe to call from several
    threads; each call keeps its own stream state, so the models are shared, not copied.
    """
    from .. import models

    models.whisper(settings.stt_model, threads=settings.stt_threads)
    models.piper()
    models.silero_stream()


def slug(text: str) -> str:
    """A folder-safe form of a persona id, user name or job id."""
    return _SLUG.sub("-", text.lower()).strip("-")[:40] or "call"


def write_note(folder: Path, text: str) -> Path | None:
    """Save the trainee's case note through its owner, :func:`scoring.write_case_note`; None
    for an empty note. A note over the scorer's limit is cut to it: the page and the room
    have already refused longer ones, and a note must not be lost for a few characters."""
    text = text.strip()
    if not text:
        return None
    return write_case_note(folder, text[:MAX_NOTE_CHARS])


def init_worker(nice: int = AFTER_CALL_NICE) -> None:
    """Initialiser of an after-call worker process: lower priority, quiet logs."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(nice)
    logging.basicConfig(level=logging.WARNING)


def analyse_folder(folder: str, threads: int = AFTER_CALL_THREADS) -> None:
    """Write ``analysis.json`` (and the timeline figure) of a finished call."""
    from audio_analysis import AnalysisSettings, analyze_file, render_timeline, write_analysis

    path = Path(folder)
    analysis = analyze_file(path / "recording.wav", settings=AnalysisSettings(threads=threads))
    write_analysis(analysis, path)
    with contextlib.suppress(Exception):  # a missing figure must not lose the scorecard
        render_timeline(analysis, path / "timeline", formats=("png",))


def score_target(target: str) -> None:
    """Score a session or gauntlet folder in place, as ``voice-sim score`` does (its
    ``case_note.md`` included), quietly; a failure raises with its one-line reason (picklable,
    whatever the scorer raised: this runs in worker processes)."""
    from ..commands.score import ScoreOptions, score_paths

    folder = Path(target)
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # its warnings are in the scorecard
            score_paths([folder], ScoreOptions(out=folder, quiet=True, store=False))
    except Exception as exc:
        raise RuntimeError(one_line(exc)) from None
