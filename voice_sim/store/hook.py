"""The one call ``call``, ``simulate``, ``gauntlet`` and ``score`` make into the store when they
finish: register what they wrote.

Storing must never lose a call: a store problem prints one warning line and the command goes on
(the session folder is complete on disk, and ``voice-sim import FOLDER`` stores it later).
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import one_line

if TYPE_CHECKING:
    from .db import Database

#: Trainee name when none is given and the OS user cannot be found.
UNKNOWN_TRAINEE = "trainee"


def default_trainee(trainee: str | None, name: str | None = None) -> str:
    """``--trainee``, else ``--name`` when one was given, else the OS user."""
    for v in (trainee, name):
        if v and v.strip():
            return v.strip()
    try:
        return getpass.getuser() or UNKNOWN_TRAINEE
    except Exception:  # no user database entry (some containers)
        return UNKNOWN_TRAINEE


def open_store(data_dir: Path | None = None, config_path: Path | None = None) -> Database:
    """The store of ``data_dir`` (default: the data directory) with ``[store]`` settings."""
    from .. import config
    from .db import Database
    from .settings import StoreSettings

    path = config.find_config_file(config_path)
    doc = config.load_config_file(path)
    settings = config.resolve(StoreSettings, "store", config=doc, config_path=path)
    return Database.open(data_dir or config.data_dir(), settings)


def _warn(msg: str) -> None:
    print(f"voice-sim: warning: {msg}", file=sys.stderr)


def register_folders(
    folders: Sequence[Path],
    *,
    trainee: str,
    source: str,
    team: str | None = None,
    gauntlet: Path | None = None,
    recordings: Sequence[Path | None] | None = None,
    config_path: Path | None = None,
) -> list[int]:
    """Store finished session folders (a gauntlet's calls with ``gauntlet``); returns the
    session ids, or [] after printing a one-line warning when the store is unavailable."""
    from .errors import StoreError
    from .register import read_session, store_records

    try:
        db = open_store(config_path=config_path)
    except Exception as exc:
        _warn(f"sessions not stored: {one_line(exc)}")
        return []
    ids: list[int] = []
    try:
        recs = []
        for i, f in enumerate(folders):
            rec_path = recordings[i] if recordings else None
            try:
                recs.append(read_session(f, recording=rec_path))
            except StoreError as exc:
                _warn(f"not stored: {exc}")
        _, ids = store_records(
            db, recs, trainee=trainee, team=team, source=source, gauntlet=gauntlet if recs else None
        )
    except Exception as exc:
        _warn(f"sessions not stored: {one_line(exc)}")
    finally:
        db.close()
    return ids
