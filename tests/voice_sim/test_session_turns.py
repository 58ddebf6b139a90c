"""The session's view of a trainee turn that VAD splits in two (a pause mid-sentence).

Drives the session's livekit handlers on a real CallLine clock. The STT and TTS are hand-written
stand-ins (only their ``last_words`` / ``set_character`` are touched); the customer and its
director are real.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from livekit.agents import llm
from livekit.agents.voice import events as lk_events

from personas import TraineeTurn
from voice_sim.events import EventLog
from voice_sim.line import CallLine
from voice_sim.recorder import WavRecorder
from voice_sim.session import CallSession, CallSpec


def test_a_turn_split_by_a_pause_starts_at_its_first_segment(tmp_path: Path) -> None:
    async def run() -> list[TraineeTurn]:
        call = CallSession(CallSpec(out_dir=tmp_path))
        call.line = CallLine(
            WavRecorder(tmp_path / "r.wav", sample_rate=16000), loop=asyncio.get_running_loop()
        )
        call.events = EventLog(tmp_path / "events.jsonl", clock=call.line.now_s)
        call.stt = SimpleNamespace(last_words=[])  # type: ignore[assignment]
        call.tts = SimpleNamespace(set_character=lambda c: None)  # type: ignore[assignment]
        heard: list[TraineeTurn] = []
        real_hear = call.customer.hear
        call.customer.hear = lambda turn: (heard.append(turn), real_hear(turn))[1]  # type: ignore[method-assign]

        def until(t_s: float) -> None:
            while call.line.samples < t_s * 16000:
                call.line.tick(np.zeros(320, dtype=np.int16))

        def user(state: str) -> None:
            old = "listening" if state == "speaking" else "speaking"
            call._on_user_state(
                lk_events.UserStateChangedEvent(old_state=old, new_state=state)  # type: ignore[arg-type]
            )

        call._on_line("customer_start", 0.0, {})
        until(1.0)
        call._on_line("customer_end", 1.0, {"interrupted": False})
        until(1.5)
        user("speaking")  # first segment
        until(2.5)
        user("listening")
        until(4.5)
        user("speaking")  # second segment, after a pause VAD took for the end of speech
        until(5.5)
        user("listening")
        now = time.time()
        msg = llm.ChatMessage(
            role="user",
            content=["I can see both charges. I'm refunding the duplicate now."],
            metrics={"started_speaking_at": now - 1.0, "stopped_speaking_at": now},
        )
        call._on_trainee_turn(msg)
        call.events.close()
        call.recorder = call.line.recorder
        call.recorder.close()
        return heard

    heard = asyncio.run(run())
    assert len(heard) == 1
    turn = heard[0]
    assert abs(turn.start_s - 1.5) <= 0.03  # the first segment, not livekit's last one (4.5 s)
    assert turn.response_latency_s is not None and abs(turn.response_latency_s - 0.5) <= 0.03
