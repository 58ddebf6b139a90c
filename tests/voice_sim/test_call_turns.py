"""Turn-taking in whole simulated calls (real Silero, Whisper and Piper, real time).

The oracles are the trainee's audio as it was planned (where its speech and pauses are) and
the recording itself, never the turn model's own bookkeeping.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from personas import DirectorSettings
from personas.call_log import (
    CustomerLine,
    Intensity,
    Interruption,
    Silence,
    Transcript,
)
from voice_sim.events import read_events
from voice_sim.session import CallSpec
from voice_sim.simulate import (
    DEFAULT_BOT_VOICE,
    ScriptLine,
    TraineeScript,
    simulate_call,
    synthesize_line,
)

pytestmark = pytest.mark.slow

SR = 16000

#: Utterances, each said in pieces with a pause between them, seconds.
HESITANT = (
    (("I'm so sorry about the double charge,", 0.8, "and I can see both of them here."),),
    (("Can I have the email address", 0.7, "on the account, please?"),),
    (("So the refund will go back to your card,", 0.9, "within three to five days."),),
)


def _trim(y: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(y) > 300)
    return y[loud[0] : loud[-1] + 1] if loud.size else y


def _hesitant_wav() -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The trainee's recording and the (start, end) of each utterance, seconds."""
    parts = [np.zeros(int(7.5 * SR), np.int16)]  # the customer's opening
    spans: list[tuple[float, float]] = []
    for ((first, pause, second),) in HESITANT:
        start = sum(p.shape[0] for p in parts) / SR
        a = _trim(synthesize_line(first, DEFAULT_BOT_VOICE, sample_rate=SR))
        b = _trim(synthesize_line(second, DEFAULT_BOT_VOICE, sample_rate=SR))
        parts += [a, np.zeros(int(pause * SR), np.int16), b]
        spans.append((start, sum(p.shape[0] for p in parts) / SR))
        parts.append(np.zeros(int(9.0 * SR), np.int16))  # the customer answers
    return np.concatenate(parts), spans


def test_pauses_inside_an_utterance_are_not_silence_or_interruptions(tmp_path: Path) -> None:
    y, spans = _hesitant_wav()
    wav = tmp_path / "hesitant.wav"
    sf.write(wav, y, SR)
    out = tmp_path / "call"
    # a patient customer: this test is about the pauses inside turns, not the gaps between them
    spec = CallSpec(out_dir=out, persona="angry-billing", director=DirectorSettings(dead_air_s=30))
    asyncio.run(simulate_call(spec, wav))
    events = read_events(out / "events.jsonl")

    def speaking(t0: float, t1: float) -> bool:
        return any(t0 < e and s < t1 for s, e in spans)

    silences = [e for e in events if isinstance(e, Silence)]
    assert not [e for e in silences if speaking(e.start_s, e.t_s)]
    dead_air = [e for e in events if isinstance(e, Intensity) and e.trigger == "dead_air"]
    assert not [e for e in dead_air if speaking(e.silence_start_s or e.t_s, e.t_s)]
    assert not [e for e in events if isinstance(e, Interruption)]
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert len(said) == len(spans)  # one transcript per utterance: the pauses split nothing
    for (s, e), t in zip(spans, said, strict=True):
        assert abs(t.start_s - s) < 0.3 and abs(t.end_s - e) < 0.3
    assert "both" in said[0].text.lower() and "days" in said[2].text.lower()


def test_the_customer_speaks_up_during_a_silence_not_after_it(tmp_path: Path) -> None:
    script = TraineeScript(
        "silent bot",
        (
            ScriptLine("I'm sorry about the double charge. Which card was it?", latency_s=0.6),
            ScriptLine("Okay, I can see the two charges on your card.", latency_s=8.0),
        ),
        goodbye="",
    )
    out = tmp_path / "call"
    asyncio.run(simulate_call(CallSpec(out_dir=out, persona="angry-billing"), script))
    events = read_events(out / "events.jsonl")
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert len(said) == 2
    second = said[1]
    prompts = [e for e in events if isinstance(e, CustomerLine) and e.kind == "prompt"]
    silences = [e for e in events if isinstance(e, Silence)]
    # during the 8 s silence, before the trainee's next line: the customer spoke up
    assert silences and silences[0].t_s < second.start_s
    assert prompts and prompts[0].t_s < second.start_s
    assert said[0].end_s < silences[0].start_s
    # the mood change is logged with when the silence started and how long it had lasted
    dead_air = next(e for e in events if isinstance(e, Intensity) and e.trigger == "dead_air")
    assert dead_air.silence_start_s == silences[0].start_s and dead_air.silence_s
    # and no silence complaint after the trainee spoke again
    assert not [e for e in prompts if e.t_s > second.start_s]
    late = [e for e in events if isinstance(e, Intensity) and e.trigger == "dead_air"]
    assert all(e.t_s < second.start_s for e in late)


MONOLOGUE = (
    "Let me explain how our technician scheduling works. First the request goes to the regional "
    "dispatcher. Then the dispatcher checks the calendar of every technician in your area. After "
    "that the system sends a confirmation, and on the day of the visit the technician calls ahead."
)


def test_words_said_over_an_uninterruptible_line_reach_the_director(tmp_path: Path) -> None:
    script = TraineeScript("rambler", (ScriptLine(MONOLOGUE, latency_s=0.4),), goodbye="")
    spec = CallSpec(out_dir=tmp_path, persona="abusive-caller", start_level=10, clean=True)
    asyncio.run(simulate_call(spec, script))
    events = read_events(tmp_path / "events.jsonl")
    cut_in = next(e for e in events if isinstance(e, Interruption) and e.by == "customer")
    talk_over = next(e for e in events if isinstance(e, CustomerLine) and e.kind == "talk_over")
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert len(said) == 1  # the monologue is one turn, cut-in or not
    turn = said[0]
    assert turn.start_s < cut_in.t_s < turn.end_s
    over = [w for w in turn.words if w["start_s"] > talk_over.t_s + (talk_over.played_s or 0.0)]
    assert over, "no words after the cut-in line were transcribed"
    assert "calls ahead" in turn.text.lower() or "ahead" in turn.text.lower()
    # the director heard the turn: the customer answered it after the cut-in line
    replies = [e for e in events if isinstance(e, CustomerLine) and e.kind == "reply"]
    assert replies and replies[0].t_s > turn.end_s
    y, sr = sf.read(str(tmp_path / "recording.wav"), dtype="float32")
    window = slice(int(cut_in.t_s * sr), int((cut_in.t_s + 0.5) * sr))
    assert np.abs(y[window, 1]).max() > 0.05  # the customer is audible...
    assert np.abs(y[window, 0]).max() > 0.05  # ...while the trainee is still talking


def test_words_said_as_the_call_ends_are_still_logged(tmp_path: Path) -> None:
    speech = synthesize_line(
        "I understand, and I'm checking the second charge on your card right now.",
        DEFAULT_BOT_VOICE,
        sample_rate=SR,
    )
    y = np.concatenate([np.zeros(int(7.0 * SR), np.int16), speech])
    wav = tmp_path / "t.wav"
    sf.write(wav, y, SR)
    out = tmp_path / "call"
    mid = 7.0 + 0.8 * speech.shape[0] / SR  # hang up with most of the sentence said

    def hang_up_mid_sentence(call: object) -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(mid, call.request_end, "ctrl-c")  # type: ignore[attr-defined]

    asyncio.run(simulate_call(CallSpec(out_dir=out), wav, on_start=hang_up_mid_sentence))
    events = read_events(out / "events.jsonl")
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert len(said) == 1 and "charge" in said[0].text.lower()
    assert said[0].start_s < 7.3
