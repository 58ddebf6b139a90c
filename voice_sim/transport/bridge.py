"""A remote microphone and speaker for :class:`~voice_sim.session.CallSession`.

Whatever carries the audio (a WebSocket, a WebRTC peer, a LiveKit room), the bridge does the
same thing a sound card does in :mod:`voice_sim.live`: every 20 ms trainee frame that arrives
ticks the call line once, and the customer frame of that tick is what goes back. The remote
microphone is the call's clock, so the recording, ``events.jsonl`` and barge-in cut-offs agree to
the frame with what the trainee heard and said, and nothing on the server buffers audio.

One bridge runs one :class:`CallPlan`: a single call, or a gauntlet's calls back to back with the
break between them (:func:`voice_sim.gauntlet.run_gauntlet`). Between calls, and while waiting
for a free slot, incoming audio is dropped and nothing is sent back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from personas import GauntletCall
from personas.call_log import CallEvent

from ..gauntlet import run_gauntlet
from ..session import CallResult, CallSession, CallSpec, EndReason
from .slots import CallSlots
from .wire import (
    FRAME_SAMPLES,
    IDLE_TIMEOUT_S,
    MAX_AHEAD_S,
    WIRE_RATE_HZ,
    ProtocolError,
    check_audio,
    page_event,
)

log = logging.getLogger("voice_sim.transport")

#: How often the idle watchdog looks at the last audio time, seconds.
_WATCHDOG_S = 1.0

Emit = Callable[[dict[str, Any]], None]
"""Queue one JSON message for the page (never blocks)."""
OnCallEnd = Callable[[CallResult, int], Awaitable[None]]
"""Called after each call of a plan is closed, with its result and 0-based index."""


@dataclass(frozen=True)
class CallPlan:
    """What one practice request runs.

    A single call is ``spec`` alone; a gauntlet is ``spec`` as the base (its ``out_dir`` the
    gauntlet folder) plus the planned calls and the break between them.
    """

    spec: CallSpec
    """The call, or the base of every gauntlet call."""
    gauntlet: tuple[GauntletCall, ...] = ()
    """The gauntlet's calls in order (empty for a single call)."""
    break_s: float = 0.0
    """Rest between gauntlet calls, seconds (the trainee's after-call work)."""

    @property
    def folder(self) -> Path:
        """The session folder (one call) or the gauntlet folder."""
        return Path(self.spec.out_dir)

    @property
    def calls(self) -> int:
        """How many calls the plan holds."""
        return max(1, len(self.gauntlet))


class _Stopped(Exception):
    """The trainee left: no further call of the plan starts."""


class CallBridge:
    """Runs a :class:`CallPlan` with audio from :meth:`feed`.

    Parameters
    ----------
    plan : CallPlan
        What to run.
    emit : callable
        ``emit(message)`` queues a JSON message for the page (see :mod:`.wire`).
    slots : CallSlots, optional
        Capacity of the process; the plan waits for a slot, in a visible queue.
    on_call_end : callable, optional
        ``await on_call_end(result, index)`` after each call is closed (analysis, store).
    clock : callable
        Monotonic seconds (for the real-time guard and the idle watchdog).
    """

    def __init__(
        self,
        plan: CallPlan,
        *,
        emit: Emit,
        slots: CallSlots | None = None,
        on_call_end: OnCallEnd | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.plan = plan
        self._emit = emit
        self._slots = slots
        self._on_call_end = on_call_end
        self._clock = clock
        self._call: CallSession | None = None
        self._stopped = False
        self._stop_reason: EndReason = "disconnected"
        self._stop_event = asyncio.Event()
        self._t_last: float | None = None
        self._allowance_s = MAX_AHEAD_S
        self._last_audio = clock()
        self.results: list[CallResult] = []
        """Every finished call of the plan, in order."""

    # -- audio in, audio out ------------------------------------------------------------------
    def feed(self, pcm: bytes) -> bytes:
        """Tick the live call once per 20 ms frame of trainee audio; return the customer audio.

        Raises
        ------
        ProtocolError
            ``pcm`` is not whole frames, is too big, or runs ahead of the wall clock.
        """
        check_audio(pcm)
        now = self._clock()
        # A token bucket of audio time: it refills at real time up to MAX_AHEAD_S, so a browser
        # may burst after a stall but nobody can run a call faster than the clock on the wall.
        if self._t_last is not None:
            self._allowance_s = min(MAX_AHEAD_S, self._allowance_s + (now - self._t_last))
        self._t_last = now
        self._last_audio = now
        self._allowance_s -= len(pcm) / 2 / WIRE_RATE_HZ
        if self._allowance_s < 0:
            raise ProtocolError("audio arrives faster than real time")
        call = self._call
        if call is None:
            return b""
        y = np.frombuffer(pcm, dtype="<i2")
        out = [call.line.tick(y[i : i + FRAME_SAMPLES]) for i in range(0, y.size, FRAME_SAMPLES)]
        return np.concatenate(out).astype("<i2").tobytes()

    @property
    def live(self) -> CallSession | None:
        """The call being run now, if any."""
        return self._call

    # -- what the trainee does ------------------------------------------------------------------
    def hangup(self) -> None:
        """The trainee hangs up: the current call ends (a gauntlet goes on to its break)."""
        if self._call is not None:
            self._call.request_end("trainee_hangup")

    def stop(self, reason: EndReason = "disconnected") -> None:
        """The trainee left: end the current call with ``reason`` and start no other."""
        self._stopped = True
        self._stop_reason = reason
        self._stop_event.set()
        if self._call is not None:
            self._call.request_end(reason)

    # -- the plan -------------------------------------------------------------------------------
    async def run(self) -> list[CallResult]:
        """Wait for a slot, then run every call of the plan; returns the finished calls.

        Returns early, holding nothing, when the trainee leaves while still in the queue.
        """
        watchdog = asyncio.get_running_loop().create_task(self._watch_idle())
        try:
            if self._slots is None:
                await self._run_plan()
            elif await self._wait_for_slot(self._slots):
                try:
                    await self._run_plan()
                finally:
                    self._slots.release()
        except _Stopped:
            pass
        finally:
            watchdog.cancel()
        return self.results

    async def _wait_for_slot(self, slots: CallSlots) -> bool:
        take = asyncio.ensure_future(slots.take(self._queued))
        stop = asyncio.ensure_future(self._stop_event.wait())
        try:
            await asyncio.wait({take, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if take.done():
            return True
        take.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await take
        return False

    def _queued(self, position: int) -> None:
        slots = self._slots
        self._emit(
            {
                "type": "queued",
                "position": position,
                "active": slots.active if slots else 0,
                "capacity": slots.capacity if slots else 0,
            }
        )

    async def _run_plan(self) -> None:
        plan = self.plan
        if not plan.gauntlet:
            await self._run_call(plan.spec, 0)
            return

        def on_break(next_index: int, seconds: float) -> None:
            self._emit({"type": "break", "seconds": seconds, "next": next_index + 1})

        await run_gauntlet(
            plan.folder,
            plan.gauntlet,
            plan.spec,
            self._run_call,
            break_s=plan.break_s,
            on_break=on_break,
        )

    async def _run_call(self, spec: CallSpec, index: int) -> CallResult:
        if self._stopped:
            raise _Stopped
        call = CallSession(spec)
        await call.start()
        call.events.subscribe(self._forward)
        self._call = call
        meta = getattr(call.customer, "persona", None)
        self._emit(
            {
                "type": "call_start",
                "index": index + 1,
                "of": self.plan.calls,
                "persona": getattr(meta, "id", spec.persona),
                "persona_name": getattr(meta, "display_name", None),
                "folder": call.out_dir.name,
            }
        )
        try:
            if self._stopped:  # left while the engines were loading
                call.request_end(self._stop_reason)
            await call.wait()
        finally:
            self._call = None
            await call.close()
        result = call.result()
        self.results.append(result)
        self._emit(
            {
                "type": "call_end",
                "index": index + 1,
                "reason": result.end_reason,
                "duration_s": round(result.duration_s, 2),
            }
        )
        if self._on_call_end is not None:
            try:
                await self._on_call_end(result, index)
            except Exception:  # the call is recorded; a failed hook must not lose the rest
                log.exception("after-call hook failed for %s", result.out_dir)
        if self._stopped:
            raise _Stopped
        return result

    def _forward(self, event: CallEvent) -> None:
        message = page_event(event.to_json())
        if message is not None:
            self._emit(message)

    async def _watch_idle(self) -> None:
        while True:
            await asyncio.sleep(_WATCHDOG_S)
            if self._clock() - self._last_audio > IDLE_TIMEOUT_S:
                log.info("no audio for %.0f s: ending %s", IDLE_TIMEOUT_S, self.plan.folder)
                self.stop("disconnected")
                return


def frames_of(y: np.ndarray) -> Sequence[bytes]:
    """Split int16 audio into wire frames (the last one padded with silence)."""
    y = np.asarray(y, dtype="<i2")
    pad = (-y.size) % FRAME_SAMPLES
    if pad:
        y = np.concatenate([y, np.zeros(pad, dtype="<i2")])
    return [y[i : i + FRAME_SAMPLES].tobytes() for i in range(0, y.size, FRAME_SAMPLES)]
