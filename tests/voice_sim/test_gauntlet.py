"""A simulated gauntlet of 3 calls through the real engines writes 3 ordered session folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voice_sim.cli import main

pytestmark = pytest.mark.slow


def test_three_call_gauntlet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("VOICE_SIM_DATA", str(data))
    bot = tmp_path / "bot.yaml"
    bot.write_text(
        "name: short bot\nlines:\n  - I'm sorry about that. Can you tell me what happened?\n"
    )
    out = tmp_path / "g"
    loads = _model_loads()
    code = main(
        [
            "gauntlet",
            "--simulate",
            "--script",
            str(bot),
            "--calls",
            "3",
            "--break",
            "0",
            "--no-score",
            "--no-store",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert not data.exists()  # --no-store: no store, not even an empty one
    # each model is loaded at most once for the three calls (none if an earlier test did)
    assert all(after - before <= 1 for before, after in zip(loads, _model_loads(), strict=True))
    doc = json.loads((out / "gauntlet.json").read_text())
    folders = [c["folder"] for c in doc["calls"]]
    assert folders == sorted(folders) and len(folders) == 3
    assert [f[:3] for f in folders] == ["01-", "02-", "03-"]
    starts = [c["start_level"] for c in doc["calls"]]
    assert starts == sorted(starts) and starts[0] < starts[-1]  # rising starting intensity
    for i, c in enumerate(doc["calls"]):
        folder = out / c["folder"]
        assert (folder / "recording.wav").is_file()
        meta = json.loads((folder / "meta.json").read_text())
        assert meta["gauntlet"]["index"] == i + 1 and meta["gauntlet"]["of"] == 3
        assert meta["persona"] == c["persona"]
        first = json.loads((folder / "events.jsonl").read_text().splitlines()[1])
        assert first["type"] == "intensity" and first["level"] == c["start_level"]


def _model_loads() -> tuple[int, int, int]:
    """How often Whisper, Piper and Silero were loaded in this process so far."""
    from audio_analysis import transcribe, vad
    from voice_sim import models

    return (
        transcribe.load_whisper.cache_info().misses,
        models.piper.cache_info().misses,
        vad._session.cache_info().misses,
    )
