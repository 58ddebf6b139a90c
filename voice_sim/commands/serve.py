"""``voice-sim serve``: the coach and team web app."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from ..errors import VoiceSimError
from ._store_opts import DataOpt

HELP = (
    "Serve the coach and team web app: every stored call with its recording, transcript, "
    "scorecard, comments and score overrides; trainee progress; team gauntlet results; "
    "uploads; and a JSON API (docs/api.md).\n\n"
    "Add accounts first with voice-sim users add. On a host other than localhost the server "
    "refuses to start while no account exists. Put it behind HTTPS (and set "
    "VOICE_SIM_WEB_SECURE_COOKIES=1) when it is reachable from other machines.\n\n"
    "Examples:\n\n"
    "  voice-sim serve                                   (http://127.0.0.1:8000)\n\n"
    "  voice-sim serve --host 0.0.0.0 --port 8080 --data /srv/voice-sim"
)


def is_local(host: str) -> bool:
    """Whether ``host`` only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    @app.command("serve", help=HELP)
    def serve_cmd(
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
        data: DataOpt = None,
        config: Annotated[Path | None, typer.Option("--config", help="Config file (TOML).")] = None,
    ) -> None:
        import uvicorn

        from .. import config as cfg
        from ..store import StoreSettings, WebSettings, count_users
        from ..store.db import Database
        from ..transport.wire import WS_PROTOCOL_MAX_BYTES
        from ..web import create_app

        path = cfg.find_config_file(config)
        doc = cfg.load_config_file(path)
        store_settings = cfg.resolve(StoreSettings, "store", config=doc, config_path=path)
        web_settings = cfg.resolve(WebSettings, "web", config=doc, config_path=path)
        data_dir = data or cfg.data_dir()
        db = Database.open(data_dir, store_settings)
        with db.read() as s:
            n = count_users(s)
        if n == 0 and not is_local(host):
            db.close()
            raise VoiceSimError(
                f"--host {host}: no accounts exist yet, so anyone who reaches this address "
                "could not log in and the store would be unprotected; add one first: "
                "voice-sim users add NAME --role admin --password-stdin"
            )
        if n == 0:
            typer.echo(
                "voice-sim: no accounts yet; add one with "
                "`voice-sim users add NAME --role admin --password-stdin`",
                err=True,
            )
        app = create_app(data_dir, db=db, web_settings=web_settings)
        shown = f"[{host}]" if ":" in host else host
        typer.echo(
            f"voice-sim: serving {data_dir} on http://{shown}:{port}/  (Ctrl-C stops)", err=True
        )
        proxies = web_settings.trusted_proxies.strip()
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning",
            # X-Forwarded-* only from the proxies named: from anyone else they are lies
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
            # the practice call socket: bounded messages, no deflate on PCM
            ws_max_size=WS_PROTOCOL_MAX_BYTES,
            ws_per_message_deflate=False,
        )
