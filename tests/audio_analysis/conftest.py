"""Fixtures for the audio_analysis tests: a seeded rng, and small Piper calls with known events."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

BENCH = Path(__file__).resolve().parents[2] / "bench"
SAMPLE_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "pyannote-sample"
RATE = 16_000


@pytest.fixture
def rng() -> np.random.Generator:
    """The one source of randomness in these tests (seeded)."""
    return np.random.default_rng(1234)


def harmonic(
    f0_hz: float, dur_s: float, *, sr: int = RATE, amp: float = 0.3, n_harm: int = 8
) -> np.ndarray:
    """A voiced-like harmonic tone with exactly known F0."""
    t = np.arange(int(dur_s * sr)) / sr
    y = sum(np.sin(2 * np.pi * f0_hz * k * t) / k for k in range(1, n_harm + 1))
    return (amp * y / np.max(np.abs(y))).astype(np.float32)


@dataclass
class SmallCall:
    """A 2-channel Piper call whose events are placed exactly (seconds)."""

    path: Path
    y: np.ndarray  # (2, n) at 16 kHz, trainee row 0
    turns: list[tuple[str, float, float, str]] = field(default_factory=list)
    backchannel: tuple[str, float, float] = ("trainee", 0.0, 0.0)
    interruption: tuple[str, str, float] = ("trainee", "customer", 0.0)
    gaps: list[tuple[str, str, float, float]] = field(default_factory=list)
    silences: list[tuple[str, str, float, float]] = field(default_factory=list)
    """Silences over 3 s: from, to, start_s, duration_s."""
    dead_air: tuple[float, float] = (0.0, 0.0)


def _speech(text: str) -> np.ndarray:
    pytest.importorskip(
        "piper", reason="Piper (opt-in extra, installed by make test) synthesises the test calls"
    )
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    from analysis_calls import speech

    return speech(text, deterministic=True)


@pytest.fixture(scope="session")
def small_call(tmp_path_factory: pytest.TempPathFactory) -> SmallCall:
    """Trainee greets; customer complains (trainee says "Mm-hmm" inside); trainee cuts in; 4 s of
    silence after the trainee's words (the customer's to break: not dead air); customer answers;
    3.6 s of the trainee's dead air; trainee closes. Real Piper speech, placed by sample."""
    t1 = _speech("Thank you for calling, my name is Alex. How can I help you today?") * 0.5
    c1 = (
        _speech(
            "I ordered a coffee machine three weeks ago, and it still has not arrived, "
            "and nobody has told me anything."
        )
        * 0.4
    )
    bc = _speech("Mm-hmm.") * 0.5
    t2 = _speech("I am so sorry, let me send a replacement with express shipping right now.") * 0.5
    c2 = _speech("Fine, but I want it here before the weekend, not next month.") * 0.4
    t3 = (
        _speech(
            "It will arrive within two business days, and I will email you the tracking number."
        )
        * 0.5
    )
    d = {k: len(v) / RATE for k, v in dict(t1=t1, c1=c1, bc=bc, t2=t2, c2=c2, t3=t3).items()}
    s_t1 = 0.5
    s_c1 = s_t1 + d["t1"] + 0.8
    s_bc = s_c1 + 2.2
    s_t2 = s_c1 + d["c1"] - 1.0  # trainee interrupts, 1.0 s before the customer finishes
    s_c2 = s_t2 + d["t2"] + 4.0  # the customer's silence to break
    s_t3 = s_c2 + d["c2"] + 3.6  # the trainee's dead air
    total = s_t3 + d["t3"] + 0.5
    y = np.zeros((2, int(total * RATE) + 1), np.float32)
    for row, start, audio in (
        (0, s_t1, t1),
        (1, s_c1, c1),
        (0, s_bc, bc),
        (0, s_t2, t2),
        (1, s_c2, c2),
        (0, s_t3, t3),
    ):
        a = round(start * RATE)
        y[row, a : a + len(audio)] += audio
    path = tmp_path_factory.mktemp("small_call") / "call.wav"
    sf.write(str(path), y.T, RATE, subtype="PCM_16")
    return SmallCall(
        path=path,
        y=y,
        turns=[
            ("trainee", s_t1, s_t1 + d["t1"], "t1"),
            ("customer", s_c1, s_c1 + d["c1"], "c1"),
            ("trainee", s_t2, s_t2 + d["t2"], "t2"),
            ("customer", s_c2, s_c2 + d["c2"], "c2"),
            ("trainee", s_t3, s_t3 + d["t3"], "t3"),
        ],
        backchannel=("trainee", s_bc, d["bc"]),
        interruption=("trainee", "customer", s_t2),
        gaps=[
            ("trainee", "customer", s_t1 + d["t1"], 0.8),
            ("trainee", "customer", s_t2 + d["t2"], 4.0),
            ("customer", "trainee", s_c2 + d["c2"], 3.6),
        ],
        silences=[
            ("trainee", "customer", s_t2 + d["t2"], 4.0),
            ("customer", "trainee", s_c2 + d["c2"], 3.6),
        ],
        dead_air=(s_c2 + d["c2"], 3.6),
    )


@pytest.fixture(scope="session")
def small_call_analysis(small_call: SmallCall):  # type: ignore[no-untyped-def]
    """The small call analysed once with the real models (Silero, Whisper, swift-f0)."""
    from audio_analysis import analyze_file

    return analyze_file(small_call.path)
