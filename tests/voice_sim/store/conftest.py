"""A real PostgreSQL server for the store tests: Debian's ``postgresql`` binaries, ``initdb`` and
``pg_ctl`` in a temporary folder on a free port, run as the ``postgres`` user (``initdb`` refuses
root), stopped at the end of the session. Skipped, saying why, where the binaries are missing."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

import pytest

from tests.support.server import free_port


def _pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    return found[-1] if found else None


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``postgresql://vsim@127.0.0.1:PORT/voicesim`` of a server started for this test run."""
    pg = _pg_bin()
    if pg is None:
        pytest.skip("PostgreSQL server binaries missing (apt-get install postgresql)")
    root = tempfile.mkdtemp(prefix="voice-sim-pg-")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    data = os.path.join(root, "data")
    run = lambda *a: subprocess.run(  # noqa: E731
        _as_postgres(list(a)), check=True, capture_output=True, text=True, timeout=120
    )
    try:
        run(f"{pg}/initdb", "-D", data, "-A", "trust", "-U", "vsim", "--no-sync")
        run(
            f"{pg}/pg_ctl",
            "-D",
            data,
            "-l",
            os.path.join(root, "log"),
            "-w",
            "start",
            "-o",
            f"-k {root} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off",
        )
        run(f"{pg}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "vsim", "voicesim")
        yield f"postgresql://vsim@127.0.0.1:{port}/voicesim"
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}") from None
    finally:
        subprocess.run(
            _as_postgres([f"{pg}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def fresh_pg(postgres_url: str) -> Iterator[str]:
    """A new empty database on the test server for one test."""
    import uuid

    import pg8000.native
    from sqlalchemy import make_url

    u = make_url(postgres_url)
    name = "t_" + uuid.uuid4().hex[:12]
    con = pg8000.native.Connection(u.username, host=u.host, port=u.port, database=u.database)
    con.run(f"CREATE DATABASE {name}")
    con.close()
    yield str(u.set(database=name).render_as_string(hide_password=False))
    con = pg8000.native.Connection(u.username, host=u.host, port=u.port, database=u.database)
    con.run(f"DROP DATABASE {name} WITH (FORCE)")
    con.close()
