"""Files written so that no reader ever sees half of one: a unique temp file beside the target,
then a rename. Shared by every package that writes results (``voice_sim``, ``scoring``)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: Indent of every JSON file the project writes (readable in a text editor, diffable).
JSON_INDENT = 2


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ending in a newline) to ``path`` through a temp file and rename.

    The temp file has a unique name in the same folder, so two writers never share it and a
    crash leaves at most a hidden ``.<name>.*.tmp`` file, never a half-written ``path``.
    Missing parent folders are created. Returns ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(path: str | Path, data: Mapping[str, Any] | list[Any]) -> Path:
    """Write ``data`` as JSON to ``path`` atomically (see :func:`write_text_atomic`).

    NaN and infinity are refused (they are not JSON): results store ``null`` for unknown values.
    Raises ``ValueError`` for them, ``TypeError`` for a value JSON cannot hold, and ``OSError``
    when the folder cannot be written; in every case ``path`` is left as it was.
    """
    text = json.dumps(data, indent=JSON_INDENT, ensure_ascii=False, allow_nan=False)
    return write_text_atomic(path, text)
