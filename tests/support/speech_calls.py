"""Short stereo calls of real speech (Piper, deterministic) for tests that run the real analysis
and scoring: import, upload, the browser. Each call has a known layout: the customer complains,
the trainee cuts in one second before the customer finishes (an interruption), then answers."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

BENCH = Path(__file__).resolve().parents[2] / "bench"
RATE = 16_000

LINES = (
    ("customer", "I was charged twice for my subscription this month and I want it fixed now."),
    ("trainee", "I am sorry about the double charge. Can you tell me the date of the charges?"),
    ("customer", "Both were on the third, and nobody answered my emails."),
    ("trainee", "I will refund the second charge today and email you the receipt by five."),
)


def speech(text: str) -> np.ndarray:
    """``text`` said by Piper at 16 kHz (deterministic)."""
    pytest.importorskip("piper", reason="Piper (installed by make test) voices the test calls")
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    from analysis_calls import speech as piper_speech

    return np.asarray(piper_speech(text, deterministic=True), dtype=np.float32)


def write_call(path: Path, *, variant: int = 0) -> tuple[Path, float]:
    """Write a call to ``path`` (WAV, FLAC... by suffix); returns (path, interruption start s).

    ``variant`` changes the gain and the pauses, so each variant is a different recording.
    """
    parts = [(who, speech(text)) for who, text in LINES]
    gain = 0.45 + 0.03 * variant
    t = 0.4 + 0.1 * variant
    placed = []
    interruption = 0.0
    t_prev_end = 0.0
    for i, (who, y) in enumerate(parts):
        if i == 1:  # the trainee cuts in before the customer's first line ends
            t = t_prev_end - 1.0
            interruption = t
        placed.append((0 if who == "trainee" else 1, t, y))
        t_prev_end = t + len(y) / RATE
        t = t_prev_end + 0.7
    total = t + 0.5
    out = np.zeros((int(total * RATE), 2), np.float32)
    for ch, start, y in placed:
        a = int(start * RATE)
        out[a : a + len(y), ch] += gain * y
    sf.write(str(path), out, RATE)
    return path, interruption
