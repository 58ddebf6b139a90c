from __future__ import annotations

import dataclasses

import pytest

from audio_analysis import AnalysisSettings
from audio_analysis import settings as S


def test_defaults_are_the_named_constants() -> None:
    s = AnalysisSettings()
    assert s.min_pause_s == S.MIN_PAUSE_S == 1.0
    assert s.backchannel_max_s == S.BACKCHANNEL_MAX_S == 1.0
    assert s.interruption_min_s == S.INTERRUPTION_MIN_S == 1.0
    assert s.dead_air_s == S.DEAD_AIR_S == 3.0
    assert s.bleed_margin_db == S.BLEED_MARGIN_DB


def test_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        AnalysisSettings().min_pause_s = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_pause_s": 0},
        {"dead_air_s": -1},
        {"vad_threshold": 0.2, "vad_neg_threshold": 0.3},
        {"pitch_fmin_hz": 500},
        {"pitch_tracker": "praat"},
        {"threads": 0},
    ],
)
def test_rejects_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        AnalysisSettings(**kwargs)  # type: ignore[arg-type]


def test_layering_defaults_file_env_flags() -> None:
    from voice_sim.config import resolve

    cfg = {"analysis": {"min_pause_s": 0.8, "dead_air_s": 4.0}}
    env = {"VOICE_SIM_ANALYSIS_DEAD_AIR_S": "5", "VOICE_SIM_ANALYSIS_TRANSCRIBE": "false"}
    s = resolve(
        AnalysisSettings,
        "analysis",
        config=cfg,
        env=env,
        flags={"dead_air_s": 6.0, "min_pause_s": None},
    )
    assert (s.min_pause_s, s.dead_air_s, s.transcribe) == (0.8, 6.0, False)
