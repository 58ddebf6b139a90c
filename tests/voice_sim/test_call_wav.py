"""``simulate --script TRAINEE.wav``: a recording streamed as the microphone in real time."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from personas.call_log import Transcript
from voice_sim.errors import VoiceSimError
from voice_sim.events import read_events
from voice_sim.session import CallSpec
from voice_sim.simulate import DEFAULT_BOT_VOICE, load_trainee_wav, simulate_call, synthesize_line

SR = 16000


@pytest.mark.slow
def test_wav_is_streamed_as_the_microphone(tmp_path: Path) -> None:
    # 8 s of silence (the customer's opening), then the trainee, then silence
    speech = synthesize_line(
        "I'm sorry about the double charge. Which card was it?", DEFAULT_BOT_VOICE, sample_rate=SR
    )
    y = np.concatenate([np.zeros(8 * SR, np.int16), speech, np.zeros(SR, np.int16)])
    wav = tmp_path / "trainee.wav"
    sf.write(wav, y, SR)
    out = tmp_path / "call"
    result = asyncio.run(simulate_call(CallSpec(out_dir=out), wav))
    assert result.end_reason in ("input_ended", "hangup")
    events = read_events(out / "events.jsonl")
    said = " ".join(
        e.text.lower() for e in events if isinstance(e, Transcript) and e.speaker == "trainee"
    )
    assert "card" in said
    rec, _ = sf.read(str(out / "recording.wav"), dtype="int16")
    # the WAV is on channel 0, sample for sample, from the start of the call
    np.testing.assert_array_equal(rec[: y.shape[0], 0], y)
    assert result.turns_answered >= 1


def test_unreadable_wav_is_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.wav"
    bad.write_bytes(b"RIFF\x00\x00not a wav")
    with pytest.raises(VoiceSimError, match=r"x\.wav: not audio voice-sim can stream") as err:
        load_trainee_wav(bad, sample_rate=SR)
    assert "WAV, FLAC" in str(err.value) and "Error" not in str(err.value)
    with pytest.raises(VoiceSimError, match="not found"):
        load_trainee_wav(tmp_path / "missing.wav", sample_rate=SR)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, np.int16), SR)
    with pytest.raises(VoiceSimError, match="empty"):
        load_trainee_wav(empty, sample_rate=SR)
