"""Settings layering: defaults < config file < environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_sim import config
from voice_sim.errors import VoiceSimError
from voice_sim.settings import END_OF_TURN_S, CallSettings


def test_layers_in_order(tmp_path: Path) -> None:
    doc = {"call": {"end_of_turn_s": 0.4, "vad_activation": 0.6, "phone_line": True}}
    env = {"VOICE_SIM_CALL_VAD_ACTIVATION": "0.7", "VOICE_SIM_CALL_SEED": "5"}
    s = config.resolve(
        CallSettings, "call", config=doc, env=env, flags={"seed": 9, "phone_line": None}
    )
    assert s.end_of_turn_s == 0.4  # file
    assert s.vad_activation == 0.7  # env beats file
    assert s.seed == 9  # flag beats env
    assert s.phone_line is True  # a flag left unset (None) does not override
    assert config.resolve(CallSettings, "call", env={}).end_of_turn_s == END_OF_TURN_S


def test_errors_name_the_source(tmp_path: Path) -> None:
    p = tmp_path / "voice-sim.toml"
    with pytest.raises(VoiceSimError, match=r"voice-sim.toml: \[call\] unknown setting 'nope'"):
        config.resolve(CallSettings, "call", config={"call": {"nope": 1}}, config_path=p, env={})
    with pytest.raises(VoiceSimError, match=r"\$VOICE_SIM_CALL_SEED: expected int"):
        config.resolve(CallSettings, "call", env={"VOICE_SIM_CALL_SEED": "many"})
    p.write_text("[call\nx=1")
    with pytest.raises(VoiceSimError, match=r"voice-sim\.toml: invalid TOML"):
        config.load_config_file(p)
    with pytest.raises(VoiceSimError, match="config file not found"):
        config.find_config_file(tmp_path / "missing.toml")


def test_optional_path_field(tmp_path: Path) -> None:
    s = config.resolve(CallSettings, "call", env={"VOICE_SIM_CALL_STT_MODEL": str(tmp_path)})
    assert s.stt_model == tmp_path
