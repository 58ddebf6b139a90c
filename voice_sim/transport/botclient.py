"""A simulated caller on the real transport: the YAML trainee bot, speaking over the call socket.

It does what the browser page does, from Python: sends 20 ms frames of 16 kHz PCM at real time
(the bot's lines, silence in between), takes the customer's audio back, and follows the JSON
messages. It hears the customer the way :mod:`voice_sim.simulate`'s bot does, from the line's
own ``speech`` messages, and times the call as a caller would hear it: from the last frame of
each of its lines leaving to the first customer audio arriving (voice-to-voice at the client).

The capacity bench runs K of these at once against one server; the transport tests use it for
two concurrent calls, a caller that vanishes mid-call and messages a browser would never send.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from audio_analysis.levels import rms_dbfs

from ..simulate import REPLY_TIMEOUT_S, TAIL_S, Ears, MicFeed, ScriptLine
from .wire import FRAME_MS, FRAME_SAMPLES, WIRE_RATE_HZ

#: A received frame louder than this is customer speech (for the client-side latency), dBFS.
HEARD_DBFS = -45.0


@dataclass
class RemoteCall:
    """What one simulated caller saw and heard."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    """Every JSON message from the server, in order."""
    sent: list[np.ndarray] = field(default_factory=list)
    """Trainee frames sent (int16), in order."""
    received: list[np.ndarray] = field(default_factory=list)
    """Customer audio received (int16), in order."""
    v2v_s: list[float] = field(default_factory=list)
    """Voice-to-voice at the client: last frame of a line sent -> first customer audio in, s."""
    close_code: int | None = None
    """How the server closed the socket."""
    queued_s: float = 0.0
    """Time spent in the queue before the call started, seconds."""

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        """Messages of one type."""
        return [m for m in self.messages if m.get("type") == kind]


@dataclass
class _Ears(Ears):
    """What the caller hears: the customer's lines from the ``speech`` messages, and the call's
    state."""

    customer_speaking: bool = False
    ended: int = 0
    started: int = 0
    live: bool = False
    done: bool = False

    def hear(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "speech" and msg.get("speaker") == "customer":
            if msg.get("speaking"):
                self.customer_speaking = True
                self.started += 1
            else:
                self.customer_speaking = False
                self.ended += 1
        elif kind == "call_start":
            self.live = True
        elif kind == "call_end":
            self.live = False
        elif kind in ("done", "error"):
            self.live = False
            self.done = True
        self.changed.set()


async def call_over_socket(
    url: str,
    lines: Sequence[tuple[ScriptLine, np.ndarray]] = (),
    *,
    origin: str,
    cookie: str,
    max_s: float = 600.0,
    hang_up: bool = True,
) -> RemoteCall:
    """Run one call as a simulated caller over the call socket.

    Parameters
    ----------
    url : str
        ``ws://host:port/.../ws`` of a call created beforehand.
    lines : sequence of (ScriptLine, int16 array)
        The bot's lines with their audio at 16 kHz; empty = a silent caller.
    origin, cookie : str
        The ``Origin`` and ``Cookie`` headers a browser on the site would send.
    max_s : float
        Give up after this long, seconds.
    hang_up : bool
        Send ``hangup`` after the last line is answered (else wait for the server to end it).
    """
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    result = RemoteCall()
    ears = _Ears()
    mic = MicFeed()
    out_state: dict[str, float | None] = {"pending_end": None}
    t_connect = time.monotonic()
    async with connect(
        url,
        additional_headers={"Origin": origin, "Cookie": cookie},
        compression=None,
        max_size=2**20,
        open_timeout=30,
    ) as ws:

        async def receive() -> None:
            async for msg in ws:
                if isinstance(msg, bytes):
                    y = np.frombuffer(msg, dtype="<i2").copy()
                    result.received.append(y)
                    pending = out_state["pending_end"]
                    if pending is not None and rms_dbfs(y / 32768.0) > HEARD_DBFS:
                        result.v2v_s.append(time.monotonic() - pending)
                        out_state["pending_end"] = None
                else:
                    doc = json.loads(msg)
                    if doc.get("type") == "call_start" and not result.of_type("call_start"):
                        result.queued_s = time.monotonic() - t_connect
                    result.messages.append(doc)
                    ears.hear(doc)

        async def send_audio() -> None:
            t0 = time.monotonic()
            n = 0
            frame_s = FRAME_MS / 1000.0
            while True:
                y = mic(FRAME_SAMPLES)
                result.sent.append(y)
                await ws.send(y.astype("<i2").tobytes())
                n += 1
                if mic.busy and not mic.pending:
                    mic.busy = False
                    out_state["pending_end"] = time.monotonic()
                delay = t0 + n * frame_s - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)

        async def speak_once() -> None:
            """The script, once, in the call that is live."""
            heard = ears.ended  # customer lines finished before this call's first line
            for line, y in lines:
                if line.interrupt_after_s is not None:
                    starts = ears.started
                    await ears.until(
                        lambda s=starts: ears.started > s or ears.customer_speaking,
                        REPLY_TIMEOUT_S,
                    )
                    await asyncio.sleep(line.interrupt_after_s)
                else:
                    await ears.until(
                        lambda h=heard: ears.ended > h and not ears.customer_speaking,
                        REPLY_TIMEOUT_S,
                    )
                    await asyncio.sleep(line.latency_s)
                if ears.done or not ears.live:
                    return
                out_state["pending_end"] = None
                mic.play(trim_silence(y))
                mic.busy = True
                await asyncio.sleep(y.shape[0] / WIRE_RATE_HZ)
                heard = ears.ended
            await ears.until(
                lambda: ears.ended > heard and not ears.customer_speaking, REPLY_TIMEOUT_S
            )
            await asyncio.sleep(TAIL_S)
            if hang_up and ears.live:
                await ws.send(json.dumps({"type": "hangup"}))

        async def speak() -> None:
            """Every call of the plan (a gauntlet has several, with a break between)."""
            while True:
                await ears.until(lambda: ears.live or ears.done, max_s)
                if ears.done:
                    return
                await speak_once()
                await ears.until(lambda: not ears.live or ears.done, max_s)

        tasks = [asyncio.ensure_future(c) for c in (receive(), send_audio(), speak())]
        try:
            await asyncio.wait_for(tasks[0], timeout=max_s)
        except (TimeoutError, ConnectionClosed):
            pass
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        result.close_code = ws.close_code
    return result


def trim_silence(y: np.ndarray) -> np.ndarray:
    """``y`` without its trailing silence (Piper pads sentences), so a line ends where its
    voice does and the caller's clock starts there."""
    hop = WIRE_RATE_HZ // 100
    n = y.shape[0] // hop
    if n == 0:
        return y
    frames = y[: n * hop].astype(np.float64).reshape(n, hop) / 32768.0
    levels = 20.0 * np.log10(np.sqrt(np.mean(np.square(frames), axis=1)) + 1e-9)
    voiced = np.flatnonzero(levels > HEARD_DBFS)
    if voiced.size == 0:
        return y
    return y[: (int(voiced[-1]) + 1) * hop]
