"""Suite-wide: every command a test runs stores sessions in a temporary data directory, never
in the user's own (``call``, ``simulate``, ``gauntlet`` and ``score`` register their sessions)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_data_dir() -> Iterator[None]:
    old = os.environ.get("VOICE_SIM_DATA")
    with tempfile.TemporaryDirectory(prefix="voice-sim-data-") as d:
        os.environ["VOICE_SIM_DATA"] = d
        yield
    if old is None:
        os.environ.pop("VOICE_SIM_DATA", None)
    else:
        os.environ["VOICE_SIM_DATA"] = old
