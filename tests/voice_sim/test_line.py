"""The phone line: one clock, customer playback, pause/resume/stop, recording alignment."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import soundfile as sf

from voice_sim.line import CallLine, Utterance
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
        utt = Utterance()
        utt.feed(ramp)
        utt.finish()
        line.play(utt)
        outs = [line.tick(mic) for _ in range(4)]
        await _drain()
        got = np.concatenate(outs)
        np.testing.assert_array_equal(got[:800], ramp)
        assert not got[800:].any()
        assert seen == [("customer_start", 0.02), ("customer_end", 0.07)]
        rec.close()
        y, _ = sf.read(tmp_path / "r.wav", dtype="int16")
        assert (y[:, 0] == 7).all()
        np.testing.assert_array_equal(y[320:1120, 1], ramp)

    asyncio.run(run())


def test_pause_resume_and_stop_take_effect_on_the_next_frame(tmp_path: Path) -> None:
    async def run() -> None:
        rec = WavRecorder(tmp_path / "r.wav", sample_rate=16000)
        line = CallLine(rec, loop=asyncio.get_running_loop())
        ends: list[dict[str, float | bool]] = []
        line.subscribe(lambda kind, t, info: ends.append(info) if kind == "customer_end" else None)
        utt = Utterance()
        utt.feed(np.arange(1, 16001, dtype=np.int16))
        line.play(utt)
        quiet = np.zeros(320, dtype=np.int16)
        first = line.tick(quiet)
        assert first[0] == 1 and first[-1] == 320
        line.pause()
        paused = line.tick(quiet)  # a 10 ms fade (no click), then silence, within one frame
        fade = 160
        np.testing.assert_allclose(
            paused[:fade], np.arange(321, 481) * np.linspace(1, 0, fade), atol=1
        )
        assert not paused[fade:].any() and not line.tick(quiet).any()
        line.resume()
        resumed = line.tick(quiet)  # goes on where it stopped, fading in: nothing skipped
        np.testing.assert_allclose(
            resumed[:fade], np.arange(481, 641) * np.linspace(0, 1, fade), atol=1
        )
        np.testing.assert_array_equal(resumed[fade:], np.arange(641, 801))
        line.stop(utt)
        assert not line.tick(quiet).any()
        await _drain()
        assert ends == [{"id": utt.id, "interrupted": True, "played_s": 0.05}]
        rec.close()

    asyncio.run(run())


def test_trainee_frames_reach_the_session_with_their_end_time(tmp_path: Path) -> None:
    async def run() -> None:
        rec = WavRecorder(tmp_path / "r.wav", sample_rate=16000)
        line = CallLine(rec, loop=asyncio.get_running_loop())
        got: list[tuple[int, float]] = []
        line.on_trainee_frame = lambda f, t: got.append((int(f[0]), t))
        for i in range(3):
            line.tick(np.full(320, i, dtype=np.int16))
        await _drain()
        assert got == [(0, 0.02), (1, 0.04), (2, 0.06)]
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
        rec.close()

    asyncio.run(run())


def test_last_voiced_frame_is_where_the_audio_stopped(tmp_path: Path) -> None:
    async def run() -> None:
        rec = WavRecorder(tmp_path / "r.wav", sample_rate=16000)
        line = CallLine(rec, loop=asyncio.get_running_loop())
        loud = (np.sin(np.arange(320) * 0.3) * 3276.8).astype(np.int16)
        hiss = (np.random.default_rng(0).standard_normal(320) * 10).astype(np.int16)  # -70 dBFS
        for i in range(100):
            line.tick(loud if 25 <= i < 50 else hiss)
        assert line.last_voiced_s(1.3, channel=0) == 1.0  # the voice stopped at frame 50
        assert line.last_voiced_s(1.9, channel=0, window_s=0.4) is None  # nothing in 1.5-1.9 s
        rec.close()

    asyncio.run(run())
