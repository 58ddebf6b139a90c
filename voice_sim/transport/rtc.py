"""WebRTC transport with a Python peer (aiortc), measured against the WebSocket transport.

The browser sends its microphone as an Opus track and receives the customer as one; JSON
messages ride a data channel named ``events``. Signalling is one POST of the browser's offer
(after ICE gathering) answered with the server's answer, behind the same Origin, login and call
checks as the socket. As with the socket, the trainee's audio is the call's clock: every 20 ms
that arrives (decoded, resampled to 16 kHz) ticks the line, and the customer frame of that
tick is queued on the outgoing track.

Needs the optional ``webrtc`` extra (aiortc, BSD; it pulls PyAV and its FFmpeg build), so it is
not part of the default install: :mod:`voice_sim.transport.ws` is the transport the web app
uses. See the README's "Browser call" section for the figures behind that choice.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from ..errors import VoiceSimError
from .bridge import CallBridge, OnCallEnd
from .calls import CallRegistry, PracticeCall, Refused
from .origin import header, origin_allowed, scope_headers
from .wire import FRAME_BYTES, FRAME_SAMPLES, WIRE_RATE_HZ, ProtocolError, dumps
from .ws import Authenticate, Receive, Scope, Send, call_id_of

log = logging.getLogger("voice_sim.transport")

#: Largest signalling body accepted (an SDP offer is a few kB), bytes.
MAX_OFFER_BYTES = 64 * 1024

CheckCsrf = Callable[[Scope, str | None], Awaitable[bool]]
"""``await check_csrf(scope, token)``: the web app's CSRF check for the signalling POST."""


def _aiortc() -> Any:
    try:
        import aiortc
    except ImportError:
        raise VoiceSimError(
            "the WebRTC transport needs the optional extra: pip install 'voice-sim[webrtc]'"
        ) from None
    return aiortc


class _CustomerTrack:
    """Factory of the outgoing audio track (a subclass of aiortc's MediaStreamTrack)."""

    @staticmethod
    def make() -> Any:
        aiortc = _aiortc()
        import av

        class CustomerTrack(aiortc.MediaStreamTrack):  # type: ignore[name-defined]
            kind = "audio"

            def __init__(self) -> None:
                super().__init__()
                self.queue: asyncio.Queue[bytes] = asyncio.Queue()
                self._pts = 0

            async def recv(self) -> Any:
                pcm = await self.queue.get()
                frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME_SAMPLES)
                frame.planes[0].update(pcm)
                frame.sample_rate = WIRE_RATE_HZ
                frame.pts = self._pts
                frame.time_base = fractions.Fraction(1, WIRE_RATE_HZ)
                self._pts += FRAME_SAMPLES
                return frame

        return CustomerTrack()


class RtcPeer:
    """One browser's WebRTC connection to one practice call."""

    def __init__(self, call: PracticeCall, bridge_factory: Callable[[Any], CallBridge]) -> None:
        aiortc = _aiortc()
        self.call = call
        self.pc = aiortc.RTCPeerConnection(aiortc.RTCConfiguration(iceServers=[]))
        self.out_track = _CustomerTrack.make()
        self.pc.addTrack(self.out_track)
        self._channel: Any = None
        self._pending: list[str] = []
        self.bridge = bridge_factory(self._emit)
        self._tasks: list[asyncio.Task[Any]] = []
        self.done = asyncio.get_running_loop().create_future()

        @self.pc.on("datachannel")
        def on_channel(channel: Any) -> None:
            self._channel = channel
            for text in self._pending:
                channel.send(text)
            self._pending.clear()

            @channel.on("message")
            def on_message(message: Any) -> None:
                with contextlib.suppress(ValueError, AttributeError):
                    if json.loads(message).get("type") == "hangup":
                        self.bridge.hangup()

        @self.pc.on("track")
        def on_track(track: Any) -> None:
            if track.kind == "audio":
                self._tasks.append(asyncio.ensure_future(self._pump(track)))

        @self.pc.on("connectionstatechange")
        async def on_state() -> None:
            if self.pc.connectionState in ("failed", "closed", "disconnected"):
                self.bridge.stop("disconnected")

    def _emit(self, message: dict[str, Any]) -> None:
        text = dumps(message)
        if self._channel is not None and self._channel.readyState == "open":
            self._channel.send(text)
        else:
            self._pending.append(text)

    async def _pump(self, track: Any) -> None:
        """Decoded microphone audio -> 16 kHz frames -> the bridge -> the outgoing track."""
        import av

        resampler = av.AudioResampler(format="s16", layout="mono", rate=WIRE_RATE_HZ)
        pending = b""
        try:
            while True:
                frame = await track.recv()
                for f in resampler.resample(frame):
                    pending += bytes(f.planes[0])[: f.samples * 2]
                whole = len(pending) - len(pending) % FRAME_BYTES
                if not whole:
                    continue
                chunk, pending = pending[:whole], pending[whole:]
                for i in range(0, len(chunk), FRAME_BYTES * 10):
                    reply = self.bridge.feed(chunk[i : i + FRAME_BYTES * 10])
                    for j in range(0, len(reply), FRAME_BYTES):
                        self.out_track.queue.put_nowait(reply[j : j + FRAME_BYTES])
        except ProtocolError as exc:
            log.warning("webrtc call closed: %s", exc)
            self.bridge.stop("disconnected")
        except Exception:  # MediaStreamError: the browser's track ended
            self.bridge.stop("disconnected")

    async def answer(self, offer: dict[str, str]) -> dict[str, str]:
        """Apply the browser's offer; return the answer (ICE candidates included)."""
        aiortc = _aiortc()
        await self.pc.setRemoteDescription(
            aiortc.RTCSessionDescription(sdp=offer["sdp"], type=offer["type"])
        )
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        local = self.pc.localDescription
        return {"sdp": local.sdp, "type": local.type}

    async def run(self) -> None:
        """Run the plan, then hang up the peer connection."""
        try:
            self.call.results = list(await self.bridge.run())
            self._emit({"type": "done", "calls": len(self.call.results), "review": None})
            await asyncio.sleep(0.2)  # let the data channel deliver the last message
        finally:
            for task in self._tasks:
                task.cancel()
            await self.pc.close()
            if not self.done.done():
                self.done.set_result(None)


class RtcSignalling:
    """ASGI app for ``POST /.../calls/{call_id}/rtc``: offer in, answer out.

    Parameters are those of :class:`~.ws.CallSocket`, plus ``check_csrf`` (the web app's check
    of the ``X-CSRF-Token`` header; None skips it, for benches without a login).
    """

    def __init__(
        self,
        registry: CallRegistry,
        *,
        authenticate: Authenticate,
        check_csrf: CheckCsrf | None = None,
        trusted_origins: Iterable[str] = (),
        on_call_end: Callable[[PracticeCall], OnCallEnd] | None = None,
        on_done: Callable[[PracticeCall], None] | None = None,
    ) -> None:
        _aiortc()
        self.registry = registry
        self.authenticate = authenticate
        self.check_csrf = check_csrf
        self.trusted_origins = tuple(trusted_origins)
        self.on_call_end = on_call_end
        self.on_done = on_done
        self.peers: set[RtcPeer] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await _respond(send, 405, {"error": "POST an offer"})
            return
        headers = scope_headers(scope)
        if not origin_allowed(headers, trusted=self.trusted_origins):
            await _respond(send, 403, {"error": "foreign origin"})
            return
        user = await self.authenticate(scope)
        if user is None:
            await _respond(send, 401, {"error": "log in first"})
            return
        if self.check_csrf is not None and not await self.check_csrf(
            scope, header(headers, "x-csrf-token")
        ):
            await _respond(send, 403, {"error": "missing or wrong CSRF token"})
            return
        body = await _read_body(receive, MAX_OFFER_BYTES)
        if body is None:
            await _respond(send, 413, {"error": f"offer over {MAX_OFFER_BYTES} bytes"})
            return
        try:
            offer = json.loads(body)
            if not isinstance(offer, dict) or offer.get("type") != "offer":
                raise ValueError
        except ValueError:
            await _respond(send, 400, {"error": "expected a JSON SDP offer"})
            return
        try:
            call = self.registry.claim(call_id_of(scope, "rtc"), user)
        except Refused as exc:
            status = {4404: 404, 4409: 409, 4410: 410}.get(exc.code, 400)
            await _respond(send, status, {"error": str(exc)})
            return
        hook = self.on_call_end(call) if self.on_call_end else None
        peer = RtcPeer(
            call,
            lambda emit: CallBridge(
                call.plan, emit=emit, slots=self.registry.slots, on_call_end=hook
            ),
        )
        try:
            answer = await peer.answer({"sdp": str(offer.get("sdp", "")), "type": "offer"})
        except Exception as exc:
            self.registry.finish(call, [])
            await _respond(send, 400, {"error": f"bad offer: {exc}"})
            return
        self.peers.add(peer)
        task = asyncio.get_running_loop().create_task(peer.run())

        def finished(_t: asyncio.Task[None]) -> None:
            self.peers.discard(peer)
            self.registry.finish(call, call.results)
            if self.on_done is not None:
                self.on_done(call)

        task.add_done_callback(finished)
        await _respond(send, 200, answer)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    body = b""
    while True:
        msg = await receive()
        if msg["type"] != "http.request":
            return None
        body += msg.get("body", b"")
        if len(body) > limit:
            return None
        if not msg.get("more_body"):
            return body


async def _respond(send: Send, status: int, doc: dict[str, Any]) -> None:
    body = json.dumps(doc).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body})
