"""deploy/: the docker-compose file names real services, commands and settings.

No container runtime runs here; what a deployment test would add is in the README (Browser call
and deployment). These checks catch the drift that breaks a compose file silently: a renamed
command, flag or setting, a path the Dockerfile copies that no longer exists.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import yaml

from voice_sim import cli

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_runs_livekit_postgres_the_web_app_and_workers() -> None:
    services = _compose()["services"]
    assert {"livekit", "postgres", "web", "worker"} <= set(services)
    assert services["worker"]["deploy"]["replicas"] == "${WORKERS:-2}"
    commands = {e.name for e in cli.COMMANDS}
    for name in ("web", "worker"):
        cmd = services[name]["command"]
        assert cmd[0] == "voice-sim" and cmd[1] in commands, cmd


def test_every_voice_sim_variable_in_compose_is_a_real_setting() -> None:
    from voice_sim.store import StoreSettings, WebSettings
    from voice_sim.web import security
    from voice_sim.web.practice import PracticeSettings

    known = {security.SECRET_ENV}
    for prefix, cls in (
        ("STORE", StoreSettings),
        ("WEB", WebSettings),
        ("PRACTICE", PracticeSettings),
    ):
        known |= {f"VOICE_SIM_{prefix}_{f.name.upper()}" for f in dataclasses.fields(cls)}
    used = set()
    for svc in _compose()["services"].values():
        used |= {k for k in (svc.get("environment") or {}) if k.startswith("VOICE_SIM_")}
    assert used and used <= known, used - known


def _env_example() -> dict[str, str]:
    lines = (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines()
    return dict(ln.split("=", 1) for ln in lines if ln.strip() and not ln.startswith("#"))


def test_env_example_names_every_variable_compose_reads() -> None:
    used = set(re.findall(r"\$\{([A-Z_]+)", (DEPLOY / "docker-compose.yml").read_text()))
    assert used and used <= set(_env_example()), used - set(_env_example())


def test_env_example_has_no_web_secret_key_the_app_would_refuse() -> None:
    from voice_sim.web import security

    key = _env_example()["WEB_SECRET_KEY"]
    # empty: compose refuses to start until it is set (":?"); else it must be long enough
    assert key == "" or len(key) >= security.MIN_ENV_SECRET_CHARS, key
    assert "${WEB_SECRET_KEY:?" in (DEPLOY / "docker-compose.yml").read_text()


def test_the_web_app_gets_every_deployment_setting() -> None:
    web = _compose()["services"]["web"]["environment"]
    for name in ("SECRET_KEY", "SECURE_COOKIES", "TRUSTED_PROXIES"):
        assert f"VOICE_SIM_WEB_{name}" in web, name


def test_worker_and_serve_accept_the_flags_compose_gives_them() -> None:
    import typer

    for name in ("serve", "worker"):
        group = typer.main.get_command(cli.build_app([name]))
        opts = {o for p in group.commands[name].params for o in p.opts}  # type: ignore[attr-defined]
        cmd = _compose()["services"]["web" if name == "serve" else "worker"]["command"]
        flags = {a for a in cmd if a.startswith("--")}
        assert flags <= opts, flags - opts


def test_the_dockerfile_copies_paths_that_exist() -> None:
    for line in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY "):
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), src
