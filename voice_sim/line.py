"""The phone line: the call's one clock.

Every 20 ms tick moves one trainee frame in (microphone, browser or simulated) and one customer
frame out (what the speaker plays), and records both, side by side, in the stereo recording. So the
recording, ``events.jsonl`` times and barge-in cut-offs all share one timeline, whether the ticks
come from a sound card's callback thread, a browser socket or the simulator's timer.

The customer's audio is queued as :class:`Utterance` s, one per line, that the speech engine fills
while the line plays them. An utterance can be paused (the trainee started talking over it),
resumed, or stopped; the line reports each line's first and last sample to its listeners.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from .dsp import rms_dbfs
from .recorder import WavRecorder
from .settings import FRAME_MS

_SILENT_DBFS = -120.0
#: A paused line fades out over this long, and a resumed one fades back in: a cut mid-waveform
#: clicks, 10 ms of ramp does not, and is too short to hear as a fade, seconds.
FADE_S = 0.01

LineListener = Callable[[str, float, dict[str, float | bool]], None]


class Utterance:
    """One customer line, queued for playback while it is being synthesized."""

    _ids = itertools.count(1)

    def __init__(self) -> None:
        self.id = next(self._ids)
        self._chunks: deque[np.ndarray] = deque()
        self.finished = False
        """No more audio will be added."""
        self.played = 0
        """Samples played so far."""
        self.started = False
        self.paused = False
        self.stopped = False
        self.fade_out = False
        """The next samples played end the audio before a pause (faded)."""
        self.fade_in = False
        """The next samples played start the audio after a pause (faded)."""

    def feed(self, y: np.ndarray) -> None:
        """Append int16 audio at the line rate (any thread)."""
        if not self.stopped:
            self._chunks.append(np.asarray(y, dtype=np.int16))

    def finish(self) -> None:
        """All audio is in."""
        self.finished = True

    @property
    def queued(self) -> int:
        """Samples waiting to be played."""
        return sum(c.shape[0] for c in self._chunks)


class CallLine:
    """The call's clock, recorder and customer playback.

    Parameters
    ----------
    recorder : WavRecorder
        Stereo recording: channel 0 trainee, channel 1 customer.
    loop : asyncio.AbstractEventLoop
        The session's loop; trainee frames and line events are delivered there.
    """

    def __init__(self, recorder: WavRecorder, *, loop: asyncio.AbstractEventLoop) -> None:
        self.recorder = recorder
        self.sample_rate = recorder.sample_rate
        self.frame_samples = self.sample_rate * FRAME_MS // 1000
        self._loop = loop
        self._lock = threading.Lock()
        self._queue: deque[Utterance] = deque()
        self._samples = 0
        self._tick_wall = time.monotonic()
        self.levels_dbfs: list[tuple[float, float]] = []
        """Per-frame RMS level (trainee, customer), dBFS; index = frame number."""
        self.customer_speaking = False
        """True while a customer line is on the air (paused included)."""
        self._listeners: list[LineListener] = []
        self.on_trainee_frame: Callable[[np.ndarray, float], None] | None = None
        """``fn(frame, end_s)`` on the loop for every trainee frame (the session's ears)."""

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

    def subscribe(self, fn: LineListener) -> None:
        """``fn(kind, t_s, info)`` on the loop for ``customer_start`` (info: ``id``) and
        ``customer_end`` (info: ``id``, ``interrupted``, ``played_s``)."""
        self._listeners.append(fn)

    def _notify(self, kind: str, t_s: float, info: dict[str, float | bool]) -> None:
        for fn in self._listeners:
            fn(kind, t_s, info)

    # -- customer playback (event-loop side) -------------------------------------------------
    def play(self, utt: Utterance) -> None:
        """Queue ``utt`` after whatever is playing."""
        with self._lock:
            self._queue.append(utt)

    def pause(self) -> None:
        """Hold the current line: it fades out over :data:`FADE_S` and the ticks after are
        silent; :meth:`resume` goes on from where it stopped, nothing skipped or repeated."""
        with self._lock:
            if self._queue and not self._queue[0].paused:
                utt = self._queue[0]
                utt.paused, utt.fade_out, utt.fade_in = True, utt.started, False

    def resume(self) -> None:
        """Go on with a paused line (fading in over :data:`FADE_S`)."""
        with self._lock:
            if self._queue and self._queue[0].paused:
                utt = self._queue[0]
                utt.paused, utt.fade_in = False, utt.started and not utt.fade_out
                utt.fade_out = False

    def on_air_left_s(self) -> tuple[float, bool] | None:
        """The line on the air: seconds of its audio not yet played (synthesized so far), and
        whether that is all of it; None when no line is queued."""
        with self._lock:
            if not self._queue:
                return None
            utt = self._queue[0]
            return utt.queued / self.sample_rate, utt.finished

    def stop(self, utt: Utterance | None = None) -> None:
        """Drop ``utt`` (default: every queued line); a line on the air ends as interrupted."""
        with self._lock:
            drop = [u for u in self._queue if utt is None or u is utt]
            for u in drop:
                u.stopped = True
                self._queue.remove(u)
            t = self._samples / self.sample_rate
        for u in drop:
            if u.started:  # after its start notice, which may still be on its way
                self._loop.call_soon(self._ended, u, t, True)

    def _ended(self, utt: Utterance, t_s: float, interrupted: bool) -> None:
        self.customer_speaking = False
        played = utt.played / self.sample_rate
        self._notify(
            "customer_end", t_s, {"id": utt.id, "interrupted": interrupted, "played_s": played}
        )

    def _started(self, utt: Utterance, t_s: float) -> None:
        self.customer_speaking = True
        self._notify("customer_start", t_s, {"id": utt.id})

    # -- the tick (any thread) ---------------------------------------------------------------
    def _take(self, utt: Utterance, n: int) -> np.ndarray:
        """Up to ``n`` samples from the front of ``utt`` (they count as played)."""
        parts: list[np.ndarray] = []
        got = 0
        while got < n and utt._chunks:
            chunk = utt._chunks[0]
            k = min(n - got, chunk.shape[0])
            parts.append(chunk[:k])
            got += k
            if k == chunk.shape[0]:
                utt._chunks.popleft()
            else:
                utt._chunks[0] = chunk[k:]
        utt.played += got
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    def _faded(self, utt: Utterance, n: int, *, out: bool) -> np.ndarray:
        """The next ``n`` samples (at most :data:`FADE_S`) of ``utt``, ramped down or up."""
        y = self._take(utt, min(n, max(1, int(FADE_S * self.sample_rate))))
        ramp = np.linspace(1.0, 0.0, y.shape[0]) if out else np.linspace(0.0, 1.0, y.shape[0])
        return np.round(y * ramp).astype(np.int16)

    def _pull_customer(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int16)
        filled = 0
        while filled < n and self._queue:
            utt = self._queue[0]
            if utt.paused:
                if utt.fade_out:  # end on a short ramp, not a click
                    y = self._faded(utt, n - filled, out=True)
                    out[filled : filled + y.shape[0]] = y
                    filled += y.shape[0]
                    utt.fade_out = False
                break
            if utt.fade_in and utt._chunks:
                y = self._faded(utt, n - filled, out=False)
                out[filled : filled + y.shape[0]] = y
                filled += y.shape[0]
                utt.fade_in = False
                continue
            if not utt._chunks:
                if utt.finished:
                    self._queue.popleft()
                    if utt.started:
                        t = (self._samples + filled) / self.sample_rate
                        self._loop.call_soon_threadsafe(self._ended, utt, t, False)
                    continue
                break  # underrun: the next sentence is not synthesized yet
            if not utt.started:
                utt.started = True
                t = (self._samples + filled) / self.sample_rate
                self._loop.call_soon_threadsafe(self._started, utt, t)
            chunk = utt._chunks[0]
            take = min(n - filled, chunk.shape[0])
            out[filled : filled + take] = chunk[:take]
            filled += take
            utt.played += take
            if take == chunk.shape[0]:
                utt._chunks.popleft()
            else:
                utt._chunks[0] = chunk[take:]
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
        # a copy: a sound card hands the same buffer to every callback
        trainee = np.array(trainee, dtype=np.int16, copy=True)
        n = trainee.shape[0]
        with self._lock:
            customer = self._pull_customer(n)
            self._samples += n
            self._tick_wall = time.monotonic()
            end_s = self._samples / self.sample_rate
        self.recorder.write(np.stack([trainee, customer], axis=1))
        self.levels_dbfs.append((rms_dbfs(trainee / 32768.0), rms_dbfs(customer / 32768.0)))
        if self.on_trainee_frame is not None:
            self._loop.call_soon_threadsafe(self.on_trainee_frame, trainee, end_s)
        return customer

    def last_voiced_s(
        self, before_s: float, *, channel: int, window_s: float = 0.4
    ) -> float | None:
        """End of the last frame with speech-level energy in ``[before_s - window_s, before_s]``,
        seconds, or None.

        Silero's probability decays for a window or three after the voice stops; the line's own
        frame levels put the edge where the audio did. Speech level: 12 dB over the channel's
        noise floor (10th percentile of the last 5 s), and at least -50 dBFS.
        """
        fps = 1000.0 / FRAME_MS
        levels = self.levels_dbfs
        i1 = min(len(levels), int(before_s * fps) + 1)
        i0 = max(0, int((before_s - window_s) * fps))
        if i1 <= i0:
            return None
        recent = [lv[channel] for lv in levels[max(0, i1 - int(5 * fps)) : i1]]
        floor = float(np.percentile(recent, 10)) if recent else _SILENT_DBFS
        thresh = max(-50.0, floor + 12.0)
        for i in range(i1 - 1, i0 - 1, -1):
            if levels[i][channel] > thresh:
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
