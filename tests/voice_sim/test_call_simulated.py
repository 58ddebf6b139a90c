"""A simulated call through the full pipeline: real Silero, Whisper and Piper, real time."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from personas.call_log import (
    CustomerLine,
    Intensity,
    Interruption,
    Latency,
    SpeechEnd,
    SpeechStart,
    Transcript,
)
from voice_sim.events import read_events
from voice_sim.session import CallSpec
from voice_sim.simulate import ScriptLine, TraineeScript, simulate_call

pytestmark = pytest.mark.slow

SCRIPT = TraineeScript(
    name="test bot",
    lines=(
        ScriptLine(
            "I'm sorry you were charged twice. Can I have the email address on the account?",
            latency_s=0.6,
        ),
        # cut in 1.5 s into the customer's answer
        ScriptLine("Sorry to interrupt, which card was charged?", interrupt_after_s=1.5),
        ScriptLine(
            "Thank you. I have refunded the duplicate charge and emailed you a confirmation.",
            latency_s=0.6,
        ),
    ),
)


def _active(
    y: np.ndarray, sr: int, *, hop_s: float = 0.02, floor_dbfs: float = -45.0
) -> np.ndarray:
    hop = int(sr * hop_s)
    n = y.shape[0] // hop
    rms = np.sqrt(np.mean(np.square(y[: n * hop].reshape(n, hop)), axis=1))
    return 20 * np.log10(rms + 1e-9) > floor_dbfs


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("call")
    result = asyncio.run(simulate_call(CallSpec(out_dir=out, persona="angry-billing"), SCRIPT))
    return out, result


def test_call_completes_and_writes_the_session_folder(call: tuple[Path, object]) -> None:
    out, result = call
    assert result.end_reason == "script_done"  # type: ignore[attr-defined]
    for name in ("recording.wav", "events.jsonl", "meta.json"):
        assert (out / name).is_file()
    info = sf.info(str(out / "recording.wav"))
    assert info.channels == 2 and info.samplerate == 16000


def test_both_channels_have_speech_where_expected(call: tuple[Path, object]) -> None:
    out, _ = call
    y, sr = sf.read(str(out / "recording.wav"), dtype="float32")
    events = read_events(out / "events.jsonl")
    trainee_act, customer_act = _active(y[:, 0], sr), _active(y[:, 1], sr)
    turns = [e for e in events if isinstance(e, Transcript)]
    for ev in turns:
        i0, i1 = int(ev.start_s / 0.02), int(ev.end_s / 0.02)
        act = trainee_act if ev.speaker == "trainee" else customer_act
        assert act[i0 : max(i1, i0 + 1)].mean() > 0.5, ev
    # customer speech never leaks onto the trainee channel: wherever the customer talks and the
    # bot does not (its turns, padded by 0.3 s), the trainee channel is digital silence
    bot = np.zeros(customer_act.size, dtype=bool)
    for ev in turns:
        if ev.speaker == "trainee":
            bot[max(0, int((ev.start_s - 0.3) / 0.02)) : int((ev.end_s + 0.3) / 0.02)] = True
    only_customer = customer_act & ~bot
    assert only_customer.sum() * 0.02 > 5.0  # the check looks at real customer speech
    frames = y[: only_customer.size * int(0.02 * sr), 0].reshape(-1, int(0.02 * sr))
    assert np.abs(frames[only_customer]).max() < 1e-4  # under -80 dBFS


def test_transcript_and_replies(call: tuple[Path, object]) -> None:
    out, result = call
    events = read_events(out / "events.jsonl")
    trainee_turns = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    said = " ".join(e.text.lower() for e in trainee_turns)
    for word in ("charged", "email", "card", "refund"):
        assert word in said
    lines = [e for e in events if isinstance(e, CustomerLine)]
    # one transcript per line the bot said (its goodbye included), none split or lost
    assert len(trainee_turns) == len(SCRIPT.lines) + 1
    assert len(lines) >= 1 + len(SCRIPT.lines)  # the opening plus an answer to every line
    assert result.turns_answered >= 2  # type: ignore[attr-defined]
    for e in trainee_turns:
        assert e.words and all(
            e.start_s - 0.6 <= w["start_s"] <= w["end_s"] <= e.end_s + 0.1 for w in e.words
        )
        starts = [w["start_s"] for w in e.words]
        assert starts == sorted(starts)
    levels = [e for e in events if isinstance(e, Intensity)]
    assert levels[0].t_s == 0.0 and levels[0].previous is None and levels[0].reason


def test_latencies_are_logged(call: tuple[Path, object]) -> None:
    out, _ = call
    lat = [e for e in read_events(out / "events.jsonl") if isinstance(e, Latency)]
    v2v = [e.voice_to_voice_s for e in lat if e.voice_to_voice_s is not None]
    assert len(v2v) >= 2 and all(0.0 < v < 5.0 for v in v2v)
    assert all(e.eou_s is not None and e.stt_s is not None for e in lat)


def test_barge_in_stops_the_customer_quickly(call: tuple[Path, object]) -> None:
    out, _ = call
    y, sr = sf.read(str(out / "recording.wav"), dtype="float32")
    events = read_events(out / "events.jsonl")
    cuts = [e for e in events if isinstance(e, Interruption) and e.by == "trainee"]
    assert cuts, "the planned interruption was not detected"
    customer_act = _active(y[:, 1], sr)
    trainee_act = _active(y[:, 0], sr)
    # measured on the recording: trainee onset over the customer -> customer channel silent
    onset = next(
        i
        for i in range(1, trainee_act.size)
        if trainee_act[i] and not trainee_act[i - 1] and customer_act[i]
    )
    stop = next(i for i in range(onset, customer_act.size) if not customer_act[i : i + 10].any())
    assert (stop - onset) * 0.02 <= 0.3
    # and the customer never stopped by itself: every cut-off line had the trainee talking
    for ln in (e for e in events if isinstance(e, CustomerLine) and e.interrupted):
        end = ln.t_s + (ln.played_s or 0.0)
        assert trainee_act[max(0, int((end - 0.4) / 0.02)) : int(end / 0.02) + 1].any(), ln


def test_script_ends_politely_not_mid_air(call: tuple[Path, object]) -> None:
    """When the lines run out the bot says goodbye, hears the customer out, then hangs up."""
    out, _ = call
    events = read_events(out / "events.jsonl")
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    assert "goodbye" in said[-1].text.lower()
    ends = [e for e in events if isinstance(e, SpeechEnd) and e.speaker == "customer"]
    assert ends[-1].t_s > said[-1].end_s  # the customer answered the goodbye
    assert not ends[-1].interrupted
    duration = sf.info(str(out / "recording.wav")).duration
    assert duration - ends[-1].t_s >= 0.5  # and finished before the line went dead


def test_interrupt_after_counts_from_the_customers_line(call: tuple[Path, object]) -> None:
    out, _ = call
    events = read_events(out / "events.jsonl")
    cut = next(e for e in events if isinstance(e, Interruption) and e.by == "trainee")
    started = [
        e.t_s
        for e in events
        if isinstance(e, SpeechStart) and e.speaker == "customer" and e.t_s < cut.t_s
    ]
    # 1.5 s planned; the voice-on edge is stamped at the first voiced Silero window
    assert cut.t_s - started[-1] == pytest.approx(1.5, abs=0.2)
