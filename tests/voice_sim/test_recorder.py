from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import soundfile as sf

from voice_sim.recorder import HEADER_REFRESH_S, WavRecorder


def test_round_trip_exact(tmp_path: Path, rng: np.random.Generator) -> None:
    x = rng.integers(-20000, 20000, size=(16000 * 3, 2), dtype=np.int16)
    with WavRecorder(tmp_path / "r.wav", sample_rate=16000) as rec:
        for i in range(0, x.shape[0], 320):
            rec.write(x[i : i + 320])
    y, sr = sf.read(tmp_path / "r.wav", dtype="int16")
    assert sr == 16000
    np.testing.assert_array_equal(y, x)


def test_file_is_valid_while_growing(tmp_path: Path) -> None:
    """Without close(): the header on disk already describes the audio written a second ago."""
    rec = WavRecorder(tmp_path / "r.wav", sample_rate=16000)
    frame = np.full((320, 2), 1000, dtype=np.int16)
    for _ in range(int(2.5 * 50)):  # 2.5 s of 20 ms frames
        rec.write(frame)
    time.sleep(0.3)  # the writer thread drains the queue
    info = sf.info(str(tmp_path / "r.wav"))
    assert info.channels == 2
    assert 2.5 - HEADER_REFRESH_S - 0.02 <= info.duration <= 2.5
    rec.close()
    assert sf.info(str(tmp_path / "r.wav")).duration == 2.5


def test_float_input_is_clipped_and_scaled(tmp_path: Path) -> None:
    with WavRecorder(tmp_path / "r.wav", sample_rate=8000) as rec:
        rec.write(np.array([[2.0, -2.0], [0.5, 0.0]], dtype=np.float32))
    y, _ = sf.read(tmp_path / "r.wav", dtype="int16")
    assert y.tolist() == [[32767, -32767], [16383, 0]]
