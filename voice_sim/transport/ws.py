"""The call socket: an ASGI WebSocket endpoint carrying one practice call (see :mod:`.wire`).

Checks, in order, before anything is accepted: the ``Origin`` is this server's (else the
handshake is refused, HTTP 403), the login cookie names a user (else refused too), the call
exists and is that user's, is not open in another tab and has not ended (accepted, told why in
one JSON message, and closed with 4404 / 4409 / 4410 so the page can say so).

Then each binary message ticks the call (:class:`~.bridge.CallBridge`) and the customer's audio
for those ticks goes straight back; JSON messages go both ways. A browser that goes away
mid-call ends the call as ``disconnected``: the recording so far is kept and finalised, and the
after-call work (analysis, store) runs as for any other call.

The endpoint is plain ASGI, so it mounts in any ASGI framework; a route's ``call_id`` comes
from the scope's ``path_params`` (Starlette) or the last path segment before ``/ws``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from .bridge import CallBridge, OnCallEnd
from .calls import CallRegistry, PracticeCall, Refused
from .origin import origin_allowed, scope_headers
from .wire import (
    CLOSE_FORBIDDEN_ORIGIN,
    CLOSE_INTERNAL,
    CLOSE_NORMAL,
    CLOSE_UNAUTHENTICATED,
    ProtocolError,
    dumps,
    parse_control,
)

log = logging.getLogger("voice_sim.transport")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Authenticate = Callable[[Scope], Awaitable[str | None]]
"""Returns the logged-in user's id from the request (its cookie), or None."""
ReviewUrl = Callable[[PracticeCall], str | None]
"""The page to open when the plan is done."""

_CLOSE = object()


class CallSocket:
    """ASGI app for ``/.../calls/{call_id}/ws``.

    Parameters
    ----------
    registry : CallRegistry
        The process's calls and slots.
    authenticate : callable
        ``await authenticate(scope)`` -> user id or None (the web app's login cookie).
    trusted_origins : iterable of str
        Origins accepted besides the server's own.
    on_call_end : callable, optional
        After-call work, per call (see :class:`~.bridge.CallBridge`).
    review_url : callable, optional
        Where the page goes when the plan is done.
    on_done : callable, optional
        ``on_done(call)`` once the socket is closed and the call marked ended.
    prepare : callable, optional
        Awaited once a socket has passed every check, before it is accepted (the first call
        of a process waits here for the models to load; a refused socket never costs that).
    """

    def __init__(
        self,
        registry: CallRegistry,
        *,
        authenticate: Authenticate,
        trusted_origins: Iterable[str] = (),
        on_call_end: Callable[[PracticeCall], OnCallEnd] | None = None,
        review_url: ReviewUrl | None = None,
        on_done: Callable[[PracticeCall], None] | None = None,
        prepare: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.registry = registry
        self.authenticate = authenticate
        self.trusted_origins = tuple(trusted_origins)
        self.on_call_end = on_call_end
        self.review_url = review_url
        self.on_done = on_done
        self.prepare = prepare

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b"not found"})
            return
        if (await receive())["type"] != "websocket.connect":
            return
        if not origin_allowed(scope_headers(scope), trusted=self.trusted_origins):
            log.warning("call socket refused: foreign Origin")
            await send({"type": "websocket.close", "code": CLOSE_FORBIDDEN_ORIGIN})
            return
        user = await self.authenticate(scope)
        if user is None:
            await send({"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED})
            return
        try:
            call = self.registry.claim(call_id_of(scope), user)
        except Refused as exc:
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": dumps(_refusal(exc))})
            await send({"type": "websocket.close", "code": exc.code})
            return
        try:
            if self.prepare is not None:
                await self.prepare()
            await send({"type": "websocket.accept"})
            await self._serve(call, receive, send)
        finally:
            self.registry.finish(call, call.results)
            if self.on_done is not None:
                self.on_done(call)

    async def _serve(self, call: PracticeCall, receive: Receive, send: Send) -> None:
        out: asyncio.Queue[Any] = asyncio.Queue()
        bridge = CallBridge(
            call.plan,
            emit=lambda m: out.put_nowait(dumps(m)),
            slots=self.registry.slots,
            on_call_end=self.on_call_end(call) if self.on_call_end else None,
        )
        loop = asyncio.get_running_loop()
        writer = loop.create_task(_write(send, out))
        runner = loop.create_task(bridge.run())
        reader = loop.create_task(_read(receive, bridge, out))
        close_code = CLOSE_NORMAL
        try:
            await asyncio.wait({runner, reader}, return_when=asyncio.FIRST_COMPLETED)
            if reader.done() and not runner.done():
                problem = reader.result()
                if isinstance(problem, ProtocolError):
                    log.warning("call socket closed: %s", problem)
                    out.put_nowait(dumps({"type": "error", "message": str(problem)}))
                    close_code = problem.code
                elif problem is not None:
                    out.put_nowait(dumps({"type": "error", "message": "server error"}))
                    close_code = CLOSE_INTERNAL
                bridge.stop("disconnected")
            call.results = list(await runner)
            review = self.review_url(call) if self.review_url else None
            out.put_nowait(
                dumps(
                    {
                        "type": "done",
                        "calls": len(call.results),
                        "review": review,
                    }
                )
            )
            out.put_nowait((_CLOSE, close_code))
            await writer
        finally:
            for task in (reader, runner, writer):
                task.cancel()
            await asyncio.gather(reader, runner, writer, return_exceptions=True)


async def _read(receive: Receive, bridge: CallBridge, out: asyncio.Queue[Any]) -> Exception | None:
    """Feed the bridge until the browser leaves (None) or breaks the protocol (the error)."""
    while True:
        msg = await receive()
        if msg["type"] == "websocket.disconnect":
            return None
        if msg["type"] != "websocket.receive":
            continue
        try:
            data = msg.get("bytes")
            if data is not None:
                reply = bridge.feed(data)
                if reply:
                    out.put_nowait(reply)
            elif msg.get("text") is not None and parse_control(msg["text"]).type == "hangup":
                bridge.hangup()
        except ProtocolError as exc:
            return exc
        except Exception as exc:  # a bug must still end the call cleanly, recording kept
            log.exception("call socket: bad message")
            return exc


async def _write(send: Send, out: asyncio.Queue[Any]) -> None:
    """Send queued messages in order; a (_CLOSE, code) item closes the socket."""
    while True:
        item = await out.get()
        try:
            if isinstance(item, tuple) and item[0] is _CLOSE:
                await send({"type": "websocket.close", "code": item[1]})
                return
            if isinstance(item, bytes):
                await send({"type": "websocket.send", "bytes": item})
            else:
                await send({"type": "websocket.send", "text": item})
        except Exception:  # the browser is gone; the reader sees the disconnect
            with contextlib.suppress(Exception):
                while True:
                    out.get_nowait()
            return


def _refusal(exc: Refused) -> dict[str, Any]:
    return {"type": "error", "message": str(exc), "code": exc.code}


def call_id_of(scope: Scope, suffix: str = "ws") -> str:
    """The ``call_id`` path parameter, or the path segment before ``/<suffix>``."""
    params = scope.get("path_params") or {}
    if "call_id" in params:
        return str(params["call_id"])
    parts = [p for p in str(scope.get("path", "")).split("/") if p]
    if parts and parts[-1] == suffix:
        parts.pop()
    return parts[-1] if parts else ""
