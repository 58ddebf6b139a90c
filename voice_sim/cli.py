"""``voice-sim``: the command line.

Each sub-command lives in its own module with a ``register(app)`` function. :data:`COMMANDS` names
them with a one-line summary, and only the module of the command being run is imported: ``voice-sim
--help`` lists every command from the registry alone, and no command pays for another's engines
(livekit, Whisper, a web server...). A new command is one :class:`CommandEntry` here.

Errors print as one line on stderr and exit 2: a package's error (``voice-sim: error: <file>:
<problem>``) and a mistyped command, option or value alike (``voice-sim score: error: No such
option: --bogus. See 'voice-sim score --help'.``).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import typer

PROG = "voice-sim"
#: Exit code of a usage or input error.
EXIT_USAGE = 2
#: Exit code of a bug (an exception no package raised on purpose).
EXIT_INTERNAL = 1
#: Exit code after Ctrl-C.
EXIT_INTERRUPTED = 130
#: Set to 1 to see the traceback of an internal error.
DEBUG_ENV = "VOICE_SIM_DEBUG"


@dataclass(frozen=True)
class CommandEntry:
    """One sub-command, registered without importing its module."""

    name: str
    """The command's name on the command line."""
    module: str
    """Module holding ``register(app: typer.Typer) -> None``, imported only to run the command."""
    summary: str
    """The one line ``voice-sim --help`` shows: the first paragraph of the command's own help."""
    panel: str | None = None
    """Help panel it is listed under (None: "Commands")."""


#: Every sub-command, in the order ``--help`` lists them.
COMMANDS: tuple[CommandEntry, ...] = (
    CommandEntry(
        "call",
        "voice_sim.commands.call",
        "Take a live call from an AI customer, from your microphone (use headphones).",
        "Calls",
    ),
    CommandEntry(
        "simulate",
        "voice_sim.commands.simulate",
        "Run a simulated call: the same session and engines as a live call, with the trainee's "
        "audio from a file.",
        "Calls",
    ),
    CommandEntry(
        "gauntlet",
        "voice_sim.commands.gauntlet",
        "Back-to-back calls that get harder, like a queue at 4 p.m.",
        "Calls",
    ),
    CommandEntry(
        "analyze",
        "voice_sim.commands.analyze",
        "Measure a call: who spoke when, interruptions, backchannels, response gaps, dead air, "
        "pace (wpm), pitch and loudness, and how they drift.",
        "Review",
    ),
    CommandEntry(
        "score",
        "voice_sim.commands.score",
        "Score a de-escalation call: every point won or lost points at the moment that earned it.",
        "Review",
    ),
    CommandEntry(
        "note",
        "voice_sim.commands.note",
        "Write the case note for a call: what the next agent needs, stored as case_note.md in "
        "the session folder and scored (reference, what went wrong, what you promised with who "
        "and by when, where the customer stands).",
        "Review",
    ),
    CommandEntry(
        "personas",
        "voice_sim.commands.personas",
        "The customers you can practise with.",
        "Customers",
    ),
    CommandEntry(
        "import",
        "voice_sim.commands.import_",
        "Import existing recordings into the session store: a contact center's stereo calls "
        "(channel 0 the agent, channel 1 the customer), session folders, gauntlet folders, "
        "folders of recordings, or globs.",
        "Web app",
    ),
    CommandEntry(
        "serve",
        "voice_sim.commands.serve",
        "Serve the coach and team web app: every stored call with its recording, transcript, "
        "scorecard, comments and score overrides; trainee progress; team gauntlet results; "
        "uploads; and a JSON API (docs/api.md).",
        "Web app",
    ),
    CommandEntry(
        "worker",
        "voice_sim.commands.worker",
        "Take practice calls from LiveKit rooms: run this on every machine of a team's call farm.",
        "Web app",
    ),
    CommandEntry(
        "users",
        "voice_sim.commands.users",
        "Accounts for voice-sim serve: admins see everything, coaches see the teams they coach, "
        "trainees see their own calls.",
        "Web app",
    ),
)

#: Package errors: a problem the user can fix, printed as one line. (module, class name); the
#: module is looked up only if it was imported, since an error can come only from a loaded one.
PACKAGE_ERRORS = (
    ("voice_sim.errors", "VoiceSimError"),
    ("audio_analysis.errors", "AnalysisError"),
    ("scoring.errors", "ScoringError"),
    ("personas.errors", "PersonaError"),
)

HELP = (
    "Voice role-play phone simulator for de-escalation training.\n\n"
    "An AI customer (angry, abusive, confused...) calls you; their mood follows what you say "
    "and how you say it. Every call is recorded, analysed (interruptions, pace, pauses, "
    "response latency, tone drift) and scored with evidence.\n\n"
    "Start with:  voice-sim simulate   (no microphone needed)  or  voice-sim call --persona ID"
)


def _new_app() -> typer.Typer:
    app = typer.Typer(
        name=PROG,
        help=HELP,
        no_args_is_help=True,
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    def show_version(value: bool) -> None:
        if value:
            from . import __version__

            typer.echo(f"{PROG} {__version__}")
            raise typer.Exit()

    @app.callback()
    def root(
        version: bool = typer.Option(
            False, "--version", help="Show the version and exit.", callback=show_version
        ),
    ) -> None:
        """Voice role-play phone simulator for de-escalation training."""

    return app


def _add_listing(app: typer.Typer, entry: CommandEntry) -> None:
    """A stand-in that only lists ``entry`` in ``--help`` (it is never run: see build_app)."""

    def listed() -> None:  # pragma: no cover - never invoked
        raise AssertionError(f"{entry.name} was not loaded")

    app.command(entry.name, help=entry.summary, rich_help_panel=entry.panel, add_help_option=False)(
        listed
    )


def command_token(argv: Sequence[str]) -> str | None:
    """The sub-command named on the command line (the first word that is not an option)."""
    # the root has no option that takes a value, so the first plain word is the command
    return next((a for a in argv if not a.startswith("-")), None)


def build_app(argv: Sequence[str] = ()) -> typer.Typer:
    """The Typer app for this command line: the named command loaded, the others listed only."""
    app = _new_app()
    wanted = command_token(argv)
    for entry in COMMANDS:
        if entry.name == wanted:
            __import__(entry.module, fromlist=["register"]).register(app)
            infos: list[Any] = [*app.registered_commands, *app.registered_groups]
            for info in infos:
                if info.name == entry.name:
                    info.rich_help_panel = entry.panel  # one place says where it is listed
        else:
            _add_listing(app, entry)
    return app


def _flags_take_no_value() -> None:
    """Typer 0.29 shows every flag (``--help``, ``--quiet``) as taking a ``<bool>``: it takes none.

    Its rich help prints ``TyperOption.display_type_rich`` in the type column; for a flag that
    column stays empty, as in Click.
    """
    from typer.core import TyperOption

    if getattr(TyperOption.display_type_rich, "_voice_sim", False):
        return
    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    display_type_rich._voice_sim = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


def _is_package_error(exc: BaseException) -> bool:
    for module, name in PACKAGE_ERRORS:
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type) and isinstance(exc, cls):
            return True
    return False


def error_line(exc: BaseException) -> str | None:
    """The one line a user sees for an error they can fix; None for a bug."""
    if _is_package_error(exc):
        return f"{PROG}: error: {exc}"
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{PROG}: error: {exc.filename}: {exc.strerror or exc}"
    return None


def _usage_line(exc: typer.TyperException) -> str:
    """A Click usage error as one line: who said it, what is wrong, where to look."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else PROG
    message = " ".join(exc.format_message().split())
    if not message.endswith((".", "?", "!")):
        message += "."
    hint = f" See '{where} --help'." if ctx is not None else ""
    return f"{where}: error: {message}{hint}"


def run(app: typer.Typer, argv: Sequence[str]) -> int:
    """Run ``app`` on ``argv``; every error becomes one line on stderr and an exit code."""
    try:
        # standalone_mode=False: Click returns the code of ctx.exit()/typer.Exit instead of
        # calling sys.exit, and raises usage errors for us to print
        code = app(args=list(argv), prog_name=PROG, standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        print(f"{PROG}: aborted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except typer.TyperException as exc:  # Click's usage errors (typer ships its own Click)
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]  # a bare group: its help
            return EXIT_USAGE
        print(_usage_line(exc), file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        line = error_line(exc)
        if line is not None:
            print(line, file=sys.stderr)
            return EXIT_USAGE
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} "
            f"(a bug; {DEBUG_ENV}=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return code if isinstance(code, int) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``voice-sim`` script; returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = list(sys.argv[1:] if argv is None else argv)
    _flags_take_no_value()
    return run(build_app(args), args)


if __name__ == "__main__":
    sys.exit(main())
