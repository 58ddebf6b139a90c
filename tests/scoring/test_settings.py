"""ScoringSettings: validation, and layering through voice_sim.config.resolve."""

from __future__ import annotations

import pytest

from scoring import ScoringSettings
from voice_sim.config import resolve
from voice_sim.errors import VoiceSimError


def test_defaults_are_valid() -> None:
    s = ScoringSettings()
    assert s.judge == "rules" and s.calm_wpm_low < s.calm_wpm_high


@pytest.mark.parametrize(
    "kw", [{"judge": "vibes"}, {"calm_wpm_low": 200.0}, {"session_patience_share": 1.5}]
)
def test_bad_values_are_refused(kw: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ScoringSettings(**kw)  # type: ignore[arg-type]


def test_config_env_and_flags_layer() -> None:
    s = resolve(
        ScoringSettings,
        "scoring",
        config={"scoring": {"calm_wpm_high": 170, "llm_model": "m1"}},
        env={"VOICE_SIM_SCORING_LLM_MODEL": "m2"},
        flags={"judge": "llm"},
    )
    assert (s.calm_wpm_high, s.llm_model, s.judge) == (170.0, "m2", "llm")
    with pytest.raises(VoiceSimError, match="unknown setting 'colour'"):
        resolve(ScoringSettings, "scoring", config={"scoring": {"colour": 1}}, env={})
