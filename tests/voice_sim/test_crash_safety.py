"""``kill -9`` mid-call leaves a readable recording of everything up to the last second and a
valid events file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

pytestmark = pytest.mark.slow


def test_kill_9_mid_call_keeps_the_audio_and_events(tmp_path: Path) -> None:
    out = tmp_path / "session"
    proc = subprocess.Popen(
        [sys.executable, "-m", "voice_sim", "simulate", "--out", str(out), "--no-score"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        # wait until the call is well under way: the customer has finished the opening line
        while time.monotonic() < deadline:
            ev = out / "events.jsonl"
            if ev.exists() and '"customer_line"' in ev.read_text():
                break
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.2)
        else:
            pytest.fail("the call never got going")
        time.sleep(2.5)
        recorded_s = json.loads((out / "events.jsonl").read_text().splitlines()[-1])["t_s"]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    info = sf.info(str(out / "recording.wav"))
    assert info.channels == 2
    # everything up to the last second (header refresh) is in a valid file
    assert info.duration >= recorded_s - 1.0
    y, _ = sf.read(str(out / "recording.wav"))
    assert abs(y[:, 1]).max() > 0.05  # the customer's opening line is in it
    lines = (out / "events.jsonl").read_text().splitlines()
    parsed = [json.loads(x) for x in lines if x.strip()]
    assert parsed[0]["type"] == "call_start"
    assert any(e["type"] == "customer_line" for e in parsed)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["persona"] == "angry-billing"
