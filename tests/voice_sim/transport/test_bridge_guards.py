"""The bridge's guards, without a call: audio may not outrun the wall clock beyond a burst
allowance; and the registry lets one tab join a call, once, and only its owner."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_sim.session import CallSpec
from voice_sim.transport import CallBridge, CallPlan, CallRegistry, ProtocolError, Refused
from voice_sim.transport.wire import (
    CLOSE_ENDED,
    CLOSE_NOT_FOUND,
    CLOSE_OTHER_TAB,
    FRAME_BYTES,
    MAX_AHEAD_S,
)


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _bridge(clock: FakeClock, tmp_path: Path) -> CallBridge:
    return CallBridge(CallPlan(CallSpec(out_dir=tmp_path)), emit=lambda m: None, clock=clock)


def test_real_time_audio_is_accepted_for_as_long_as_it_lasts(tmp_path: Path) -> None:
    clock = FakeClock()
    bridge = _bridge(clock, tmp_path)
    for _ in range(3000):  # a minute of frames, each arriving on time
        assert bridge.feed(bytes(FRAME_BYTES)) == b""  # no call yet: nothing comes back
        clock.t += 0.02


def test_a_burst_after_a_stall_is_accepted(tmp_path: Path) -> None:
    clock = FakeClock()
    bridge = _bridge(clock, tmp_path)
    bridge.feed(bytes(FRAME_BYTES))
    clock.t += 1.0  # the network stalled for a second; the browser sends the backlog at once
    backlog = [bridge.feed(bytes(FRAME_BYTES)) for _ in range(50)]  # refused would raise
    assert backlog == [b""] * 50  # every frame of the second taken (no call yet: no audio back)


def test_audio_faster_than_real_time_is_cut_off(tmp_path: Path) -> None:
    clock = FakeClock()
    bridge = _bridge(clock, tmp_path)
    frames_allowed = int(MAX_AHEAD_S / 0.02)
    with pytest.raises(ProtocolError, match="faster than real time"):
        for _ in range(2 * frames_allowed):
            bridge.feed(bytes(FRAME_BYTES))
            clock.t += 0.002  # ten times real time


def test_one_tab_per_call_and_only_its_owner(tmp_path: Path) -> None:
    reg = CallRegistry(capacity=1)
    call = reg.create("ann", CallPlan(CallSpec(out_dir=tmp_path)))
    with pytest.raises(Refused) as other:
        reg.claim(call.id, "bob")
    assert other.value.code == CLOSE_NOT_FOUND
    assert reg.get(call.id, "bob") is None
    assert reg.claim(call.id, "ann") is call
    with pytest.raises(Refused) as second:
        reg.claim(call.id, "ann")
    assert second.value.code == CLOSE_OTHER_TAB
    reg.finish(call, [])
    with pytest.raises(Refused) as ended:
        reg.claim(call.id, "ann")
    assert ended.value.code == CLOSE_ENDED
    with pytest.raises(Refused) as missing:
        reg.claim("no-such-call", "ann")
    assert missing.value.code == CLOSE_NOT_FOUND
