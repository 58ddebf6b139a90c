"""analysis.json and events.jsonl reading: contract fields, bad input, text from transcripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring import ScoringError, call_inputs, read_events, read_json

from .conftest import good_call


def test_reads_contract_fields(good: object) -> None:
    b = good_call()
    call = call_inputs(b.analysis(), b.events, source="x/analysis.json")
    assert call.name == "x"
    assert call.turns[0].speaker == "customer" and call.turns[0].word_times
    assert [e.level for e in call.intensity] == [7, 5, 3]
    # one moment while I check: the trainee's own silence, after a hold notice
    (q,) = call.silences
    assert (q.from_speaker, q.to_speaker, q.duration_s) == ("trainee", "trainee", 4.0)
    assert call.speakers["trainee"].wpm == pytest.approx(150.0)


def test_future_schema_is_refused() -> None:
    a = good_call().analysis()
    a["schema_version"] = 2
    with pytest.raises(ScoringError, match=r"a.json: schema_version: 2 is newer than this version"):
        call_inputs(a, source="a.json")


def test_no_trainee_speech_is_refused() -> None:
    a = good_call().analysis()
    a["turns"] = [t for t in a["turns"] if t["speaker"] == "customer"]
    with pytest.raises(ScoringError, match=r"a\.json: no trainee speech in the recording"):
        call_inputs(a, source="a.json")


def test_missing_field_is_named() -> None:
    a = good_call().analysis()
    del a["turns"][1]["end_s"]
    with pytest.raises(ScoringError, match=r"a.json: turns\[1\]: missing field 'end_s'"):
        call_inputs(a, source="a.json")


def test_turn_text_filled_from_transcript_events() -> None:
    a = good_call().analysis()
    t = a["turns"][1]
    t["text"], t["word_times"] = "", []
    events = [
        {
            "type": "transcript",
            "t_s": t["end_s"],
            "speaker": "trainee",
            "text": "Filled from the transcript.",
            "start_s": t["start_s"],
            "end_s": t["end_s"],
            "words": [],
        }
    ]
    call = call_inputs(a, events)
    assert call.turns[1].text == "Filled from the transcript."


def test_events_file_errors_and_torn_last_line(tmp_path: Path) -> None:
    p = tmp_path / "events.jsonl"
    p.write_text(
        '{"type": "call_start", "t_s": 0, "persona": "angry"}\n{"type": "intens', encoding="utf-8"
    )
    assert read_events(p)[0].persona == "angry"  # type: ignore[attr-defined]
    p.write_text(
        '{"type": "call_end", "t_s": 0}\nnot json\n{"type": "call_end", "t_s": 1}\n',
        encoding="utf-8",
    )
    with pytest.raises(ScoringError, match=r"events.jsonl: line 2: not valid JSON"):
        read_events(p)
    p.write_text('{"type": "no_such_event", "t_s": 0}\n', encoding="utf-8")
    with pytest.raises(ScoringError, match=r"events.jsonl: line 1: unknown event type"):
        read_events(p)


def test_read_json_errors(tmp_path: Path) -> None:
    p = tmp_path / "analysis.json"
    with pytest.raises(ScoringError, match="file not found"):
        read_json(p)
    p.write_text("{", encoding="utf-8")
    with pytest.raises(ScoringError, match="invalid JSON at line 1"):
        read_json(p)
    p.write_text(json.dumps([1]), encoding="utf-8")
    with pytest.raises(ScoringError, match="expected a JSON object"):
        read_json(p)


def test_how_a_call_ended_in_words() -> None:
    from scoring import CallEnd

    assert CallEnd("hangup", "resolved", 1).label == "resolved"
    assert CallEnd("hangup", "hung up: pushed too far", 10).label == "customer hung up"
    assert CallEnd("script_done", None, 8).label == "script ran out"
    assert CallEnd("script_done", None, 8).unresolved
    # the call's bare fallback reason with a calm customer: a goodbye, not a hang-up
    goodbye = CallEnd("hangup", "hung up", 3)
    assert goodbye.label == "customer said goodbye" and not goodbye.unresolved


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('{"type": "intensity", "t_s": 0, "level": "high"}', r"intensity\.level: expected"),
        ('{"type": "transcript", "t_s": 0, "text": 5}', r"transcript\.text: expected text"),
        ('{"type": "hangup", "t_s": 1, "by": "nobody"}', r"hangup\.by: expected 'trainee' or"),
        ('{"type": "speech_end", "t_s": 1, "interrupted": "yes"}', r"speech_end\.interrupted"),
        ('{"type": "intensity", "t_s": 0, "level": 7, "previous": true}', r"intensity\.previous"),
    ],
)
def test_a_mistyped_event_field_is_a_one_line_error_not_a_crash(
    tmp_path: Path, line: str, error: str
) -> None:
    """A field of the wrong type names the file, the line and the field (it used to reach the
    scorer, and ``float("high")`` was a traceback)."""
    p = tmp_path / "events.jsonl"
    p.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ScoringError, match=rf"events\.jsonl: line 1: {error}"):
        read_events(p)
    with pytest.raises(ScoringError, match=rf"events\[0\]: {error}"):
        call_inputs(good_call().analysis(), [json.loads(line)])
