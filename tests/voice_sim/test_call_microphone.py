"""``voice-sim call`` through a virtual sound card, so the real sounddevice/PortAudio code runs.

PulseAudio is started by the test with a null sink (the speaker) and a pipe source (the
microphone) fed in real time from a WAV of the trainee, synthesized with Piper. Skipped, with the
reason, only where the sound server cannot start.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voice_sim.simulate import DEFAULT_BOT_VOICE, synthesize_line

pytestmark = [pytest.mark.slow, pytest.mark.sound]

SR = 16000


@pytest.fixture(scope="module")
def pulse() -> Iterator[dict[str, str]]:
    if not shutil.which("pulseaudio"):
        pytest.skip("PulseAudio is not installed (apt-get install pulseaudio libasound2-plugins)")
    runtime = tempfile.mkdtemp(prefix="vs-pulse-")
    os.chmod(runtime, stat.S_IRWXU)
    env = {**os.environ, "XDG_RUNTIME_DIR": runtime, "HOME": runtime}
    fifo = Path(runtime) / "mic.fifo"
    proc = subprocess.run(
        [
            "pulseaudio",
            "-n",
            "--daemonize=yes",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--load=module-native-protocol-unix",
            "--load=module-null-sink sink_name=spk",
            f"--load=module-pipe-source source_name=mic file={fifo} format=s16le rate={SR} "
            "channels=1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    if proc.returncode != 0:
        pytest.skip(f"PulseAudio could not start: {proc.stderr.strip()[:200]}")
    subprocess.run(["pactl", "set-default-source", "mic"], env=env, timeout=10)
    subprocess.run(["pactl", "set-default-sink", "spk"], env=env, timeout=10)
    env["VS_MIC_FIFO"] = str(fifo)
    try:
        yield env
    finally:
        subprocess.run(["pulseaudio", "--kill"], env=env, timeout=10)
        shutil.rmtree(runtime, ignore_errors=True)


class MicFeeder(threading.Thread):
    """Writes 20 ms chunks into the pipe source at real time: silence, or queued speech."""

    def __init__(self, fifo: str) -> None:
        super().__init__(daemon=True)
        self.fifo = fifo
        self.queue: list[np.ndarray] = []
        self.stop = threading.Event()
        self.fed_speech_at: list[float] = []

    def run(self) -> None:
        fd = os.open(self.fifo, os.O_WRONLY)
        chunk = SR // 50
        t0 = time.monotonic()
        n = 0
        pending = np.zeros(0, dtype=np.int16)
        while not self.stop.is_set():
            if pending.size == 0 and self.queue:
                pending = self.queue.pop(0)
                self.fed_speech_at.append(time.monotonic())
            out = np.zeros(chunk, dtype=np.int16)
            take = min(chunk, pending.size)
            out[:take] = pending[:take]
            pending = pending[take:]
            try:
                os.write(fd, out.tobytes())
            except BrokenPipeError:  # the sound server went away at teardown
                break
            n += 1
            delay = t0 + n * 0.02 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        os.close(fd)


def test_live_call_through_a_virtual_microphone(pulse: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "live"
    speech = synthesize_line(
        "Hello, I'm really sorry about the double charge. Can I have your email address please?",
        DEFAULT_BOT_VOICE,
        sample_rate=SR,
    )
    feeder = MicFeeder(pulse["VS_MIC_FIFO"])
    feeder.start()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voice_sim",
            "call",
            "--out",
            str(out),
            "--no-score",
            "--name",
            "Mic Test",
        ],
        env=pulse,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        events = out / "events.jsonl"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not (
            events.exists() and '"customer_line"' in events.read_text()
        ):
            assert proc.poll() is None, proc.communicate()[1]
            time.sleep(0.2)
        feeder.queue.append(speech)  # the trainee answers the opening line
        while time.monotonic() < deadline and events.read_text().count('"customer_line"') < 2:
            assert proc.poll() is None, proc.communicate()[1]
            time.sleep(0.2)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)  # Ctrl-C hangs up
        _, err = proc.communicate(timeout=60)
    finally:
        feeder.stop.set()
        feeder.join(timeout=5)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    evs = [json.loads(x) for x in (out / "events.jsonl").read_text().splitlines()]
    assert evs[-1]["type"] == "call_end" and evs[-1]["reason"] == "ctrl-c"
    said = " ".join(
        e["text"].lower() for e in evs if e["type"] == "transcript" and e["speaker"] == "trainee"
    )
    assert "email" in said or "charge" in said
    y, sr = sf.read(str(out / "recording.wav"), dtype="float32")
    assert sr == SR and y.shape[1] == 2
    assert np.abs(y[:, 0]).max() > 0.05  # the microphone's speech is on channel 0
    assert np.abs(y[:, 1]).max() > 0.05  # what the speaker played is on channel 1
    meta = json.loads((out / "meta.json").read_text())
    assert (
        meta["mode"] == "live" and meta["trainee"] == "Mic Test" and meta["end_reason"] == "ctrl-c"
    )
