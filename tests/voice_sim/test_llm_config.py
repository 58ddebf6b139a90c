"""Which endpoint the brain uses: [llm] < VOICE_SIM_LLM_* < flags, then OPENAI_*, then the
default model; and every call says which brain and model it uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_sim.commands import _call_common
from voice_sim.errors import VoiceSimError
from voice_sim.llm_config import DEFAULT_MODEL, NO_KEY, resolve_endpoint

CFG = Path("voice-sim.toml")


def test_nothing_set_is_the_scripted_brain() -> None:
    assert resolve_endpoint({}, None, env={}) is None


def test_an_api_key_alone_sends_nothing_anywhere() -> None:
    assert resolve_endpoint({}, None, env={"OPENAI_API_KEY": "sk-x"}) is None


def test_openai_variables_fill_in_with_the_default_model() -> None:
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "sk-x"}
    ep = resolve_endpoint({}, None, env=env)
    assert ep is not None
    assert (ep.base_url, ep.model, ep.api_key) == ("http://127.0.0.1:9/v1", DEFAULT_MODEL, "sk-x")
    assert ep.describe() == (
        f"{DEFAULT_MODEL} at http://127.0.0.1:9/v1 (URL from $OPENAI_BASE_URL; model from default)"
    )


def test_voice_sim_settings_win_over_openai_variables() -> None:
    doc = {"llm": {"base_url": "http://file/v1", "model": "qwen"}}
    env = {
        "OPENAI_BASE_URL": "http://openai/v1",
        "OPENAI_API_KEY": "sk-openai",
        "VOICE_SIM_LLM_MODEL": "llama3.2",
    }
    ep = resolve_endpoint(doc, CFG, env=env)
    assert ep is not None
    assert (ep.base_url, ep.model, ep.api_key) == ("http://file/v1", "llama3.2", "sk-openai")
    assert ep.url_from == "[llm] base_url in voice-sim.toml"
    assert ep.model_from == "$VOICE_SIM_LLM_MODEL"
    env["VOICE_SIM_LLM_API_KEY"] = "mine"
    assert resolve_endpoint(doc, CFG, env=env).api_key == "mine"  # type: ignore[union-attr]


def test_no_key_anywhere_sends_a_placeholder() -> None:
    ep = resolve_endpoint({"llm": {"base_url": "http://x/v1"}}, CFG, env={})
    assert ep is not None and ep.api_key == NO_KEY and ep.model == DEFAULT_MODEL


def test_a_model_without_any_url_is_an_error() -> None:
    with pytest.raises(VoiceSimError, match=r"voice-sim.toml: \[llm\] model 'qwen' is set but no"):
        resolve_endpoint({"llm": {"model": "qwen"}}, CFG, env={})


def test_every_call_says_which_brain_and_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("VOICE_SIM_LLM_BASE_URL", "VOICE_SIM_LLM_MODEL", "VOICE_SIM_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    _call_common.announce_brain(_call_common.load_settings(None, {}, {}))
    assert "brain: offline scripted customer" in capsys.readouterr().err
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    res = _call_common.load_settings(None, {}, {})
    assert res.llm is not None and res.llm.model == DEFAULT_MODEL
    _call_common.announce_brain(res)
    err = " ".join(capsys.readouterr().err.split())
    assert f"brain: LLM {DEFAULT_MODEL} at http://127.0.0.1:9/v1" in err
