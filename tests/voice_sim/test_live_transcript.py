"""The call as it prints on the terminal: time order, late lines marked, text never markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from personas.call_log import CallEnd, CustomerLine, Intensity, Transcript
from voice_sim.commands._call_common import print_live_transcript
from voice_sim.events import EventLog


def test_text_with_markup_is_printed_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = EventLog(tmp_path / "events.jsonl")
    print_live_transcript(log)
    # before the fix, "[/" in a transcript raised rich.errors.MarkupError inside the listener
    log.emit(Transcript(1.0, speaker="trainee", text="press [/b] then [bold]", start_s=1.0))
    log.emit(CustomerLine(2.0, text="What is [red]this[/red]?"))
    log.emit(Intensity(3.0, level=5, previous=4, stage="venting", reason='said "[/x]"'))
    log.close()
    err = capsys.readouterr().err
    assert "press [/b] then [bold]" in err
    assert "What is [red]this[/red]?" in err
    assert 'said "[/x]"' in err


def test_a_line_that_started_before_one_already_shown_is_marked_late(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = EventLog(tmp_path / "events.jsonl")
    print_live_transcript(log)
    log.emit(CustomerLine(12.0, text="Second."))
    log.emit(Transcript(8.0, speaker="trainee", text="First.", start_s=8.0, end_s=11.0))
    log.emit(CustomerLine(20.0, text="Third."))
    log.close()
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert "(late)" not in lines[0] and "Second." in lines[0]
    assert "(late)" in lines[1] and "First." in lines[1]
    assert "(late)" not in lines[2]


def test_log_records_go_to_the_session_log_during_the_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    root = logging.getLogger()
    terminal = logging.StreamHandler()  # what the CLI installs: records to stderr
    root.addHandler(terminal)
    try:
        log = EventLog(tmp_path / "events.jsonl")
        print_live_transcript(log)
        logging.getLogger("livekit.agents").warning("skipping reply to user input")
        log.emit(CallEnd(5.0, reason="hangup", duration_s=5.0))
        log.close()
        assert "skipping reply" not in capsys.readouterr().err
        assert "skipping reply" in (tmp_path / "call.log").read_text()
        assert terminal in root.handlers  # the terminal gets its log back after the call
    finally:
        root.removeHandler(terminal)
