"""Suite-wide: every command a test runs stores sessions in a temporary data directory, never
in the user's own (``call``, ``simulate``, ``gauntlet`` and ``score`` register their sessions);
and no test reaches a real LLM endpoint through the user's environment."""

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


@pytest.fixture(autouse=True)
def _no_cloud_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The openai SDK's variables would point the brain at a real endpoint (voice_sim.llm_config);
    tests that want an LLM start their own server on 127.0.0.1 and say so."""
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
