"""The wire protocol: whole 20 ms frames within the size limit, known control messages only,
and the page's view of call events."""

from __future__ import annotations

import pytest

from voice_sim.transport.wire import (
    CLOSE_POLICY,
    CLOSE_TOO_BIG,
    FRAME_BYTES,
    MAX_MESSAGE_BYTES,
    ProtocolError,
    check_audio,
    page_event,
    parse_control,
)


def test_a_frame_is_20_ms_of_16_khz_int16() -> None:
    assert FRAME_BYTES == 16_000 // 50 * 2


@pytest.mark.parametrize("n", [1, 3, MAX_MESSAGE_BYTES // FRAME_BYTES])
def test_whole_frames_up_to_the_limit_pass(n: int) -> None:
    check_audio(bytes(n * FRAME_BYTES))


def test_audio_over_the_limit_is_too_big() -> None:
    with pytest.raises(ProtocolError) as info:
        check_audio(bytes(MAX_MESSAGE_BYTES + FRAME_BYTES))
    assert info.value.code == CLOSE_TOO_BIG


@pytest.mark.parametrize("size", [0, 1, FRAME_BYTES - 2, FRAME_BYTES + 2])
def test_partial_frames_break_the_protocol(size: int) -> None:
    with pytest.raises(ProtocolError) as info:
        check_audio(bytes(size))
    assert info.value.code == CLOSE_POLICY


def test_hangup_is_the_one_control_message() -> None:
    assert parse_control('{"type": "hangup"}').type == "hangup"
    for bad in ('{"type": "shutdown"}', "[1]", "not json", '{"kind": "hangup"}'):
        with pytest.raises(ProtocolError):
            parse_control(bad)
    with pytest.raises(ProtocolError) as info:
        parse_control('{"type": "hangup", "x": "' + "a" * MAX_MESSAGE_BYTES + '"}')
    assert info.value.code == CLOSE_TOO_BIG


def test_page_events_carry_what_the_page_shows_and_nothing_else() -> None:
    t = page_event(
        {"type": "transcript", "t_s": 1.5, "speaker": "trainee", "text": "hi", "words": [1]}
    )
    assert t == {"type": "transcript", "speaker": "trainee", "text": "hi", "t_s": 1.5}
    i = page_event(
        {"type": "intensity", "t_s": 2, "level": 6, "previous": 5, "stage": "x", "reason": "r"}
    )
    assert i is not None and i["level"] == 6 and i["previous"] == 5
    s = page_event({"type": "speech_end", "t_s": 3, "speaker": "customer"})
    assert s == {"type": "speech", "speaker": "customer", "speaking": False, "t_s": 3}
    assert page_event({"type": "latency", "t_s": 1}) is None
    assert page_event({"type": "error", "t_s": 1, "message": "llm down"}) is None
