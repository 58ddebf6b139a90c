"""``voice-sim note``: the case note (after-call work) for a session, and the after-call prompt."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer

from ..errors import VoiceSimError

HELP = (
    "Write the case note for a call: what the next agent needs, stored as case_note.md in the "
    "session folder and scored (reference, what went wrong, what you promised with who and by "
    "when, where the customer stands).\n\n"
    "The note comes from --file, or from standard input (type it, then Ctrl-D). A note already "
    "there is replaced. With --score (the default) the session is scored again so the report "
    "shows the note and its item.\n\n"
    "Examples:\n\n"
    "  voice-sim note out/2026-01-01-angry-billing\n\n"
    "  voice-sim note out/2026-01-01-angry-billing --file note.txt\n\n"
    "  echo 'Refund issued for the duplicate charge...' | voice-sim note SESSION"
)

#: What the after-call prompt says, before the trainee types.
PROMPT = (
    "Case note for the next agent (reference, what went wrong, what you promised and by when, "
    "where the customer stands). Finish with an empty line; an empty note skips it."
)


def read_note_lines(stream: TextIO, *, stop_at_blank: bool) -> str:
    """Lines from ``stream`` until end of input (or, with ``stop_at_blank``, an empty line)."""
    lines: list[str] = []
    for line in stream:
        if stop_at_blank and not line.strip():
            break
        lines.append(line.rstrip("\n"))
    return "\n".join(lines).strip()


def ask_case_note(folder: Path, *, stream: TextIO | None = None, echo: bool = True) -> bool:
    """After a live call: ask for the case note in the terminal (multi-line, skippable).

    Returns whether a note was written. Nothing is asked when standard input is not a terminal
    (a script, a pipe), so unattended runs never wait.
    """
    import scoring

    stream = stream if stream is not None else sys.stdin
    if stream is sys.stdin and not sys.stdin.isatty():
        return False
    if echo:
        typer.echo(PROMPT)
    try:
        text = read_note_lines(stream, stop_at_blank=True)
    except (KeyboardInterrupt, EOFError):
        return False
    if not text:
        if echo:
            typer.echo("no case note (voice-sim note SESSION adds one later)")
        return False
    path = scoring.write_case_note(folder, text)
    if echo:
        typer.echo(f"wrote {path}")
    return True


def register(app: typer.Typer) -> None:
    @app.command("note", help=HELP)
    def note_cmd(
        session: Annotated[
            Path | None, typer.Argument(help="The session folder of the call.")
        ] = None,
        file: Annotated[
            Path | None,
            typer.Option("--file", "-f", help="Read the note from this text file."),
        ] = None,
        score: Annotated[
            bool, typer.Option("--score/--no-score", help="Score the session again.")
        ] = True,
    ) -> None:
        import scoring

        if session is None:
            raise VoiceSimError("no SESSION given (the session folder of the call)")
        if not session.is_dir():
            raise VoiceSimError(f"{session}: no such session folder")
        if file is not None:
            try:
                text = file.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise VoiceSimError(f"{file}: no such file") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise VoiceSimError(f"{file}: cannot read the note: {exc}") from None
        else:
            if sys.stdin.isatty():
                typer.echo("Type the case note, then Ctrl-D:")
            text = read_note_lines(sys.stdin, stop_at_blank=False)
        path = scoring.write_case_note(session, text)
        typer.echo(f"wrote {path}")
        if score and (session / "analysis.json").is_file():
            card = scoring.score_folder(session)
            it = card.item("case_note") if any(i.id == "case_note" for i in card.items) else None
            if it is not None and it.applicable:
                typer.echo(f"case note: {it.score:.1f}/{it.max:g}")
                for e in it.evidence:
                    mark = {"won": "+", "lost": "-"}.get(e.effect, " ")
                    typer.echo(f"  {mark} {e.figure or ''}")
            typer.echo(f"{session.name}: {card.overall:.0f}/100; wrote {session / 'report.html'}")
