"""``voice-sim``: the command line. Each sub-command lives in ``voice_sim/commands/<name>.py``.

Errors from any package print as one line (``voice-sim: error: <file>: <problem>``) and exit 2.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys

import typer

from .errors import VoiceSimError

#: Sub-command modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "call",
    "simulate",
    "gauntlet",
    "analyze",
    "score",
    "personas",
    "import_",
    "serve",
    "users",
)

app = typer.Typer(
    name="voice-sim",
    help=(
        "Voice role-play phone simulator for de-escalation training.\n\n"
        "An AI customer (angry, abusive, confused...) calls you; their mood follows what you say "
        "and how you say it. Every call is recorded, analysed (interruptions, pace, pauses, "
        "response latency, tone drift) and scored with evidence.\n\n"
        "Start with:  voice-sim simulate   (no microphone needed)  or  voice-sim call --persona ID"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _package_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [VoiceSimError]
    for mod, name in (
        ("audio_analysis", "AnalysisError"),
        ("scoring", "ScoringError"),
        ("personas", "PersonaError"),
    ):
        with contextlib.suppress(ImportError, AttributeError):
            errors.append(getattr(importlib.import_module(mod), name))
    return tuple(errors)


def _register() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"voice_sim.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"voice_sim.commands.{name}":
                continue
            raise
        module.register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``voice-sim`` script; returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    errors = _package_errors()
    try:
        # standalone_mode=False makes Click return the code of ctx.exit()/typer.Exit, not raise
        code = app(args=argv, standalone_mode=False)
    except errors as exc:
        print(f"voice-sim: error: {exc}", file=sys.stderr)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        print("voice-sim: aborted", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("voice-sim: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
