"""``voice-sim note``, the after-call prompt, and a trainee script's ``case_note``."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tests.scoring.test_case_note import GOOD_NOTE, META, billing_call
from voice_sim import cli
from voice_sim.commands.note import ask_case_note
from voice_sim.simulate import load_script, persona_script


def session(tmp_path: Path) -> Path:
    folder = billing_call().write(tmp_path / "s")
    (folder / "meta.json").write_text(json.dumps(META), encoding="utf-8")
    return folder


def test_note_from_a_file_is_stored_and_scored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = session(tmp_path)
    note = tmp_path / "note.txt"
    note.write_text(GOOD_NOTE, encoding="utf-8")
    assert cli.main(["note", str(folder), "--file", str(note)]) == 0
    out = capsys.readouterr().out
    assert (folder / "case_note.md").read_text(encoding="utf-8").strip() == GOOD_NOTE
    assert "case note:" in out and "+ note carries the promise" in out
    card = json.loads((folder / "scorecard.json").read_text(encoding="utf-8"))
    item = next(it for it in card["items"] if it["id"] == "case_note")
    assert item["score"] >= 0.8 * item["max"]


def test_note_from_standard_input_replaces_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = session(tmp_path)
    (folder / "case_note.md").write_text("old note\n", encoding="utf-8")
    monkeypatch.setattr(
        sys, "stdin", io.StringIO("Visa ending 4417 charged twice.\nSecond line.\n")
    )
    assert cli.main(["note", str(folder), "--no-score"]) == 0
    assert (folder / "case_note.md").read_text(encoding="utf-8") == (
        "Visa ending 4417 charged twice.\nSecond line.\n"
    )
    assert not (folder / "scorecard.json").exists()


def test_after_call_prompt_is_multi_line_and_skippable(tmp_path: Path) -> None:
    folder = session(tmp_path)
    assert ask_case_note(folder, stream=io.StringIO("\n"), echo=False) is False
    assert not (folder / "case_note.md").exists()
    typed = io.StringIO("Charged twice, Visa 4417.\nRefund issued today.\n\nnot part of it\n")
    assert ask_case_note(folder, stream=typed, echo=False) is True
    assert (folder / "case_note.md").read_text(encoding="utf-8") == (
        "Charged twice, Visa 4417.\nRefund issued today.\n"
    )


def test_after_call_prompt_never_waits_when_stdin_is_not_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("would block a script\n"))
    assert ask_case_note(session(tmp_path)) is False


def test_a_trainee_script_carries_its_case_note(tmp_path: Path) -> None:
    script = load_script(persona_script("delayed-order", "good"))
    assert "58213" in script.case_note
    bad = tmp_path / "bad.yaml"
    bad.write_text("lines: [hello]\ncase_note: [not, text]\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"bad\.yaml: case_note: expected the text of the note"):
        load_script(bad)
