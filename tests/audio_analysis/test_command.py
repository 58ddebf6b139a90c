"""``voice-sim analyze`` end to end on a generated call (real models)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voice_sim.cli import main

from .conftest import SmallCall

pytestmark = pytest.mark.slow


def test_one_session_folder_in_place(
    small_call: SmallCall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sess = tmp_path / "2026-01-01-angry"
    sess.mkdir()
    shutil.copy(small_call.path, sess / "recording.wav")
    (sess / "events.jsonl").write_text('{"type": "call_start", "t_s": 0.0}\n')
    assert main(["analyze", str(sess)]) == 0
    d = json.loads((sess / "analysis.json").read_text())
    assert d["schema_version"] == 1 and len(d["interruptions"]) == 1 and len(d["dead_air"]) == 1
    assert d["turns"][-1]["word_times"] and "tracking" in d["turns"][-1]["text"].lower()
    assert (sess / "timeline.png").exists() and (sess / "timeline.svg").exists()
    out = capsys.readouterr().out
    assert "1 interruptions" in out and "analysis.json" in out


def test_several_inputs_one_missing(
    small_call: SmallCall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "day1.wav", tmp_path / "day2.wav"
    shutil.copy(small_call.path, a)
    y = small_call.y.T * 0.5
    sf.write(str(b), y, 16000, subtype="PCM_16")
    out = tmp_path / "out"
    code = main(
        [
            "analyze",
            str(a),
            str(tmp_path / "gone.wav"),
            str(b),
            "--out",
            str(out),
            "--no-transcribe",
            "--no-timeline",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [e for e in err if "error" in e] == [
        f"voice-sim: error: {tmp_path / 'gone.wav'}: file not found"
    ]
    # what analysis.json warns about is printed too
    assert "voice-sim: warning: day2: transcription off: no words or wpm" in err
    assert (out / "day1" / "analysis.json").exists() and (out / "day2" / "analysis.json").exists()
    s = json.loads((out / "session.json").read_text())
    assert s["calls"] == ["day1", "gone", "day2"] and "gone" in s["errors"]
    assert s["drift"]["trainee"]["loudness_db"] == pytest.approx(-6.02, abs=0.2)
    assert s["drift"]["trainee"]["pitch_st"] == pytest.approx(0.0, abs=0.1)


def test_mono_pair_and_settings_flags(small_call: SmallCall, tmp_path: Path) -> None:
    t, c = tmp_path / "t.wav", tmp_path / "c.flac"
    sf.write(str(t), small_call.y[0], 16000)
    sf.write(str(c), small_call.y[1], 16000, format="FLAC")
    out = tmp_path / "o"
    assert (
        main(
            [
                "analyze",
                "--trainee",
                str(t),
                "--customer",
                str(c),
                "--out",
                str(out),
                "--no-transcribe",
                "--no-timeline",
                "--dead-air-s",
                "5",
                "-q",
            ]
        )
        == 0
    )
    d = json.loads((out / "analysis.json").read_text())
    assert d["dead_air"] == [] and len(d["interruptions"]) == 1


def test_bad_inputs_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    low = tmp_path / "low.wav"
    sf.write(str(low), np.zeros((4000, 2), np.float32), 4000)
    assert main(["analyze", str(low), "--out", str(tmp_path)]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"voice-sim: error: {low}: sample rate 4000 Hz is below 8000 Hz "
        "(too little bandwidth for speech)"
    )
    silent = tmp_path / "silent.wav"
    sf.write(str(silent), np.zeros((16000 * 2, 2), np.float32), 16000)
    assert main(["analyze", str(silent), "--out", str(tmp_path), "--no-transcribe"]) == 2
    assert "no speech found" in capsys.readouterr().err
    assert not (tmp_path / "analysis.json").exists()
    assert main(["analyze", "--trainee", str(low)]) == 2
    assert "go together" in capsys.readouterr().err


def test_gauntlet_folder_and_swapped_channels(small_call: SmallCall, tmp_path: Path) -> None:
    g = tmp_path / "gauntlet"
    for name, y in (("01-angry", small_call.y), ("02-confused", small_call.y[::-1])):
        (g / name).mkdir(parents=True)
        sf.write(str(g / name / "recording.wav"), y.T, 16000, subtype="PCM_16")
    calls = [{"folder": "01-angry", "persona": "angry"}, {"folder": "02-confused", "persona": "c"}]
    (g / "gauntlet.json").write_text(json.dumps({"calls": calls}))
    assert main(["analyze", str(g), "--no-transcribe", "--no-timeline", "-q"]) == 0
    s = json.loads((g / "session.json").read_text())
    assert s["calls"] == ["01-angry", "02-confused"]
    a1 = json.loads((g / "01-angry" / "analysis.json").read_text())
    a2 = json.loads((g / "02-confused" / "analysis.json").read_text())
    # the second call has the channels swapped: the customer now interrupts
    assert [i["by"] for i in a1["interruptions"]] == ["trainee"]
    assert [i["by"] for i in a2["interruptions"]] == ["customer"]
    out = tmp_path / "swapped"
    rec = str(g / "02-confused" / "recording.wav")
    args = ["analyze", rec, "--trainee-channel", "1", "--out", str(out), "--no-transcribe"]
    assert main([*args, "--no-timeline", "-q"]) == 0
    a3 = json.loads((out / "analysis.json").read_text())
    assert a3["channels"] == {"trainee": 1, "customer": 0}
    assert [i["by"] for i in a3["interruptions"]] == ["trainee"]


def test_warning_in_analysis_json_is_printed(
    small_call: SmallCall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = small_call.y[0] + small_call.y[1]
    dup = tmp_path / "dup.wav"
    sf.write(str(dup), np.stack([mono, mono]).T, 16000, subtype="PCM_16")
    assert main(["analyze", str(dup), "--out", str(tmp_path), "--no-transcribe", "-q"]) == 0
    written = json.loads((tmp_path / "analysis.json").read_text())["warnings"]
    err = capsys.readouterr().err
    assert any("carry the same audio" in w for w in written)
    for w in written:
        assert f"voice-sim: warning: dup.wav: {w}" in err


@pytest.mark.parametrize("command", ["analyze", "score"])
def test_three_channel_advice_names_options_the_command_has(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    three = tmp_path / "three.wav"
    sf.write(str(three), np.zeros((16000, 3), np.float32), 16000)
    assert main([command, str(three), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    named = re.findall(r"--[a-z-]+", err)
    assert named, err
    assert main([command, "--help"]) == 0
    help_text = capsys.readouterr().out
    for option in named:
        assert option in help_text, f"{command} has no {option}"
