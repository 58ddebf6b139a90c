"""The work after a remote call: the case note saved through its owner (scoring), and scoring a
folder as ``voice-sim score`` does, failing with the one line a user would see. Oracle:
scoring's own reader and the score command's message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring import read_case_note
from scoring.case_note import MAX_NOTE_CHARS
from voice_sim.transport.aftercall import score_target, write_note


def _session(folder: Path) -> Path:
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps({"persona": "angry-billing"}), encoding="utf-8")
    return folder


def test_a_note_is_saved_for_the_scorer_and_an_empty_one_is_not(tmp_path: Path) -> None:
    folder = _session(tmp_path / "s")
    assert write_note(folder, "  \n ") is None
    assert read_case_note(folder) is None
    path = write_note(folder, "  Ref 7731: refund by Friday.\n")
    assert path == folder / "case_note.md"
    assert read_case_note(folder) == "Ref 7731: refund by Friday."


def test_a_note_over_the_limit_is_cut_to_it_not_lost(tmp_path: Path) -> None:
    folder = _session(tmp_path / "s")
    write_note(folder, "x" * (MAX_NOTE_CHARS + 50))
    assert read_case_note(folder) == "x" * MAX_NOTE_CHARS


def test_scoring_a_folder_it_cannot_score_fails_in_one_line(tmp_path: Path) -> None:
    folder = _session(tmp_path / "s")
    with pytest.raises(RuntimeError) as info:
        score_target(str(folder))
    assert (
        str(info.value) == f"{folder}: session folder holds neither analysis.json nor recording.wav"
    )
