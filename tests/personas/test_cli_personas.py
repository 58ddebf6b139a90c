"""``voice-sim personas list|show|validate`` through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from personas.library import LIBRARY_DIR
from voice_sim.cli import main


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas", "list"]) == 0
    out = capsys.readouterr().out
    assert "angry-billing" in out and "elderly-confused" in out


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas", "show", "abusive-caller"]) == 0
    out = capsys.readouterr().out
    assert "Rick Dawson" in out and "Voice by intensity" in out and "Must ask" in out


def test_validate_library_and_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas", "validate"]) == 0
    assert main(["personas", "validate", str(LIBRARY_DIR / "known-bug.yaml")]) == 0
    assert "ok" in capsys.readouterr().out


def test_validate_bad_file_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        (LIBRARY_DIR / "known-bug.yaml")
        .read_text()
        .replace("start_intensity: 5", "start_intensity: 14")
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("start_intensity"))
    assert main(["personas", "validate", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"voice-sim: error: {bad}:{line}: start_intensity: must be 0-10, got 14"


def test_show_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas", "show", "nobody"]) == 2
    assert "unknown persona" in capsys.readouterr().err
