"""At high intensity the customer talks over a trainee who goes on too long (persona setting)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from personas.call_log import Interruption
from voice_sim.events import read_events
from voice_sim.session import CallSpec
from voice_sim.simulate import ScriptLine, TraineeScript, simulate_call

pytestmark = pytest.mark.slow

MONOLOGUE = (
    "Let me explain how our technician scheduling works. First the request goes to the regional "
    "dispatcher. Then the dispatcher checks the calendar of every technician in your area. After "
    "that the system sends a confirmation, and on the day of the visit the technician calls ahead."
)


def test_furious_customer_cuts_in_on_a_monologue(tmp_path: Path) -> None:
    script = TraineeScript("rambler", (ScriptLine(MONOLOGUE, latency_s=0.4),))
    spec = CallSpec(out_dir=tmp_path, persona="abusive-caller", start_level=10, clean=True)
    asyncio.run(simulate_call(spec, script))
    events = read_events(tmp_path / "events.jsonl")
    cut_ins = [e for e in events if isinstance(e, Interruption) and e.by == "customer"]
    assert cut_ins, "the customer never talked over the trainee"
    t = cut_ins[0].t_s
    y, sr = sf.read(str(tmp_path / "recording.wav"), dtype="float32")
    window = slice(int(t * sr), int((t + 0.5) * sr))
    assert np.abs(y[window, 1]).max() > 0.05  # the customer is audible...
    assert np.abs(y[window, 0]).max() > 0.05  # ...while the trainee is still talking
