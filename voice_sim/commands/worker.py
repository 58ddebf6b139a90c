"""``voice-sim worker``: a LiveKit agents worker that takes practice calls from LiveKit rooms."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ..errors import VoiceSimError
from ._store_opts import DataOpt

HELP = (
    "Take practice calls from LiveKit rooms: run this on every machine of a team's call farm.\n\n"
    "The worker registers with livekit-server (LIVEKIT_URL, LIVEKIT_API_KEY, "
    "LIVEKIT_API_SECRET, or the flags), loads Whisper, Piper and Silero once per job process, "
    "and reports how many of its call slots are busy, so livekit-server sends each new room to "
    "a worker with room to spare. A room dispatched to the agent named voice-sim gets one "
    "call (or a gauntlet) whose persona, trainee, team and gauntlet come from the job's "
    'metadata, e.g. {"persona": "angry-billing", "trainee": "sam", "team": "red"}. '
    "Browsers join with the web app's practice page; phone callers through a LiveKit SIP trunk "
    "(docs/deploy.md), with the phone-line effect off since the line is real.\n\n"
    "Each call's session folder goes under --data (shared with voice-sim serve) and its "
    "scores to the store (\\[store] database_url: PostgreSQL for a team).\n\n"
    "Examples:\n\n"
    "  LIVEKIT_URL=ws://livekit:7880 LIVEKIT_API_KEY=key LIVEKIT_API_SECRET=secret "
    "voice-sim worker --data /srv/voice-sim\n\n"
    "  voice-sim worker --capacity 3 --url wss://lk.example.org"
)


def register(app: typer.Typer) -> None:
    @app.command("worker", help=HELP)
    def worker_cmd(
        url: Annotated[
            str | None, typer.Option("--url", help="livekit-server URL (default: $LIVEKIT_URL).")
        ] = None,
        api_key: Annotated[
            str | None, typer.Option(help="API key (default: $LIVEKIT_API_KEY).")
        ] = None,
        api_secret: Annotated[
            str | None, typer.Option(help="API secret (default: $LIVEKIT_API_SECRET).")
        ] = None,
        capacity: Annotated[
            int,
            typer.Option(
                min=1, max=64, help="Calls this worker runs at once (2 holds on 2 cores)."
            ),
        ] = 2,
        data: DataOpt = None,
        log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
    ) -> None:
        url = url or os.environ.get("LIVEKIT_URL")
        api_key = api_key or os.environ.get("LIVEKIT_API_KEY")
        api_secret = api_secret or os.environ.get("LIVEKIT_API_SECRET")
        missing = [
            name
            for name, v in (
                ("LIVEKIT_URL (--url)", url),
                ("LIVEKIT_API_KEY (--api-key)", api_key),
                ("LIVEKIT_API_SECRET (--api-secret)", api_secret),
            )
            if not v
        ]
        if missing:
            raise VoiceSimError(f"worker: {', '.join(missing)} not set")
        if log_level.lower() not in ("debug", "info", "warning", "error"):
            raise VoiceSimError(
                f"--log-level: expected debug, info, warning or error, got {log_level!r}"
            )
        if data is not None:
            # job processes read the data directory from the environment, like every command
            os.environ["VOICE_SIM_DATA"] = str(data)
        from livekit.agents.cli import proto
        from livekit.agents.cli.cli import _run_worker

        from ..worker import make_server

        server = make_server(capacity)
        typer.echo(f"voice-sim: worker for {url} ({capacity} call slots); Ctrl-C stops", err=True)
        _run_worker(
            server,
            proto.CliArgs(
                log_level=log_level.upper(), url=url, api_key=api_key, api_secret=api_secret
            ),
        )
