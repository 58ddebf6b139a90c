"""Which OpenAI-compatible endpoint the customer's brain (and ``score --judge llm``) talk to.

Each setting resolves ``[llm]`` in the config file < ``VOICE_SIM_LLM_*`` < flags, then falls back
to the openai SDK's own variables for what is still unset: ``OPENAI_BASE_URL`` and
``OPENAI_API_KEY``. The model falls back to :data:`DEFAULT_MODEL`. With no base URL anywhere the
offline scripted brain serves: an ``OPENAI_API_KEY`` alone never sends a call to a cloud service.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import config
from .errors import VoiceSimError

#: The model asked for when an endpoint is configured without one (OpenAI's small chat model;
#: for Ollama, vLLM or llama.cpp set ``[llm] model`` or ``VOICE_SIM_LLM_MODEL``).
DEFAULT_MODEL = "gpt-4o-mini"
#: The openai SDK's own variables, used when the voice-sim ones are unset.
OPENAI_BASE_URL_ENV = "OPENAI_BASE_URL"
OPENAI_API_KEY_ENV = "OPENAI_API_KEY"
#: Sent when no key is set anywhere (local servers ignore the key, the SDK insists on one).
NO_KEY = "not-needed"


@dataclass(frozen=True)
class LLMSettings:
    """``[llm]`` in the config file, ``VOICE_SIM_LLM_*`` in the environment."""

    base_url: str | None = None
    """OpenAI-compatible base URL with /v1 (OpenAI, Ollama, vLLM, llama.cpp server)."""
    model: str | None = None
    """Model name (default :data:`DEFAULT_MODEL`)."""
    api_key: str | None = None
    """API key (``OPENAI_API_KEY`` when unset; local servers ignore it)."""
    timeout_s: float = 8.0
    """Per-request timeout, seconds; on timeout the customer falls back to a scripted line."""


@dataclass(frozen=True)
class Endpoint:
    """A resolved endpoint, and where its URL and model came from (for the user to see)."""

    base_url: str
    model: str
    api_key: str
    timeout_s: float
    url_from: str
    """``[llm] base_url in <file>``, ``$VOICE_SIM_LLM_BASE_URL`` or ``$OPENAI_BASE_URL``."""
    model_from: str
    """Likewise for the model, or ``default`` for :data:`DEFAULT_MODEL`."""

    def describe(self) -> str:
        """One line: which model at which URL, and where each came from."""
        where = f"URL from {self.url_from}; model from {self.model_from}"
        return f"{self.model} at {self.base_url} ({where})"


def _origin(key: str, doc: Mapping[str, Any], path: Path | None, env: Mapping[str, str]) -> str:
    var = f"{config.ENV_PREFIX}LLM_{key.upper()}"
    if var in env:
        return f"${var}"
    return f"[llm] {key} in {path or 'the config file'}"


def resolve_endpoint(
    doc: Mapping[str, Any],
    path: Path | None,
    *,
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Endpoint | None:
    """The endpoint in force, or None for the offline scripted brain.

    Parameters
    ----------
    doc, path : the parsed config file and its path (for messages).
    flags : ``LLMSettings`` fields given on the command line (None = not given).
    env : the environment (``os.environ`` by default).

    Raises
    ------
    VoiceSimError
        A model is set but no base URL is, anywhere.
    """
    env = os.environ if env is None else env
    s = config.resolve(LLMSettings, "llm", config=doc, config_path=path, env=env, flags=flags)
    flags = flags or {}
    base_url, url_from = s.base_url, "--base-url" if flags.get("base_url") else ""
    if base_url and not url_from:
        url_from = _origin("base_url", doc, path, env)
    if not base_url and env.get(OPENAI_BASE_URL_ENV):
        base_url, url_from = env[OPENAI_BASE_URL_ENV], f"${OPENAI_BASE_URL_ENV}"
    if not base_url:
        if s.model:
            raise VoiceSimError(
                f"{path or 'settings'}: [llm] model {s.model!r} is set but no base_url "
                f"(set [llm] base_url, $VOICE_SIM_LLM_BASE_URL or ${OPENAI_BASE_URL_ENV}, "
                "or no model for the offline scripted customer)"
            )
        return None
    model_from = "default" if not s.model else _origin("model", doc, path, env)
    return Endpoint(
        base_url=base_url,
        model=s.model or DEFAULT_MODEL,
        api_key=s.api_key or env.get(OPENAI_API_KEY_ENV) or NO_KEY,
        timeout_s=s.timeout_s,
        url_from=url_from,
        model_from=model_from,
    )
