"""Voice effects on synthetic tones with exactly known answers."""

from __future__ import annotations

import numpy as np

from voice_sim.dsp import PhoneLine, pitch_ratio, rms_dbfs, shift_pitch

SR = 16000


def _tone(f: float, seconds: float = 1.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    return (amp * np.sin(2 * np.pi * f * t)).astype(np.float32)


def _peak_hz(y: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    return float(np.fft.rfftfreq(y.size, 1 / SR)[np.argmax(spec)])


def test_octave_up_doubles_frequency_and_halves_duration() -> None:
    y = shift_pitch(_tone(200.0), SR, semitones=12.0)
    assert abs(_peak_hz(y) - 400.0) <= 2.0
    assert abs(y.size - SR / 2) <= 2
    assert pitch_ratio(12.0) == 2.0


def test_zero_shift_is_identity() -> None:
    y = _tone(300.0)
    assert shift_pitch(y, SR, semitones=0.0) is y


def test_phone_line_keeps_the_voice_band_and_removes_the_rest() -> None:
    line = PhoneLine(SR, seed=0)
    inband = line.process(_tone(1000.0))[4000:]
    low = PhoneLine(SR).process(_tone(80.0))[4000:]
    high = PhoneLine(SR).process(_tone(5000.0))[4000:]
    assert abs(rms_dbfs(inband) - rms_dbfs(_tone(1000.0))) < 1.5
    assert rms_dbfs(low) < rms_dbfs(_tone(80.0)) - 20.0
    assert rms_dbfs(high) < rms_dbfs(_tone(5000.0)) - 30.0


def test_phone_line_adds_hiss_to_silence() -> None:
    y = PhoneLine(SR, seed=1).process(np.zeros(SR, dtype=np.float32))
    assert -62.0 < rms_dbfs(y) < -54.0
