"""The phone line: the call's one clock.

Every 20 ms tick moves one trainee frame in (microphone or simulated) and one customer frame out
(what the speaker plays), and records both, side by side, in the stereo recording. So the
recording, ``events.jsonl`` times and barge-in cut-offs all share one timeline, whether the ticks
come from a sound card's callback thread or from the simulator's timer.

:class:`LineAudioInput` and :class:`LineAudioOutput` are the livekit ``AudioInput`` /
``AudioOutput`` the ``AgentSession`` talks to.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from livekit import rtc
from livekit.agents.voice import io

from .dsp import rms_dbfs
from .recorder import WavRecorder
from .settings import FRAME_MS

_SILENT_DBFS = -120.0


@dataclass
class _Segment:
    """One customer speech (one reply) queued for playback."""

    chunks: deque[np.ndarray] = field(default_factory=deque)
    flushed: bool = False
    played: int = 0
    started: bool = False


class LineAudioInput(io.AudioInput):
    """The trainee's side of the line, as livekit sees it: 20 ms frames, silence included."""

    def __init__(self, *, sample_rate: int) -> None:
        super().__init__(label="voice-sim.line-in")
        self._sample_rate = sample_rate
        self._queue: asyncio.Queue[rtc.AudioFrame | None] = asyncio.Queue()
        self._closed = False

    def push(self, samples: np.ndarray) -> None:
        """Queue one frame of int16 samples (event-loop thread only)."""
        if self._closed:
            return
        frame = rtc.AudioFrame(
            data=samples.astype(np.int16).tobytes(),
            sample_rate=self._sample_rate,
            num_channels=1,
            samples_per_channel=samples.shape[0],
        )
        self._queue.put_nowait(frame)

    def close(self) -> None:
        self._closed = True
        self._queue.put_nowait(None)

    async def __anext__(self) -> rtc.AudioFrame:
        frame = await self._queue.get()
        if frame is None:
            raise StopAsyncIteration
        return frame


class LineAudioOutput(io.AudioOutput):
    """The customer's side of the line: livekit pushes synthesized audio, the line plays it."""

    def __init__(self, line: CallLine) -> None:
        super().__init__(
            label="voice-sim.line-out",
            capabilities=io.AudioOutputCapabilities(pause=False),
            sample_rate=line.sample_rate,
        )
        self._line = line

    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        await super().capture_frame(frame)
        y = np.frombuffer(frame.data, dtype=np.int16)
        if frame.num_channels > 1:
            y = y.reshape(-1, frame.num_channels)[:, 0]
        self._line.enqueue_customer(y.copy())

    def flush(self) -> None:
        super().flush()
        self._line.flush_customer()

    def clear_buffer(self) -> None:
        self._line.clear_customer()


class CallLine:
    """The call's clock, recorder and customer playback buffer.

    Parameters
    ----------
    recorder : WavRecorder
        Stereo recording: channel 0 trainee, channel 1 customer.
    loop : asyncio.AbstractEventLoop
        The session's loop; livekit callbacks are delivered there.
    """

    def __init__(self, recorder: WavRecorder, *, loop: asyncio.AbstractEventLoop) -> None:
        self.recorder = recorder
        self.sample_rate = recorder.sample_rate
        self.frame_samples = self.sample_rate * FRAME_MS // 1000
        self._loop = loop
        self._lock = threading.Lock()
        self._segments: deque[_Segment] = deque()
        self._samples = 0
        self._tick_wall = time.monotonic()
        self.input = LineAudioInput(sample_rate=self.sample_rate)
        self.output = LineAudioOutput(self)
        self.levels_dbfs: list[tuple[float, float]] = []
        """Per-frame RMS level (trainee, customer), dBFS; index = frame number."""
        self.customer_speaking = False
        """True while customer audio is coming out of the line."""
        self._listeners: list[Callable[[str, float, dict[str, float | bool]], None]] = []

    # -- clock -------------------------------------------------------------------------------
    @property
    def samples(self) -> int:
        """Samples per channel since the call started."""
        return self._samples

    def now_s(self) -> float:
        """Seconds on the call clock (interpolated between ticks)."""
        with self._lock:
            base = self._samples / self.sample_rate
            since = time.monotonic() - self._tick_wall
        return base + min(max(since, 0.0), FRAME_MS / 1000.0)

    def wall_to_s(self, wall_time: float) -> float:
        """Convert a ``time.time()`` stamp (livekit's) to seconds on the call clock."""
        return max(0.0, self.now_s() - (time.time() - wall_time))

    def subscribe(self, fn: Callable[[str, float, dict[str, float | bool]], None]) -> None:
        """``fn(kind, t_s, info)`` on the loop for ``customer_start`` and ``customer_end``."""
        self._listeners.append(fn)

    # -- customer playback (event-loop side) -------------------------------------------------
    def enqueue_customer(self, y: np.ndarray) -> None:
        with self._lock:
            if not self._segments or self._segments[-1].flushed:
                self._segments.append(_Segment())
            self._segments[-1].chunks.append(y)

    def flush_customer(self) -> None:
        with self._lock:
            if self._segments and not self._segments[-1].flushed:
                self._segments[-1].flushed = True

    def clear_customer(self) -> None:
        """Barge-in: drop queued customer audio; the next tick is silent."""
        with self._lock:
            segs = list(self._segments)
            self._segments.clear()
        for seg in segs:
            self._loop.call_soon(self._finish, seg.played, True)

    def _finish(self, played: int, interrupted: bool) -> None:
        if self.customer_speaking:
            self.customer_speaking = False
            for fn in self._listeners:
                fn("customer_end", self._samples / self.sample_rate, {"interrupted": interrupted})
        self.output.on_playback_finished(
            playback_position=played / self.sample_rate, interrupted=interrupted
        )

    def _started(self, t_s: float) -> None:
        self.customer_speaking = True
        self.output.on_playback_started(created_at=time.time())
        for fn in self._listeners:
            fn("customer_start", t_s, {})

    # -- the tick (any thread) ---------------------------------------------------------------
    def _pull_customer(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int16)
        filled = 0
        while filled < n and self._segments:
            seg = self._segments[0]
            if not seg.started and seg.chunks:
                seg.started = True
                self._loop.call_soon_threadsafe(
                    self._started, (self._samples + filled) / self.sample_rate
                )
            if not seg.chunks:
                if seg.flushed:
                    self._segments.popleft()
                    if seg.started:
                        self._loop.call_soon_threadsafe(self._finish, seg.played, False)
                    else:
                        self._loop.call_soon_threadsafe(self._finish, 0, False)
                    continue
                break  # underrun: TTS has not produced the next sentence yet
            chunk = seg.chunks[0]
            take = min(n - filled, chunk.shape[0])
            out[filled : filled + take] = chunk[:take]
            filled += take
            seg.played += take
            if take == chunk.shape[0]:
                seg.chunks.popleft()
            else:
                seg.chunks[0] = chunk[take:]
        return out

    def tick(self, trainee: np.ndarray) -> np.ndarray:
        """Advance the clock by one frame.

        Parameters
        ----------
        trainee : np.ndarray, shape (frame_samples,), int16
            What the microphone heard during this frame.

        Returns
        -------
        np.ndarray, shape (frame_samples,), int16
            What the speaker plays during this frame (the customer).
        """
        trainee = np.asarray(trainee, dtype=np.int16)
        n = trainee.shape[0]
        with self._lock:
            customer = self._pull_customer(n)
            self._samples += n
            self._tick_wall = time.monotonic()
        self.recorder.write(np.stack([trainee, customer], axis=1))
        self.levels_dbfs.append((rms_dbfs(trainee / 32768.0), rms_dbfs(customer / 32768.0)))
        if threading.current_thread() is threading.main_thread() and _in_loop(self._loop):
            self.input.push(trainee)
        else:
            self._loop.call_soon_threadsafe(self.input.push, trainee)
        return customer

    def last_voiced_s(
        self, before_s: float, *, channel: int, window_s: float = 0.8
    ) -> float | None:
        """End of the last frame with speech-level energy in ``[before_s - window_s, before_s]``.

        VAD and livekit stamp speech ends late by their smoothing; the line's own frame levels
        put the edge where the audio actually stopped. Threshold: 12 dB over the channel's
        noise floor (10th percentile of the last 5 s), and at least -50 dBFS.
        """
        fps = 1000.0 / FRAME_MS
        i1 = min(len(self.levels_dbfs), int(before_s * fps) + 1)
        i0 = max(0, int((before_s - window_s) * fps))
        if i1 <= i0:
            return None
        recent = [lv[channel] for lv in self.levels_dbfs[max(0, i1 - int(5 * fps)) : i1]]
        floor = float(np.percentile(recent, 10)) if recent else _SILENT_DBFS
        thresh = max(-50.0, floor + 12.0)
        for i in range(i1 - 1, i0 - 1, -1):
            if self.levels_dbfs[i][channel] > thresh:
                return (i + 1) / fps
        return None

    def level_dbfs(self, start_s: float, end_s: float, *, channel: int) -> float | None:
        """Mean speech level of one channel between two times, dBFS (frames above -60 dBFS)."""
        fps = 1000.0 / FRAME_MS
        i0, i1 = int(start_s * fps), max(int(start_s * fps) + 1, int(end_s * fps))
        vals = [lv[channel] for lv in self.levels_dbfs[i0:i1] if lv[channel] > -60.0]
        if not vals:
            return None
        return float(10.0 * np.log10(np.mean(np.power(10.0, np.array(vals) / 10.0))))


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
