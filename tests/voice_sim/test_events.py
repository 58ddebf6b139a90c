"""The event log: typed events written one line each, one reader (strict, or lenient for a
log cut off by a crash)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personas.call_log import CallStart, EventLogError, Latency, SpeechStart, Transcript
from voice_sim.events import EventLog, read_events


def test_each_event_is_on_disk_when_emit_returns(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "events.jsonl")
    log.emit(SpeechStart(1.23456, speaker="trainee"))
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    assert json.loads(lines[0]) == {"type": "speech_start", "t_s": 1.235, "speaker": "trainee"}
    log.emit(Latency(2.0, voice_to_voice_s=float("nan"), stt_s=0.123456))
    raw = json.loads((tmp_path / "events.jsonl").read_text().splitlines()[1])
    assert raw["voice_to_voice_s"] is None and raw["stt_s"] == 0.123 and raw["eou_s"] is None
    assert read_events(tmp_path / "events.jsonl")[1] == Latency(2.0, stt_s=0.123)
    log.close()


def test_round_trip_of_a_transcript(tmp_path: Path) -> None:
    ev = Transcript(
        1.5,
        speaker="trainee",
        text="Calm down [/bold]",
        start_s=1.5,
        end_s=2.5,
        words=({"word": "Calm", "start_s": 1.5, "end_s": 1.9},),
    )
    log = EventLog(tmp_path / "events.jsonl")
    log.emit(ev)
    log.close()
    assert read_events(tmp_path / "events.jsonl") == [ev]


def test_strict_reader_rejects_a_torn_line_the_lenient_one_drops_it(tmp_path: Path) -> None:
    p = tmp_path / "events.jsonl"
    p.write_text(
        '{"type": "call_start", "t_s": 0, "persona": "x", "brain": "scripted"}\n{"type": "transc'
    )
    with pytest.raises(EventLogError, match=r"events.jsonl: line 2: not valid JSON"):
        read_events(p)
    assert read_events(p, lenient=True) == [CallStart(0.0, persona="x", brain="scripted")]


def test_lenient_reader_forgives_only_the_last_line(tmp_path: Path) -> None:
    p = tmp_path / "events.jsonl"
    p.write_text(
        '{"type": "call_st\n{"type": "call_end", "t_s": 3, "reason": "x", "duration_s": 3}\n'
    )
    with pytest.raises(EventLogError, match="line 1"):
        read_events(p, lenient=True)


def test_unknown_type_and_bad_fields_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "events.jsonl"
    p.write_text('{"type": "nope", "t_s": 0}\n')
    with pytest.raises(EventLogError, match=r"line 1: unknown event type 'nope'"):
        read_events(p)
    p.write_text('{"type": "latency", "t_s": 0, "stt_s": "fast"}\n')
    with pytest.raises(EventLogError, match=r"line 1: latency.stt_s: expected a number"):
        read_events(p)
