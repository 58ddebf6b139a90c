"""The practice calls of one server process: who may join which call, and in how many tabs.

A call is created by a form POST (login and CSRF checked by the web app) and joined by the
page's socket. It is joined once: a second tab for the same call is refused while the first is
connected, and a call that ended is never restarted (its page shows the review instead).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ..session import CallResult
from .bridge import CallPlan
from .slots import CallSlots
from .wire import CLOSE_ENDED, CLOSE_NOT_FOUND, CLOSE_OTHER_TAB

#: A created call nobody joined is forgotten after this long, seconds.
UNJOINED_TTL_S = 15 * 60.0
#: Finished calls remembered (so a late second tab is told the call ended), per process.
ENDED_KEPT = 512

CallState = Literal["new", "live", "ended"]


class Refused(Exception):
    """A socket may not join a call; ``code`` is the WebSocket close code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@dataclass(eq=False)
class PracticeCall:
    """One practice request (a call or a gauntlet) of one trainee."""

    id: str
    """Unguessable id used in the call's URLs."""
    owner: str
    """The user who created it; nobody else may join it."""
    plan: CallPlan
    """What it runs."""
    created_s: float
    """Monotonic creation time, seconds."""
    state: CallState = "new"
    """new (not joined yet), live (a tab is connected), ended."""
    results: list[CallResult] = field(default_factory=list)
    """Finished calls of the plan."""


class CallRegistry:
    """Practice calls of this process and the slots they run in.

    Parameters
    ----------
    capacity : int
        Calls that run at once; more wait in the queue (:class:`CallSlots`).
    clock : callable
        Monotonic seconds.
    """

    def __init__(self, *, capacity: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.slots = CallSlots(capacity)
        self._calls: dict[str, PracticeCall] = {}
        self._clock = clock

    def create(self, owner: str, plan: CallPlan) -> PracticeCall:
        """Register a new call for ``owner``."""
        self._forget_stale()
        call = PracticeCall(secrets.token_urlsafe(16), owner, plan, self._clock())
        self._calls[call.id] = call
        return call

    def get(self, call_id: str, owner: str) -> PracticeCall | None:
        """The call if it exists and belongs to ``owner`` (anyone else's is None, like a 404)."""
        call = self._calls.get(call_id)
        return call if call is not None and call.owner == owner else None

    def knows(self, call_id: str) -> bool:
        """Whether the call is still remembered (created and not yet forgotten)."""
        return call_id in self._calls

    def claim(self, call_id: str, owner: str) -> PracticeCall:
        """Join a call from a socket; raises :class:`Refused` with the close code to send."""
        call = self.get(call_id, owner)
        if call is None:
            raise Refused("no such call", CLOSE_NOT_FOUND)
        if call.state == "live":
            raise Refused("this call is already open in another tab", CLOSE_OTHER_TAB)
        if call.state == "ended":
            raise Refused("this call has ended", CLOSE_ENDED)
        call.state = "live"
        return call

    def finish(self, call: PracticeCall, results: list[CallResult]) -> None:
        """Mark a call ended (it cannot be joined again)."""
        call.state = "ended"
        call.results = list(results)
        ended = [c for c in self._calls.values() if c.state == "ended"]
        for old in ended[: max(0, len(ended) - ENDED_KEPT)]:
            self._calls.pop(old.id, None)

    def _forget_stale(self) -> None:
        now = self._clock()
        for cid, call in list(self._calls.items()):
            if call.state == "new" and now - call.created_s > UNJOINED_TTL_S:
                del self._calls[cid]
