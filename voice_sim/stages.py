"""The call's swappable stages: the trainee's ears, the customer's mouth, and voice activity.

Each stage is a small :class:`typing.Protocol` with a frozen record of what it can do
(livekit-agents keeps an abstract base per stage with its capabilities; a Protocol asks no engine
to import this module). :class:`~voice_sim.session.CallSession` takes one engine per stage in its
constructor and builds the local one for any stage it is not given:

* :class:`SpeechToText`: :class:`~voice_sim.stt_whisper.ShortWindowWhisper` (Whisper tiny.en);
* :class:`CustomerSpeech`: :class:`~voice_sim.tts_piper.CustomerVoice` (Piper);
* :class:`VoiceActivityDetector`: :class:`~voice_sim.voice_activity.SileroVoiceActivity`.

``tests/voice_sim/fakes.py`` holds hand-written fakes of all three for tests of the session's
wiring that need no model.

The session relies on nothing else: turn buffering and committing
(:class:`~voice_sim.stt_whisper.TurnTranscriber`), the turn model and the line are its own and
work over any engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from .line import Utterance
    from .stt_whisper import WhisperWord
    from .tts_piper import VoiceCharacter
    from .voice_activity import VoiceEdge


# -- speech to text ------------------------------------------------------------------------------
@dataclass(frozen=True)
class STTCapabilities:
    """What a speech-to-text engine can do."""

    word_times: bool
    """Words come with start and end times (the transcript events and the scorer's evidence use
    them; without them each word gets the turn's span)."""
    punctuation: bool
    """Sentences are punctuated: the turn model ends a turn sooner when its words read as a
    finished sentence (``stt_whisper.reads_complete``); unpunctuated text waits the longer
    mid-sentence threshold only when it ends on a connective."""
    vocabulary: bool
    """Accepts the call's vocabulary (:meth:`SpeechToText.set_vocabulary`) to favour the words
    the director listens for."""
    max_clip_s: float
    """Longest clip one :meth:`SpeechToText.transcribe` call takes, seconds (longer turns are
    committed in pieces by ``TurnTranscriber``)."""


@runtime_checkable
class SpeechToText(Protocol):
    """The trainee's ears: one clip of speech in, words out."""

    capabilities: STTCapabilities

    def transcribe(self, y: np.ndarray) -> tuple[str, Sequence[WhisperWord]]:
        """Transcribe mono float32 audio at 16 kHz (blocking: the session calls it on a worker
        thread). Returns the text ("" for silence or noise) and its words, timed in seconds
        from the start of ``y``."""
        ...

    def set_vocabulary(self, words: Sequence[str], *, topic: str = "") -> None:
        """Favour these words and phrases, and the call's ``topic`` (a sentence), for the rest
        of the call: the words the director listens for. Engines without
        ``capabilities.vocabulary`` ignore it."""
        ...


# -- text to speech ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TTSCapabilities:
    """What a text-to-speech engine can do."""

    streaming: bool
    """Speaks a text stream sentence by sentence: the first sentence's audio is on the line
    before the brain has finished the line."""
    voice_character: bool
    """Honours :class:`~voice_sim.tts_piper.VoiceCharacter` (speed, volume, pitch, noise): the
    customer's mood is audible."""
    sample_rate_hz: int
    """Rate of the audio it feeds the line, Hz (the line's rate)."""


@runtime_checkable
class CustomerSpeech(Protocol):
    """The customer's mouth: text in, audio fed into an :class:`~voice_sim.line.Utterance`."""

    capabilities: TTSCapabilities

    def set_character(self, character: VoiceCharacter) -> None:
        """Use ``character`` for the next lines (the customer's mood moved)."""
        ...

    async def speak(
        self,
        chunks: AsyncIterator[str],
        utt: Utterance,
        *,
        on_first_text: Callable[[], None] | None = None,
        on_first_audio: Callable[[], None] | None = None,
    ) -> str:
        """Synthesize the text stream into ``utt`` (``utt.finish()`` at the end, stopping early
        once ``utt.stopped``); returns the text that was synthesized."""
        ...

    def close(self) -> None:
        """Release the engine's threads (the call is over)."""
        ...


# -- voice activity ------------------------------------------------------------------------------
@dataclass(frozen=True)
class VADCapabilities:
    """What a voice-activity detector can do."""

    window_s: float
    """Granularity of its edges, seconds (Silero: 32 ms windows)."""
    onset_delay_s: float
    """Typical delay from the first voiced sound to its voice-on edge, seconds: the earliest a
    barge-in can pause the customer."""


@runtime_checkable
class VoiceActivityDetector(Protocol):
    """Trainee voice on/off edges from the microphone, stamped where the voice is."""

    capabilities: VADCapabilities

    def push(self, frame: np.ndarray) -> list[VoiceEdge]:
        """Feed one int16 frame of the trainee's channel (16 kHz); return the edges it
        completes, stamped in seconds since the first frame pushed."""
        ...


__all__ = [
    "CustomerSpeech",
    "STTCapabilities",
    "SpeechToText",
    "TTSCapabilities",
    "VADCapabilities",
    "VoiceActivityDetector",
]
