"""Piper (en_US-joe-medium) as a livekit ``tts.TTS``, with a per-persona voice character.

Synthesis runs on a worker thread, one sentence at a time, so the event loop never blocks and a
barge-in stops synthesis at the next sentence boundary (the audio already queued is dropped by
the output at once). The customer's mood sets length scale, volume, pitch and noise through
:class:`VoiceCharacter`; an optional telephone-line effect narrows the voice to 300-3400 Hz.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
from livekit.agents import APIConnectOptions, tts
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS

from . import dsp, models

#: Piper's en_US-joe-medium renders at 22.05 kHz.
PIPER_RATE_HZ = 22_050
#: Peak level of normalised Piper output before the persona's volume: -6 dBFS leaves headroom
#: for an angry customer's +4 dB without clipping.
BASE_PEAK = 0.5


@dataclass(frozen=True)
class VoiceCharacter:
    """How one speaker sounds; every field maps to a Piper setting or an effect."""

    length_scale: float = 1.0
    """Piper length scale: above 1 speaks slower."""
    volume: float = 1.0
    """Linear gain on top of :data:`BASE_PEAK`."""
    pitch_shift_st: float = 0.0
    """Pitch shift, semitones (tempo kept)."""
    noise_scale: float = 0.667
    """Piper noise scale (voice variation)."""
    noise_w: float = 0.8
    """Piper phoneme-duration noise."""
    phone_line: bool = False
    """Pass through the telephone-line effect."""


def iter_sentences(
    text: str, character: VoiceCharacter, *, stop: threading.Event | None = None
) -> Iterator[np.ndarray]:
    """Generator of float32 arrays at 22.05 kHz, one per sentence (pitch and volume applied)."""
    from piper import SynthesisConfig

    voice = models.piper()
    ratio = dsp.pitch_ratio(character.pitch_shift_st)
    cfg = SynthesisConfig(
        length_scale=character.length_scale * ratio,
        noise_scale=character.noise_scale,
        noise_w_scale=character.noise_w,
        volume=BASE_PEAK * character.volume,
        normalize_audio=True,
    )
    for chunk in voice.synthesize(text, cfg):
        if stop is not None and stop.is_set():
            return
        y = chunk.audio_float_array.astype(np.float32)
        yield dsp.shift_pitch(y, PIPER_RATE_HZ, semitones=character.pitch_shift_st)


class PiperTTS(tts.TTS):
    """Local Piper text-to-speech.

    Parameters
    ----------
    character : VoiceCharacter
        Starting voice; change it between lines with :meth:`set_character`.
    seed : int
        Seed for the phone-line noise.
    """

    def __init__(self, character: VoiceCharacter | None = None, *, seed: int = 0) -> None:
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=PIPER_RATE_HZ,
            num_channels=1,
        )
        self.character = character or VoiceCharacter()
        self._line = dsp.PhoneLine(PIPER_RATE_HZ, seed=seed)
        models.piper()  # load now, not on the first line

    @property
    def model(self) -> str:
        return "en_US-joe-medium"

    @property
    def provider(self) -> str:
        return "piper"

    def set_character(self, character: VoiceCharacter) -> None:
        """Use ``character`` for the next sentences synthesized."""
        self.character = replace(character, phone_line=self.character.phone_line)

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> PiperStream:
        return PiperStream(tts=self, input_text=text, conn_options=conn_options)

    def _effects(self, y: np.ndarray) -> np.ndarray:
        return self._line.process(y) if self.character.phone_line else y


class PiperStream(tts.ChunkedStream):
    """One ``synthesize()`` call: sentences produced on a thread, pushed as PCM."""

    def __init__(self, *, tts: PiperTTS, input_text: str, conn_options: APIConnectOptions) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._piper = tts
        self._character = tts.character

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        output_emitter.initialize(
            request_id=uuid.uuid4().hex[:12],
            sample_rate=PIPER_RATE_HZ,
            num_channels=1,
            mime_type="audio/pcm",
            # the first audio leaves as soon as one line frame is ready, not after 100 ms
            frame_size_ms=20,
        )
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[np.ndarray | None] = asyncio.Queue()
        stop = threading.Event()

        def work() -> None:
            try:
                for y in iter_sentences(self._input_text, self._character, stop=stop):
                    loop.call_soon_threadsafe(queue.put_nowait, y)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, None)

        worker = loop.run_in_executor(None, work)
        try:
            while (y := await queue.get()) is not None:
                y = self._piper._effects(y)
                pcm = (np.clip(y, -1.0, 1.0) * 32767.0).astype(np.int16)
                output_emitter.push(pcm.tobytes())
            await worker
        finally:
            stop.set()  # barge-in cancels this task: no further sentences are synthesized
        output_emitter.flush()
