"""The browser call's wire protocol over one WebSocket: 16 kHz PCM both ways, JSON for the rest.

Binary messages are audio: little-endian int16 mono at :data:`WIRE_RATE_HZ`, a whole number of
20 ms frames (:data:`FRAME_BYTES` each). The browser's microphone is the call's clock: every
trainee frame that arrives ticks the line once and the customer frame for that same tick goes
straight back, so what the recording holds on channel 1 is exactly what was sent to the
browser, as in a sound-card call.

Text messages are JSON objects with a ``type``:

browser -> server
    ``{"type": "hangup"}``                  the trainee hangs up
    ``{"type": "note", "call": i, ...}``    (not on the socket: case notes are a form POST)

server -> browser
    ``queued``       ``position`` (1 = you are next), ``active``, ``capacity``
    ``call_start``   ``index``, ``of``, ``persona``, ``persona_name``, ``folder``
    ``transcript``   ``speaker`` (trainee / customer), ``text``, ``t_s``
    ``intensity``    ``level`` 0-10, ``previous``, ``stage``, ``reason``, ``t_s``
    ``speech``       ``speaker``, ``speaking`` (bool), ``t_s``: who holds the floor
    ``hangup``       the customer hung up (``reason``)
    ``call_end``     ``index``, ``reason``, ``duration_s``
    ``break``        ``seconds`` before call ``next`` of a gauntlet
    ``done``         every call of the plan ended; ``review`` is the page to open
    ``error``        ``message``: shown to the trainee, the socket closes after it

Close codes: 1000 normal, 1008 policy (faster than real time, bad message), 1009 message too
big, 4401 not logged in, 4403 foreign Origin, 4404 no such call, 4409 the call is open in
another tab, 4410 the call already ended.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: The wire carries what Silero and Whisper consume, so nothing is resampled on the server.
WIRE_RATE_HZ = 16_000
#: One frame on the wire, the call line's tick: 20 ms, milliseconds.
FRAME_MS = 20
#: Samples per frame.
FRAME_SAMPLES = WIRE_RATE_HZ * FRAME_MS // 1000
#: Bytes per frame (int16 mono).
FRAME_BYTES = FRAME_SAMPLES * 2
#: Most audio one message may carry: a browser catching up after a stall sends a few frames at
#: once, never more than this, frames (0.2 s).
MAX_FRAMES_PER_MESSAGE = 10
#: Largest message accepted, bytes; anything bigger closes the socket with 1009. Audio needs at
#: most MAX_FRAMES_PER_MESSAGE frames; control messages are a few hundred bytes.
MAX_MESSAGE_BYTES = MAX_FRAMES_PER_MESSAGE * FRAME_BYTES
#: How far the trainee's audio may run ahead of the wall clock before the call is cut, seconds.
#: A browser whose network stalled this long may burst to catch up; a client pushing audio
#: faster than real time (to spend the server's CPU) may not.
MAX_AHEAD_S = 2.0
#: No audio for this long ends the call as disconnected (a tab frozen or a network gone silent
#: without closing the socket), seconds.
IDLE_TIMEOUT_S = 10.0

#: For any server carrying call sockets (uvicorn's ``ws_max_size``): a message over 64 KiB is
#: refused by the WebSocket protocol itself (1009) before it is read into memory. Servers also
#: turn off permessage-deflate (``ws_per_message_deflate=False``): PCM is not worth compressing,
#: and deflate costs CPU on every 20 ms frame.
WS_PROTOCOL_MAX_BYTES = 64 * 1024

CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_OTHER_TAB = 4409
CLOSE_ENDED = 4410


class ProtocolError(ValueError):
    """A message that breaks the protocol; ``code`` is the close code to answer with."""

    def __init__(self, message: str, code: int = CLOSE_POLICY) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Control:
    """A control message from the browser."""

    type: str
    """Message type (``hangup``)."""


KNOWN_CONTROLS = frozenset({"hangup"})


def check_audio(data: bytes) -> None:
    """Raise :class:`ProtocolError` unless ``data`` is whole frames within the size limit."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(
            f"audio message of {len(data)} bytes (limit {MAX_MESSAGE_BYTES})", CLOSE_TOO_BIG
        )
    if len(data) == 0 or len(data) % FRAME_BYTES:
        raise ProtocolError(f"audio message of {len(data)} bytes is not whole 20 ms frames")


def parse_control(text: str) -> Control:
    """Decode a JSON control message; unknown or malformed ones raise :class:`ProtocolError`."""
    if len(text.encode("utf-8")) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"control message over {MAX_MESSAGE_BYTES} bytes", CLOSE_TOO_BIG)
    try:
        doc = json.loads(text)
    except ValueError:
        raise ProtocolError("control message is not JSON") from None
    if not isinstance(doc, dict) or doc.get("type") not in KNOWN_CONTROLS:
        raise ProtocolError("unknown control message")
    return Control(type=str(doc["type"]))


def page_event(event: dict[str, Any]) -> dict[str, Any] | None:
    """The message the page gets for one ``events.jsonl`` event, or None when it gets none."""
    kind = event.get("type")
    t = event.get("t_s")
    if kind == "transcript":
        return {
            "type": "transcript",
            "speaker": event.get("speaker"),
            "text": event.get("text", ""),
            "t_s": t,
        }
    if kind == "intensity":
        return {
            "type": "intensity",
            "level": event.get("level"),
            "previous": event.get("previous"),
            "stage": event.get("stage"),
            "reason": event.get("reason"),
            "t_s": t,
        }
    if kind in ("speech_start", "speech_end"):
        return {
            "type": "speech",
            "speaker": event.get("speaker"),
            "speaking": kind == "speech_start",
            "t_s": t,
        }
    if kind == "hangup":
        return {"type": "hangup", "reason": event.get("reason"), "t_s": t}
    return None


def dumps(message: dict[str, Any]) -> str:
    """Encode a server -> browser message."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
