"""Real-time audio between a remote trainee (a browser, a LiveKit room) and a call session.

The remote microphone is the call's clock: each 20 ms frame that arrives ticks the call line
once and the customer's frame for that tick goes back (:class:`CallBridge`). The WebSocket
transport (:class:`CallSocket`, 16 kHz PCM through an AudioWorklet) is what the web app uses;
the WebRTC one (:mod:`.rtc`, aiortc, an optional extra) was measured against it.
"""

from __future__ import annotations

from .bridge import CallBridge, CallPlan
from .calls import CallRegistry, PracticeCall, Refused
from .origin import origin_allowed
from .slots import CallSlots
from .wire import MAX_MESSAGE_BYTES, WIRE_RATE_HZ, ProtocolError
from .ws import Authenticate, CallSocket

__all__ = [
    "MAX_MESSAGE_BYTES",
    "WIRE_RATE_HZ",
    "Authenticate",
    "CallBridge",
    "CallPlan",
    "CallRegistry",
    "CallSlots",
    "CallSocket",
    "PracticeCall",
    "ProtocolError",
    "Refused",
    "origin_allowed",
]
