"""CallSlots: at most `capacity` holders, a first-in first-out queue that tells each caller
its place, and nothing leaked by callers who give up while queued."""

from __future__ import annotations

import asyncio

import pytest

from voice_sim.transport import CallSlots


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity"):
        CallSlots(0)


def test_callers_beyond_capacity_queue_in_order_and_see_their_place() -> None:
    async def main() -> tuple[list[str], dict[str, list[int]], int]:
        slots = CallSlots(2)
        order: list[str] = []
        places: dict[str, list[int]] = {}
        gates = {n: asyncio.Event() for n in "abcde"}
        peak = 0

        async def caller(name: str) -> None:
            nonlocal peak
            async with slots.acquire(lambda p: places.setdefault(name, []).append(p)):
                order.append(name)
                peak = max(peak, slots.active)
                await gates[name].wait()

        tasks = []
        for n in "abcde":
            tasks.append(asyncio.ensure_future(caller(n)))
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)
        assert order == ["a", "b"] and slots.waiting == 3
        for n in "abcde":
            gates[n].set()
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
        return order, places, peak

    order, places, peak = asyncio.run(main())
    assert order == list("abcde")
    assert peak == 2
    assert "a" not in places and "b" not in places
    assert places["c"] == [1]
    assert places["d"] == [2, 1]
    assert places["e"] == [3, 2, 1]


def test_a_caller_who_leaves_the_queue_frees_their_place() -> None:
    async def main() -> tuple[list[int], int, int]:
        slots = CallSlots(1)
        await slots.take(lambda p: None)
        seen: list[int] = []
        leaver = asyncio.ensure_future(slots.take(lambda p: None))
        await asyncio.sleep(0)
        stayer = asyncio.ensure_future(slots.take(seen.append))
        await asyncio.sleep(0)
        leaver.cancel()
        await asyncio.sleep(0)
        waiting_after_leave = slots.waiting
        slots.release()
        await stayer
        active = slots.active
        slots.release()
        return seen, waiting_after_leave, active + 10 * slots.active

    seen, waiting, active = asyncio.run(main())
    assert seen == [2, 1]  # moved up when the one ahead left
    assert waiting == 1
    assert active == 1  # one holder, then none
