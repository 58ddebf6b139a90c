"""The CLI: exit codes and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from voice_sim import cli


def test_exit_code_of_a_command_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    app = typer.Typer()

    @app.command()
    def fail() -> None:
        raise typer.Exit(3)

    @app.command()
    def ok() -> None:
        pass

    monkeypatch.setattr(cli, "app", app)
    assert cli.main(["fail"]) == 3
    assert cli.main(["ok"]) == 0


def test_package_errors_print_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text("lines: []\n")
    code = cli.main(["simulate", "--script", str(script), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0 and err.startswith("voice-sim: error: ")
    assert "bad.yaml: lines: expected a non-empty list" in err


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("call", "simulate", "gauntlet", "analyze", "score", "personas"):
        assert name in out
