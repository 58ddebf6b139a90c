"""The CLI: exit codes, one-line errors for every mistake a user can type, help that reads right,
and a start-up that imports no engine."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
import typer.main
from rich.markup import render

from voice_sim import cli

#: Modules only the commands that need them may import (checked in a fresh interpreter).
ENGINES = (
    "livekit",
    "faster_whisper",
    "ctranslate2",
    "onnxruntime",
    "piper",
    "numpy",
    "scipy",
    "soundfile",
    "matplotlib",
    "librosa",
    "openai",
    "sqlalchemy",
    "uvicorn",
    "audio_analysis",
    "scoring",
)


def _leaves(argv: list[str], cmd: typer.core.TyperCommand) -> Iterator[tuple[list[str], object]]:
    sub = getattr(cmd, "commands", None)
    if sub is None:
        yield argv, cmd
        return
    for name, c in sub.items():
        yield from _leaves([*argv, name], c)


def leaf_commands() -> list[tuple[list[str], object]]:
    """Every runnable command path (``["personas", "list"]``...) with its Click command."""
    out = []
    for entry in cli.COMMANDS:
        group = typer.main.get_command(cli.build_app([entry.name]))
        out += list(_leaves([entry.name], group.commands[entry.name]))  # type: ignore[attr-defined]
    return out


LEAVES = leaf_commands()
LEAF_IDS = [" ".join(a) for a, _ in LEAVES]


def one_line_usage_error(capsys: pytest.CaptureFixture[str], code: int, where: str) -> str:
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert "Traceback" not in err
    assert err.count("\n") == 0, err
    assert err.startswith(f"{where}: error: "), err
    return err


def test_exit_code_of_a_command_is_returned() -> None:
    app = typer.Typer()

    @app.command()
    def fail() -> None:
        raise typer.Exit(3)

    @app.command()
    def ok() -> None:
        pass

    assert cli.run(app, ["fail"]) == 3
    assert cli.run(app, ["ok"]) == 0


def test_package_errors_print_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text("lines: []\n")
    code = cli.main(["simulate", "--script", str(script), "--out", str(tmp_path / "o")])
    err = one_line_usage_error(capsys, code, "voice-sim")
    assert "bad.yaml: lines: expected a non-empty list" in err


@pytest.mark.parametrize(
    ("argv", "where", "says"),
    [
        (["frobnicate"], "voice-sim", "No such command 'frobnicate'"),
        (["personas", "lst"], "voice-sim personas", "Did you mean 'list'?"),
    ],
)
def test_mistyped_command_is_one_line_exit_2(
    argv: list[str], where: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = one_line_usage_error(capsys, cli.main(argv), where)
    assert says in err and f"See '{where} --help'." in err


@pytest.mark.parametrize(("argv", "_cmd"), LEAVES, ids=LEAF_IDS)
def test_unknown_option_is_one_line_exit_2(
    argv: list[str], _cmd: object, capsys: pytest.CaptureFixture[str]
) -> None:
    err = one_line_usage_error(
        capsys, cli.main([*argv, "--bogus", "x"]), "voice-sim " + " ".join(argv)
    )
    assert "No such option: --bogus" in err


def _bad_values(argv: list[str], cmd: object) -> list[list[str]]:
    """A wrong value for every option that takes a number."""
    out = []
    for p in cmd.params:  # type: ignore[attr-defined]
        kind = getattr(getattr(p, "type_descriptor", None), "annotation", None)
        if p.param_type_name == "option" and not p.is_flag and kind in (int, float):
            out.append([*argv, p.opts[0], "three"])
    return out


#: Values out of range or of the wrong kind, checked by the commands themselves.
HAND_PICKED = {
    "simulate": [["simulate", "--start-level", "14"], ["simulate", "--persnoa", "angry-billing"]],
    "gauntlet": [["gauntlet", "--calls", "0"], ["gauntlet", "--break", "-1"]],
    "call": [["call", "--start-level", "-1"]],
    "score": [["score", "--judge", "oracle", "x"], ["score"]],
    "analyze": [["analyze"], ["analyze", "--pitch-tracker", "crepe", "x.wav"]],
    "personas show": [["personas", "show", "nobody"], ["personas", "show"]],
    "personas validate": [["personas", "validate", "missing.yaml"]],
    "personas list": [["personas", "list", "extra"]],
    "import": [["import", "missing.wav"], ["import", "x.wav", "--persona", "nobody"]],
    "serve": [["serve", "--port", "0"], ["serve", "--host", "0.0.0.0"]],
    "users add": [["users", "add", "x", "--role", "boss", "--password-stdin"]],
    "users list": [["users", "list", "extra"]],
    "worker": [["worker", "--capacity", "0"], ["worker", "--url", "ws://x", "--log-level", "loud"]],
    "note": [["note", "missing-session"], ["note", ".", "--file", "missing.txt"], ["note"]],
}

BAD_VALUES = [b for argv, cmd in LEAVES for b in _bad_values(argv, cmd)] + [
    b for cases in HAND_PICKED.values() for b in cases
]


def test_every_command_has_a_bad_value_case() -> None:
    covered = {" ".join(b[:2]) for b in BAD_VALUES} | {b[0] for b in BAD_VALUES}
    assert set(LEAF_IDS) <= covered


@pytest.mark.parametrize("argv", BAD_VALUES, ids=[" ".join(b) for b in BAD_VALUES])
def test_bad_value_is_one_line_exit_2(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing a command might write lands in the repository
    monkeypatch.setenv("VOICE_SIM_DATA", str(tmp_path))
    code = cli.main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.count("\n") == 0 and "Traceback" not in err, err
    assert err.startswith("voice-sim"), err


def test_help_lists_every_command_with_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.replace("│", " ").split())
    for entry in cli.COMMANDS:
        assert f"{entry.name} {entry.summary}" in out


@pytest.mark.parametrize("entry", cli.COMMANDS, ids=[e.name for e in cli.COMMANDS])
def test_registry_summary_is_the_commands_own_first_paragraph(entry: cli.CommandEntry) -> None:
    group = typer.main.get_command(cli.build_app([entry.name]))
    own = group.commands[entry.name].help  # type: ignore[attr-defined]
    assert " ".join(own.split("\n\n")[0].split()) == entry.summary


@pytest.mark.parametrize("argv", [[]] + [a for a, _ in LEAVES], ids=["voice-sim", *LEAF_IDS])
def test_help_shows_flags_without_a_value(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    assert "--help" in out
    assert "<bool>" not in out


@pytest.mark.parametrize(("argv", "cmd"), LEAVES, ids=LEAF_IDS)
def test_option_help_is_not_eaten_as_markup(argv: list[str], cmd: object) -> None:
    """``[analysis]`` in a help text must reach the screen (rich reads it as a style tag)."""
    for p in cmd.params:  # type: ignore[attr-defined]
        text = getattr(p, "help", None) or ""
        assert render(text).plain == text.replace("\\[", "["), (argv, p.name)


def test_importing_the_cli_loads_no_engine() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from voice_sim import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    codes = [cli.main(['--help']), cli.main(['personas', 'list']),\n"
        "             cli.main(['personas', 'show', 'angry-billing'])]\n"
        "for name in ('call', 'simulate', 'gauntlet', 'analyze', 'score'):\n"
        "    cli.build_app([name])\n"
        "print(json.dumps({'codes': codes, 'modules': sorted(sys.modules)}))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", "import json\n" + code],
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["codes"] == [0, 0, 0]
    loaded = {m.split(".")[0] for m in got["modules"]}
    assert loaded.isdisjoint(ENGINES), sorted(loaded & set(ENGINES))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import metadata

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"voice-sim {metadata.version('voice-sim')}"


def test_after_a_call_scoring_failure_is_one_line_and_keeps_the_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from voice_sim.commands import _call_common

    def not_the_cli(*args: object) -> int:
        raise AssertionError("scoring after a call must not re-enter the CLI")

    monkeypatch.setattr(cli, "main", not_the_cli)
    folder = tmp_path / "session"
    folder.mkdir()
    (folder / "recording.wav").write_bytes(b"RIFF not really")
    assert _call_common.analyze_and_score(folder) is False
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines[0].startswith(f"voice-sim: error: {folder / 'recording.wav'}")
    assert "Traceback" not in err and f"voice-sim score {folder}" in err
