"""``voice-sim users``: accounts of the web app (admins, coaches, trainees)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..errors import VoiceSimError
from ._store_opts import DataOpt

HELP = (
    "Accounts for voice-sim serve: admins see everything, coaches see the teams they coach, "
    "trainees see their own calls.\n\n"
    "Examples:\n\n"
    "  echo 's3cret-pass' | voice-sim users add alex --role admin --password-stdin\n\n"
    "  voice-sim users add casey --role coach --team red --team blue --password-stdin < pw.txt\n\n"
    "  voice-sim users add sam --role trainee --team red --password-stdin < pw.txt\n\n"
    "  voice-sim users list"
)

users_app = typer.Typer(help=HELP, no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise VoiceSimError("--password-stdin: nothing on standard input")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise VoiceSimError("no password: pass --password-stdin and pipe it in")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise VoiceSimError("the two passwords differ")
    return first


@users_app.command(
    "add", help="Add an account, or change an existing one's role, password and teams."
)
def add_cmd(
    name: Annotated[
        str, typer.Argument(help="Login name (a trainee's is also their trainee name).")
    ],
    role: Annotated[str, typer.Option("--role", help="admin, coach or trainee.")],
    team: Annotated[
        list[str] | None,
        typer.Option("--team", help="A coach's team (repeat for several) or a trainee's team."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data: DataOpt = None,
) -> None:
    from ..store import ROLES, add_user
    from ..store.hook import open_store

    if role not in ROLES:
        raise VoiceSimError(f"--role: expected one of {', '.join(ROLES)}, got {role!r}")
    password = _read_password(password_stdin)
    db = open_store(data)
    try:
        with db.write() as s:
            user = add_user(s, name, role, password, list(team or []))
            teams = ", ".join(sorted(t.name for t in user.coached)) if role == "coach" else ""
    finally:
        db.close()
    where = f" (teams: {teams})" if teams else (f" (team: {team[0]})" if team else "")
    typer.echo(f"{role} {name} saved{where}")


@users_app.command("list", help="List the accounts and their teams.")
def list_cmd(data: DataOpt = None) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from ..store import Team, Trainee, User
    from ..store.hook import open_store

    db = open_store(data)
    try:
        with db.read() as s:
            # a trainee account's team is its trainee row's
            own_team = dict(
                s.execute(
                    select(Trainee.user_id, Team.name)
                    .join(Team, Team.id == Trainee.team_id)
                    .where(Trainee.user_id.is_not(None))
                ).all()
            )
            users = s.scalars(
                select(User).options(selectinload(User.coached)).order_by(User.role, User.name)
            )
            for u in users:
                if u.role == "coach":
                    teams = ", ".join(sorted(t.name for t in u.coached))
                else:
                    teams = own_team.get(u.id) or ""
                typer.echo(f"{u.name:<24} {u.role:<8} {teams}")
    finally:
        db.close()


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users", rich_help_panel="Web app")
