"""Piper (en_US-joe-medium) text-to-speech with a per-persona voice character.

Synthesis runs on a worker thread, one sentence at a time, so the event loop never blocks and a
barge-in stops synthesis at the next sentence boundary (the audio already queued is dropped by
the line at once). The customer's mood sets length scale, volume, pitch and noise through
:class:`VoiceCharacter`; an optional telephone-line effect narrows the voice to 300-3400 Hz.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from . import dsp, models
from .line import Utterance
from .stages import TTSCapabilities

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


#: A sentence ends at ., ! or ? followed by a space: the unit Piper synthesizes and the line plays.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"')\]]*\s+")


def split_sentences(buffer: str) -> tuple[list[str], str]:
    """Complete sentences at the front of ``buffer``, and the unfinished rest."""
    parts = _SENTENCE_BREAK.split(buffer)
    if len(parts) == 1:
        return [], buffer
    return [p.strip() for p in parts[:-1] if p.strip()], parts[-1]


#: A line's first sentence this long (words) or longer is said in two pieces when it has a
#: clause break: Piper's cost grows faster than the sentence (a 14-word sentence with a pitch
#: shift takes 300 ms on 2 cores, its 5-word first clause 70 ms), and the first piece is all the
#: customer waits for. Piper's own pause at a comma is about 0.38 s; two pieces leave about
#: 0.24 s of silence there.
FIRST_PIECE_MIN_WORDS = 9
#: Each piece keeps at least this many words (a clause, not a stray word).
CLAUSE_MIN_WORDS = 3
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+|\s+(?=[-\u2013\u2014]\s)")


def first_piece(sentence: str) -> list[str]:
    """``sentence`` as its first clause and the rest, when it is long and has a clause break
    (a comma, semicolon, colon or dash) with at least :data:`CLAUSE_MIN_WORDS` words on either
    side; else ``[sentence]``."""
    words = sentence.split()
    if len(words) < FIRST_PIECE_MIN_WORDS:
        return [sentence]
    for m in _CLAUSE_BREAK.finditer(sentence):
        head, tail = sentence[: m.start()].strip(), sentence[m.end() :].strip()
        if len(head.split()) >= CLAUSE_MIN_WORDS and len(tail.split()) >= CLAUSE_MIN_WORDS:
            return [head, tail]
    return [sentence]


class CustomerVoice:
    """The customer's mouth: text in, audio on the line, sentence by sentence (the call's
    text-to-speech stage, :class:`voice_sim.stages.CustomerSpeech`).

    Piper runs on one worker thread, so the event loop never blocks; the first sentence is
    synthesized as soon as its text is complete (a long one in two pieces, :func:`first_piece`),
    and later sentences while the first one plays. Stopping the utterance stops synthesis at the
    next sentence.

    Parameters
    ----------
    character : VoiceCharacter
        Starting voice; change it between lines with :meth:`set_character`.
    sample_rate : int
        The line's rate, Hz.
    seed : int
        Seed for the phone-line noise.
    """

    def __init__(
        self, character: VoiceCharacter | None = None, *, sample_rate: int, seed: int = 0
    ) -> None:
        self.character = character or VoiceCharacter()
        self.sample_rate = sample_rate
        self.capabilities = TTSCapabilities(
            streaming=True, voice_character=True, sample_rate_hz=sample_rate
        )
        self._line = dsp.PhoneLine(PIPER_RATE_HZ, seed=seed)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="piper")
        models.piper()  # load now, not on the first line

    def set_character(self, character: VoiceCharacter) -> None:
        """Use ``character`` for the next lines (the phone-line setting is kept)."""
        self.character = replace(character, phone_line=self.character.phone_line)

    def render(self, sentence: str, character: VoiceCharacter) -> np.ndarray:
        """One sentence as int16 audio at the line rate (blocking)."""
        import soxr

        parts = list(iter_sentences(sentence, character))
        if not parts:
            return np.zeros(0, dtype=np.int16)
        y = np.concatenate(parts)
        if character.phone_line:
            y = self._line.process(y)
        y = soxr.resample(y.astype(np.float32), PIPER_RATE_HZ, self.sample_rate)
        return (np.clip(y, -1.0, 1.0) * 32767.0).astype(np.int16)

    async def speak(
        self,
        chunks: AsyncIterator[str],
        utt: Utterance,
        *,
        on_first_text: Callable[[], None] | None = None,
        on_first_audio: Callable[[], None] | None = None,
    ) -> str:
        """Synthesize the text stream ``chunks`` into ``utt`` (finished at the end); returns
        the whole text. Returns early, with what was said, when ``utt`` is stopped."""
        loop = asyncio.get_running_loop()
        character = self.character
        said: list[str] = []
        buf = ""
        first_audio = False

        async def say(sentence: str) -> None:
            nonlocal first_audio
            if utt.stopped:
                return
            y = await loop.run_in_executor(self._pool, self.render, sentence, character)
            utt.feed(y)
            said.append(sentence)
            if not first_audio and on_first_audio is not None:
                on_first_audio()
            first_audio = True

        try:
            async for chunk in chunks:
                if not buf and not said and on_first_text is not None and chunk.strip():
                    on_first_text()
                buf += chunk
                done, buf = split_sentences(buf)
                for sentence in done:
                    for piece in first_piece(sentence) if not said else [sentence]:
                        await say(piece)
                if utt.stopped:
                    break
            if buf.strip() and not utt.stopped:
                for piece in first_piece(buf.strip()) if not said else [buf.strip()]:
                    await say(piece)
        finally:
            utt.finish()
        return " ".join(said)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
