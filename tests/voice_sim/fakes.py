"""Hand-written fakes of the call's stages (``voice_sim.stages``), for tests of the session's
wiring that need no model and must run the same every time.

The trainee "speaks" in pure tones: :func:`tone` is one utterance, and :class:`ToneEars` (the
speech-to-text fake) knows which words each pitch stands for, so a test writes a call as "440 Hz
for 1.2 s means 'Calm down, sir.'". :class:`LevelVoiceActivity` finds the tones by their level;
:class:`ToneVoice` (the customer's mouth) says each word as a 0.2 s tone and remembers what it
said. Nothing here is a mock: each fake does its stage's job, simply.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from voice_sim.line import Utterance
from voice_sim.session import CallSession, CallSpec, tick_forever
from voice_sim.simulate import MicFeed
from voice_sim.stages import STTCapabilities, TTSCapabilities, VADCapabilities
from voice_sim.stt_whisper import WhisperWord
from voice_sim.tts_piper import VoiceCharacter, split_sentences
from voice_sim.voice_activity import VoiceEdge, VoiceOff, VoiceOn

SR = 16_000
FRAME = 320  # 20 ms
#: Level that counts as speech for the fakes, dBFS (tones are about -13 dBFS).
SPEECH_DBFS = -40.0


def tone(freq_hz: float, seconds: float, *, amplitude: float = 0.3) -> np.ndarray:
    """One tone "utterance" as int16 at 16 kHz, with 10 ms fades."""
    t = np.arange(int(seconds * SR)) / SR
    y = amplitude * np.sin(2 * np.pi * freq_hz * t)
    fade = min(160, y.shape[0] // 2)
    ramp = np.linspace(0.0, 1.0, fade)
    y[:fade] *= ramp
    y[y.shape[0] - fade :] *= ramp[::-1]
    return np.round(y * 32767).astype(np.int16)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), np.int16)


def _dbfs(y: np.ndarray) -> float:
    ms = float(np.mean(np.square(y.astype(np.float64) / 32768.0))) if y.size else 0.0
    return 10.0 * np.log10(max(ms, 1e-12))


class LevelVoiceActivity:
    """Voice edges from the frame level: on after two loud frames (stamped at the first), off
    after five quiet ones (stamped at the end of the last loud one)."""

    capabilities = VADCapabilities(window_s=0.02, onset_delay_s=0.04)

    def __init__(self, *, on_after_frames: int = 2) -> None:
        self.on_after_frames = on_after_frames
        """Loud frames before the voice-on edge (Silero takes a window or two more)."""
        self._n = 0
        self._on = False
        self._run_on = 0
        self._run_off = 0
        self._last_loud = 0

    def push(self, frame: np.ndarray) -> list[VoiceEdge]:
        self._n += 1
        loud = _dbfs(np.asarray(frame)) > SPEECH_DBFS
        now = self._n * 0.02
        if not self._on:
            self._run_on = self._run_on + 1 if loud else 0
            if self._run_on >= self.on_after_frames:
                self._on, self._run_off, self._last_loud = True, 0, self._n
                return [VoiceOn((self._n - self._run_on) * 0.02, now)]
            return []
        if loud:
            self._run_off, self._last_loud = 0, self._n
            return []
        self._run_off += 1
        if self._run_off >= 5:
            self._on, self._run_on = False, 0
            return [VoiceOff(self._last_loud * 0.02, now)]
        return []


@dataclass
class ToneEars:
    """Speech to text for tones: each loud stretch of a clip is the words its pitch stands for.

    Parameters
    ----------
    words_by_hz : mapping
        Tone frequency (Hz) -> the words it says; a tone within 15 Hz of a key says its words,
        any other loud stretch is "".
    """

    words_by_hz: Mapping[float, str]
    capabilities: STTCapabilities = field(
        default=STTCapabilities(word_times=True, punctuation=True, vocabulary=True, max_clip_s=28)
    )
    vocabulary: tuple[str, ...] = ()
    clips: int = 0
    """Clips transcribed so far."""

    def set_vocabulary(self, words: Sequence[str], *, topic: str = "") -> None:
        self.vocabulary = (topic, *words) if topic else tuple(words)

    def transcribe(self, y: np.ndarray) -> tuple[str, list[WhisperWord]]:
        self.clips += 1
        y = np.asarray(y, dtype=np.float32)
        out: list[WhisperWord] = []
        for start, end in self._stretches(y):
            text = self._words(y[start:end])
            toks = text.split()
            step = (end - start) / SR / max(1, len(toks))
            out += [
                WhisperWord(w, start / SR + i * step, start / SR + (i + 1) * step, 0.9)
                for i, w in enumerate(toks)
            ]
        return " ".join(w.word for w in out), out

    @staticmethod
    def _stretches(y: np.ndarray) -> list[tuple[int, int]]:
        n = y.shape[0] // FRAME
        loud = [
            _dbfs(np.round(y[i * FRAME : (i + 1) * FRAME] * 32768.0)) > SPEECH_DBFS
            for i in range(n)
        ]
        runs: list[tuple[int, int]] = []
        i = 0
        while i < n:
            if loud[i]:
                j = i
                while j < n and loud[j]:
                    j += 1
                runs.append((i * FRAME, j * FRAME))
                i = j
            i += 1
        return runs

    def _words(self, y: np.ndarray) -> str:
        spectrum = np.abs(np.fft.rfft(y))
        peak_hz = float(np.argmax(spectrum)) * SR / y.shape[0]
        key = min(self.words_by_hz, key=lambda k: abs(k - peak_hz), default=None)
        return self.words_by_hz[key] if key is not None and abs(key - peak_hz) < 15 else ""


class ToneVoice:
    """The customer's mouth as tones: each sentence is 0.2 s of 300 Hz per word, fed when the
    sentence is complete (``sentence_delay_s`` after it, for a slow engine).

    ``said`` lists every line's text in order.
    """

    capabilities = TTSCapabilities(streaming=True, voice_character=False, sample_rate_hz=SR)
    WORD_S = 0.2

    def __init__(self, *, sentence_delay_s: float = 0.0) -> None:
        self.sentence_delay_s = sentence_delay_s
        self.said: list[str] = []
        self.character = VoiceCharacter()

    def set_character(self, character: VoiceCharacter) -> None:
        self.character = character

    async def speak(
        self,
        chunks: AsyncIterator[str],
        utt: Utterance,
        *,
        on_first_text: Callable[[], None] | None = None,
        on_first_audio: Callable[[], None] | None = None,
    ) -> str:
        said: list[str] = []
        buf = ""

        async def say(sentence: str) -> None:
            if self.sentence_delay_s and said:
                await asyncio.sleep(self.sentence_delay_s)
            if utt.stopped:
                return
            utt.feed(tone(300.0, self.WORD_S * len(sentence.split()), amplitude=0.2))
            said.append(sentence)
            if len(said) == 1 and on_first_audio is not None:
                on_first_audio()

        try:
            async for chunk in chunks:
                if not buf and not said and on_first_text is not None and chunk.strip():
                    on_first_text()
                buf += chunk
                done, buf = split_sentences(buf)
                for sentence in done:
                    await say(sentence)
                if utt.stopped:
                    break
            if buf.strip() and not utt.stopped:
                await say(buf.strip())
        finally:
            utt.finish()
            self.said.append(" ".join(said))
        return " ".join(said)

    def close(self) -> None:
        pass


@dataclass
class Heard:
    """What a fake trainee hears of the customer: lines started and ended, in order."""

    starts: list[float] = field(default_factory=list)
    """Call-clock time of every customer line that started, seconds."""
    ends: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def on_line(self, kind: str, t_s: float, info: Mapping[str, float | bool]) -> None:
        if kind == "customer_start":
            self.starts.append(t_s)
        else:
            self.ends += 1
        self.changed.set()

    async def until(self, cond: Callable[[], bool], timeout_s: float = 20.0) -> None:
        async def wait() -> None:
            while not cond():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(wait(), timeout=timeout_s)


async def run_call(
    spec: CallSpec,
    bot: Callable[[CallSession, MicFeed, Heard], Awaitable[None]],
    *,
    stt: ToneEars,
    voice: ToneVoice | None = None,
    timeout_s: float = 60.0,
    vad: LevelVoiceActivity | None = None,
) -> CallSession:
    """Run one call on the fakes: ``await bot(call, mic, heard)`` plays the trainee into
    ``mic`` and returns when it has nothing more to say; the call ends when the customer hangs
    up, or 2 s after the bot is done."""
    call = CallSession(spec, stt=stt, voice=voice or ToneVoice(), vad=vad or LevelVoiceActivity())
    await call.start()
    mic = MicFeed()
    heard = Heard()
    call.line.subscribe(heard.on_line)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    ticker = loop.create_task(tick_forever(call.line, mic, stop=stop))

    async def play() -> None:
        await bot(call, mic, heard)
        await asyncio.sleep(2.0)
        call.request_end("script_done")

    driver = loop.create_task(play())
    try:
        await call.wait(timeout_s=timeout_s)
    finally:
        driver.cancel()
        stop.set()
        await asyncio.gather(ticker, driver, return_exceptions=True)
        await call.close()
    return call
