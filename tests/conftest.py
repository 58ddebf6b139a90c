"""Suite-wide: hermetic from the user's environment."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_cloud_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The openai SDK's variables would point the brain at a real endpoint (voice_sim.llm_config);
    tests that want an LLM start their own server on 127.0.0.1 and say so."""
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
