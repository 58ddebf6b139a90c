"""``voice-sim personas``: list, show and validate persona files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer) -> None:
    """Add the ``personas`` sub-app (list, show, validate) to ``app``."""
    sub = typer.Typer(
        name="personas",
        help=(
            "The customers you can practise with.\n\n"
            "Each persona is a YAML file: who calls, what really went wrong, what the trainee must "
            "ask to find out, how angry they start, what makes them angrier or calmer, when they "
            "hang up or demand a supervisor. See docs/personas.md for the format."
        ),
        epilog=(
            "Examples:\n\n"
            "  voice-sim personas list\n\n"
            "  voice-sim personas show elderly-confused\n\n"
            "  voice-sim personas validate my-caller.yaml\n\n"
            "  voice-sim simulate --persona my-caller.yaml"
        ),
        no_args_is_help=True,
    )

    @sub.command("list")
    def list_cmd() -> None:
        """List the persona library: id, archetype, starting intensity and scenario."""
        from personas import list_personas

        table = Table(title="Persona library", show_lines=False)
        table.add_column("id", no_wrap=True)
        table.add_column("archetype", no_wrap=True)
        table.add_column("start", justify="right")
        table.add_column("ceiling", justify="right")
        table.add_column("scenario", overflow="fold")
        for p in list_personas():
            table.add_row(p.id, p.archetype, str(p.start_intensity), str(p.ceiling), p.scenario)
        Console().print(table)

    @sub.command("show")
    def show_cmd(
        persona: str = typer.Argument(..., help="Library id (e.g. angry-billing) or a YAML file."),
    ) -> None:
        """Show one persona: scenario, hidden facts, triggers, voice at low and high intensity."""
        from personas import get_persona, style_at

        p = get_persona(persona)
        con = Console()
        con.print(f"[bold]{p.display_name}[/bold] ({p.id}) - {p.archetype}")
        con.print(f"[bold]Scenario:[/bold] {p.scenario}")
        if p.summary:
            con.print(p.summary)
        con.print(f"[bold]Opening:[/bold] {p.opening_line}")
        con.print(
            f"[bold]Intensity:[/bold] starts {p.start_intensity}, floor {p.floor}, "
            f"ceiling {p.ceiling}"
        )
        f = p.facts
        con.print("[bold]Facts (hidden from the trainee):[/bold]")
        for k, v in f.account.items():
            con.print(f"  {k}: {v}")
        con.print(f"  what went wrong: {f.what_went_wrong}")
        con.print(f"  resolution: {f.resolution}")
        if f.constraints:
            con.print(f"  constraints: {f.constraints}")
        con.print("[bold]Must ask:[/bold]")
        for m in f.must_ask:
            con.print(f"  - {m.topic}")
        up = ", ".join(f"{k} +{v}" for k, v in p.escalates_on.items() if v)
        down = ", ".join(f"{k} -{v}" for k, v in p.de_escalates_on.items() if v)
        con.print(f"[bold]Escalates on:[/bold] {up}")
        con.print(f"[bold]De-escalates on:[/bold] {down}")
        hu = p.hang_up
        con.print(
            "[bold]Hangs up:[/bold] "
            + (
                f"after {hu.after_strikes} bad turn(s) at intensity {hu.at_level}+, "
                f"or {hu.max_silence_s:.0f} s of silence"
                if hu
                else "never"
            )
        )
        sup = p.supervisor
        con.print(
            "[bold]Supervisor demand:[/bold] "
            + (
                f"at intensity {sup.at_level}+ or after {sup.after_refusals} refusals"
                if sup
                else "never"
            )
        )
        if p.profanity:
            con.print(f"[bold]Profanity[/bold] (clean switch replaces): {', '.join(p.profanity)}")
        table = Table(title="Voice by intensity")
        for col in (
            "level",
            "length_scale",
            "volume",
            "pitch_st",
            "reply_gap_s",
            "cuts_in_after_s",
        ):
            table.add_column(col)
        for lvl in (0, 3, 6, 8, 10):
            s = style_at(p.voice, lvl)
            cut = "never" if s.talk_over_after_s is None else f"{s.talk_over_after_s:.1f}"
            table.add_row(
                str(lvl),
                f"{s.length_scale:.2f}",
                f"{s.volume:.2f}",
                f"{s.pitch_shift_st:+.1f}",
                f"{s.reply_gap_s:.2f}",
                cut,
            )
        con.print(table)

    @sub.command("validate")
    def validate_cmd(
        files: list[Path] = typer.Argument(  # noqa: B008
            None, help="Persona YAML files; none = the whole library."
        ),
    ) -> None:
        """Check persona files; a bad file prints file:line: field: problem and exits 2."""
        from personas import PersonaError, load_persona
        from personas.library import library_files
        from personas.scripted import line_bank_problems

        paths = list(files) if files else library_files()
        for path in paths:
            p = load_persona(path)
            problems = line_bank_problems(p)
            if problems:
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                raise PersonaError(f"{path}: lines: {problems[0]}{more}")
            typer.echo(f"ok  {path}  ({p.id}, {p.archetype})")

    app.add_typer(sub, name="personas")
