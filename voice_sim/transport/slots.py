"""How many calls one process runs at once, and the queue beyond that.

A call that finds every slot taken waits in a first-in, first-out queue and is told its place
(1 = you are next) every time the queue moves. Calls that run are never slowed down by callers
who wait: a waiting caller costs an idle socket, nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Waiter:
    future: asyncio.Future[None]
    on_position: Callable[[int], None]


@dataclass
class CallSlots:
    """A counting semaphore with a visible, fair queue.

    Parameters
    ----------
    capacity : int
        Calls that may run at once (at least 1).
    """

    capacity: int
    _active: int = 0
    _queue: list[_Waiter] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {self.capacity}")

    @property
    def active(self) -> int:
        """Calls running now."""
        return self._active

    @property
    def waiting(self) -> int:
        """Callers in the queue."""
        return len(self._queue)

    async def take(self, on_position: Callable[[int], None]) -> None:
        """Wait for a slot (in the queue if none is free); pair with :meth:`release`.

        While queued, ``on_position(n)`` tells the place (1 = next). Cancelled while queued,
        it leaves the queue and holds nothing.
        """
        if self._active < self.capacity and not self._queue:
            self._active += 1
            return
        waiter = _Waiter(asyncio.get_running_loop().create_future(), on_position)
        self._queue.append(waiter)
        on_position(len(self._queue))
        try:
            await waiter.future  # the slot is handed over by release(), already counted
        except asyncio.CancelledError:
            if waiter in self._queue:
                self._queue.remove(waiter)
                self._tell_positions()
            elif waiter.future.done() and not waiter.future.cancelled():
                self.release()  # handed a slot in the same instant it gave up
            raise

    def release(self) -> None:
        """Give a slot back: the first caller in the queue gets it."""
        while self._queue:
            waiter = self._queue.pop(0)
            if not waiter.future.done():
                waiter.future.set_result(None)  # the slot passes on: _active is unchanged
                self._tell_positions()
                return
        self._active -= 1

    @contextlib.asynccontextmanager
    async def acquire(self, on_position: Callable[[int], None]) -> AsyncIterator[None]:
        """Hold one slot for the block (see :meth:`take`)."""
        await self.take(on_position)
        try:
            yield
        finally:
            self.release()

    def _tell_positions(self) -> None:
        for i, waiter in enumerate(self._queue):
            with contextlib.suppress(Exception):
                waiter.on_position(i + 1)
