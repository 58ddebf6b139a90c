"""Reading a session folder for the store: every file through its owner's reader (analysis.json:
audio_analysis; scorecard.json: scoring; events.jsonl: personas.call_log; meta.json: scoring),
so a damaged file is a one-line error naming the file and the field, a log torn by a crash
still registers, and dead air is what the scorecard judged. Oracle: the fixture folders'
content (tests/support/sessions.py) and the contracts in docs/contracts.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.sessions import FakeCall, make_session
from voice_sim.store import StoreError, read_session


def _edit(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_a_log_torn_by_a_crash_still_registers(tmp_path: Path) -> None:
    folder = make_session(tmp_path / "s", FakeCall())
    with (folder / "events.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"type": "intensity", "t_s": 9.0, "lev')  # the crash cut the last line
    rec = read_session(folder, with_waveform=False)
    moods = [m for m in rec.timeline["markers"] if m["kind"] == "mood"]
    assert [m["label"] for m in moods] == ["mood 6 → 8: told to calm down"]


def test_a_bad_line_in_the_middle_of_the_log_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = make_session(tmp_path / "s", FakeCall())
    lines = (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    lines.insert(1, '{"type": "intensity", "level": 3}')
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(StoreError, match=r"events\.jsonl: line 2: intensity has no t_s"):
        read_session(folder, with_waveform=False)


@pytest.mark.parametrize(
    ("name", "change", "error"),
    [
        (
            "scorecard.json",
            lambda d: d["items"][1].__setitem__("score", "ten"),
            r"items\[1\]\.score: expected a number",
        ),
        (
            "analysis.json",
            lambda d: d["turns"][0].__setitem__("speaker", "agent"),
            r"turns\[0\]\.speaker: expected 'trainee' or 'customer'",
        ),
    ],
)
def test_a_damaged_file_is_an_error_naming_the_file_and_field(
    tmp_path: Path, name: str, change: Any, error: str
) -> None:
    folder = make_session(tmp_path / "s", FakeCall())
    _edit(folder / name, change)
    with pytest.raises(StoreError, match=rf"^{folder / name}: {error}"):
        read_session(folder, with_waveform=False)


def test_scores_and_figures_come_from_the_owners_readers(tmp_path: Path) -> None:
    c = FakeCall(scores=(6.0, 10.0, 12.0, 4.0))
    rec = read_session(make_session(tmp_path / "s", c), with_waveform=False)
    assert rec.overall == c.overall and [i["score"] for i in rec.items] == list(c.scores)
    assert (rec.pitch_hz, rec.wpm, rec.interruptions, rec.latency_s) == (180.0, 150.0, 1, 0.6)
    assert rec.persona == "angry-billing" and rec.trainee == "sam" and rec.mode == "simulated"
    kinds = [m["kind"] for m in rec.timeline["markers"]]
    assert kinds == ["lost", "mood", "interruption", "won"]


def test_dead_air_is_what_the_scorecard_judged(tmp_path: Path) -> None:
    """The analysis hears 5 s of the trainee's silence after the customer's turn; the customer
    of our call waited through it without noticing (its patience was longer): the scorecard's
    verdict wins. A scorecard written before verdicts were falls back to the analysis."""
    folder = make_session(tmp_path / "s", FakeCall(duration_s=20.0))

    def add_silence(d: dict[str, Any]) -> None:
        d["silences"] = [{"from": "customer", "to": "trainee", "start_s": 11.0, "duration_s": 5.0}]
        d["dead_air"] = [{"start_s": 11.0, "duration_s": 5.0}]

    def judged(verdict: str | None) -> Any:
        def change(d: dict[str, Any]) -> None:
            d.pop("silences", None)
            if verdict is not None:
                d["silences"] = [{"start_s": 11.0, "duration_s": 5.0, "verdict": verdict}]

        return change

    _edit(folder / "analysis.json", add_silence)
    _edit(folder / "scorecard.json", judged("patient"))
    rec = read_session(folder, with_waveform=False)
    assert rec.dead_air == 0 and "dead_air" not in [m["kind"] for m in rec.timeline["markers"]]
    _edit(folder / "scorecard.json", judged("dead_air"))
    rec = read_session(folder, with_waveform=False)
    assert rec.dead_air == 1
    assert [m["label"] for m in rec.timeline["markers"] if m["kind"] == "dead_air"] == [
        "dead air 5.0 s"
    ]
    _edit(folder / "scorecard.json", judged(None))
    assert read_session(folder, with_waveform=False).dead_air == 1  # the analysis's
