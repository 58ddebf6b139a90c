from __future__ import annotations

import json
from pathlib import Path

from voice_sim.events import EventLog, read_events


def test_each_event_is_on_disk_when_emit_returns(tmp_path: Path) -> None:
    t = [1.23456]
    log = EventLog(tmp_path / "events.jsonl", clock=lambda: t[0])
    log.emit("speech_start", speaker="trainee")
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    assert json.loads(lines[0]) == {"type": "speech_start", "t_s": 1.235, "speaker": "trainee"}
    log.emit("latency", t_s=2.0, voice_to_voice_s=float("nan"), stt_s=0.123456)
    assert read_events(tmp_path / "events.jsonl")[1] == {
        "type": "latency",
        "t_s": 2.0,
        "voice_to_voice_s": None,
        "stt_s": 0.1235,
    }
    log.close()


def test_torn_last_line_is_skipped(tmp_path: Path) -> None:
    p = tmp_path / "events.jsonl"
    p.write_text('{"type": "call_start", "t_s": 0}\n{"type": "transc')
    assert read_events(p) == [{"type": "call_start", "t_s": 0}]
