"""The phone line: one clock, customer playback, barge-in cut-off, recording alignment."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import soundfile as sf

from voice_sim.line import CallLine
from voice_sim.recorder import WavRecorder


async def _drain() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


def test_customer_audio_is_played_in_order_and_recorded_on_channel_1(tmp_path: Path) -> None:
    async def run() -> None:
        rec = WavRecorder(tmp_path / "r.wav", sample_rate=16000)
        line = CallLine(rec, loop=asyncio.get_running_loop())
        seen: list[tuple[str, float]] = []
        line.subscribe(lambda kind, t, info: seen.append((kind, t)))
        mic = np.full(320, 7, dtype=np.int16)
        line.tick(mic)  # 20 ms of nothing from the customer
        ramp = np.arange(800, dtype=np.int16)
        await line.output.capture_frame(_frame(ramp))
        line.output.flush()
        outs = [line.tick(mic) for _ in range(4)]
        await _drain()
        got = np.concatenate(outs)
        np.testing.assert_array_equal(got[:800], ramp)
        assert not got[800:].any()
        assert seen == [("customer_start", 0.02), ("customer_end", 0.1)]
        ev = await asyncio.wait_for(line.output.wait_for_playout(), 1.0)
        assert ev.interrupted is False and abs(ev.playback_position - 0.05) < 1e-9
        rec.close()
        y, _ = sf.read(tmp_path / "r.wav", dtype="int16")
        assert (y[:, 0] == 7).all()
        np.testing.assert_array_equal(y[320:1120, 1], ramp)

    asyncio.run(run())


def test_barge_in_silences_the_next_frame(tmp_path: Path) -> None:
    async def run() -> None:
        rec = WavRecorder(tmp_path / "r.wav", sample_rate=16000)
        line = CallLine(rec, loop=asyncio.get_running_loop())
        await line.output.capture_frame(_frame(np.full(16000, 1000, dtype=np.int16)))
        quiet = np.zeros(320, dtype=np.int16)
        assert line.tick(quiet).all()
        line.output.clear_buffer()
        assert not line.tick(quiet).any()  # cut off within one 20 ms frame
        ev = await asyncio.wait_for(line.output.wait_for_playout(), 1.0)
        assert ev.interrupted and abs(ev.playback_position - 0.02) < 1e-9
        rec.close()

    asyncio.run(run())


def test_clock_and_levels(tmp_path: Path) -> None:
    async def run() -> None:
        rec = WavRecorder(tmp_path / "r.wav", sample_rate=16000)
        line = CallLine(rec, loop=asyncio.get_running_loop())
        loud = (np.sin(np.arange(320) * 0.3) * 3276.8).astype(np.int16)  # -20 dBFS peak
        for i in range(100):
            line.tick(loud if 25 <= i < 50 else np.zeros(320, dtype=np.int16))
        assert line.samples == 32000
        assert abs(line.now_s() - 2.0) <= 0.021
        level = line.level_dbfs(0.5, 1.0, channel=0)
        assert level is not None and abs(level - (-23.0)) < 0.2  # sine RMS = peak - 3 dB
        assert line.last_voiced_s(1.5, channel=0) == 1.0
        rec.close()

    asyncio.run(run())


def _frame(y: np.ndarray):  # type: ignore[no-untyped-def]
    from livekit import rtc

    return rtc.AudioFrame(
        data=y.tobytes(), sample_rate=16000, num_channels=1, samples_per_channel=y.shape[0]
    )
