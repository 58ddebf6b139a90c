"""The call session's wiring, over hand-written fakes of its stages (``tests/voice_sim/fakes.py``).

The trainee speaks in tones whose words the fake ears know, the customer's mouth says each word
as a short tone, and the real session, turn model, line, director and scripted brain run between
them in real time. The oracles are the bot's plan (what it said, when) and the recording.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import soundfile as sf

from personas.call_log import (
    CustomerLine,
    Interruption,
    Latency,
    Transcript,
)
from voice_sim.events import read_events
from voice_sim.session import CallSession, CallSpec
from voice_sim.simulate import MicFeed

from .fakes import Heard, ToneEars, ToneVoice, run_call, tone

APOLOGY = "I'm sorry you were charged twice. Can I have the email address on the account?"
EARS = ToneEars({440.0: APOLOGY})


def fresh_ears() -> ToneEars:
    return ToneEars(dict(EARS.words_by_hz))


async def say(call: CallSession, mic: MicFeed, y: np.ndarray) -> tuple[float, float]:
    """Play ``y`` into the microphone now; returns where it lands on the call clock."""
    start = call.line.now_s()
    mic.play(y)
    await asyncio.sleep(y.shape[0] / 16000)
    return start, start + y.shape[0] / 16000


async def after_the_customer(heard: Heard, lines: int, pause_s: float = 0.5) -> None:
    """Wait until the customer has finished ``lines`` lines, then ``pause_s``."""
    await heard.until(lambda: heard.ends >= lines)
    await asyncio.sleep(pause_s)


def test_a_turn_is_heard_by_the_given_ears_and_answered_by_the_given_voice(
    tmp_path: Path,
) -> None:
    spoken: list[tuple[float, float]] = []
    ears, voice = fresh_ears(), ToneVoice()

    async def bot(call: CallSession, mic: MicFeed, heard: Heard) -> None:
        await after_the_customer(heard, 1)
        spoken.append(await say(call, mic, tone(440.0, 1.5)))
        await after_the_customer(heard, 2)

    spec = CallSpec(out_dir=tmp_path, persona="angry-billing")
    asyncio.run(run_call(spec, bot, stt=ears, voice=voice))

    events = read_events(tmp_path / "events.jsonl")
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert [e.text for e in said] == [APOLOGY]  # the fake ears' words, once
    (start, end), turn = spoken[0], said[0]
    assert abs(turn.start_s - start) < 0.1 and abs(turn.end_s - end) < 0.1
    lines = [e for e in events if isinstance(e, CustomerLine)]
    assert [ln.kind for ln in lines][:2] == ["opening", "reply"]
    assert [ln.text for ln in lines] == voice.said  # the fake voice said what was logged
    reply = lines[1]
    assert reply.t_s > end and not reply.interrupted
    y, sr = sf.read(str(tmp_path / "recording.wav"), dtype="float32")
    heard_reply = y[int(reply.t_s * sr) : int((reply.t_s + 0.2) * sr), 1]
    spectrum = np.abs(np.fft.rfft(heard_reply))
    assert abs(np.argmax(spectrum) * sr / heard_reply.shape[0] - 300.0) < 10  # the voice's tone
    latency = next(e for e in events if isinstance(e, Latency))
    assert latency.voice_to_voice_s is not None and latency.voice_to_voice_s > 0
    assert not [e for e in events if isinstance(e, Interruption)]
    models = json.loads((tmp_path / "meta.json").read_text())["models"]
    assert models == {"stt": "ToneEars", "tts": "ToneVoice", "vad": "LevelVoiceActivity"}
