"""scorecard.json and session_scorecard.json are read back only by scoring: what ``to_dict``
wrote, ``from_dict`` reads back exactly; broken documents are refused naming the file and field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from scoring import (
    Scorecard,
    ScoringError,
    SessionScorecard,
    call_inputs,
    read_scorecard,
    read_session_scorecard,
    score_inputs,
    score_session,
    write_report,
    write_session_report,
)

from .conftest import CallBuilder


def test_scorecard_json_reads_back_as_written(bad: CallBuilder, tmp_path: Path) -> None:
    folder = bad.write(tmp_path / "call")
    call = call_inputs(bad.analysis(), bad.events, name="call")
    write_report(score_inputs(call), call, folder)
    on_disk = json.loads((folder / "scorecard.json").read_text(encoding="utf-8"))
    card = read_scorecard(folder)
    assert card.to_dict() == on_disk
    assert read_scorecard(folder / "scorecard.json") == card
    # what the store and the report read from it
    assert card.overall == on_disk["overall"] and card.item("pace").evidence
    assert [x.verdict for x in card.dead_air] == ["dead_air"]


def test_session_scorecard_reads_back_as_written(
    good: CallBuilder, bad: CallBuilder, tmp_path: Path
) -> None:
    calls = [call_inputs(b.analysis(), b.events, name=n) for n, b in (("one", good), ("two", bad))]
    write_session_report(score_session(calls), tmp_path)
    on_disk = json.loads((tmp_path / "session_scorecard.json").read_text(encoding="utf-8"))
    s = read_session_scorecard(tmp_path)
    assert s.to_dict() == on_disk
    assert [c.name for c in s.calls] == ["one", "two"] and s.patience


def test_a_scorecard_from_before_silences_has_them_unjudged(good: CallBuilder) -> None:
    doc = score_inputs(call_inputs(good.analysis(), good.events)).to_dict()
    del doc["silences"]
    card = Scorecard.from_dict(doc)
    assert card.silences is None and card.dead_air == ()
    assert "silences" not in card.to_dict()


def _set(path: list[Any], value: Any) -> Any:
    def apply(d: dict[str, Any]) -> None:
        for k in path[:-1]:
            d = d[k]
        if value is KeyError:
            del d[path[-1]]
        else:
            d[path[-1]] = value

    return apply


BROKEN = [
    ("not an object", None, r"document: expected an object"),
    ("no overall", _set(["overall"], KeyError), r"overall: expected a number, got None"),
    ("newer", _set(["schema_version"], 2), r"schema_version: 2 is newer than this version"),
    ("item without id", _set(["items", 0, "id"], KeyError), r"items\[0\]: missing field 'id'"),
    ("score as text", _set(["items", 1, "score"], "9"), r"items\[1\]\.score: expected a number"),
    (
        "bad effect",
        _set(["items", 0, "evidence", 0, "effect"], "meh"),
        r"items\[0\]\.evidence\[0\]\.effect: expected won",
    ),
    ("silence time", _set(["silences", 0, "start_s"], "x"), r"silences\[0\]\.start_s: expected"),
]


@pytest.mark.parametrize(("why", "breaks", "error"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_scorecards_are_refused_naming_the_field(
    bad: CallBuilder, tmp_path: Path, why: str, breaks: Any, error: str
) -> None:
    doc: Any = score_inputs(call_inputs(bad.analysis(), bad.events)).to_dict()
    assert doc["silences"] and doc["items"][0]["evidence"], why
    doc = None if breaks is None else copy.deepcopy(doc)
    if breaks is not None:
        breaks(doc)
    path = tmp_path / "scorecard.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ScoringError, match=rf"^{path}: {error}"):
        read_scorecard(path)


def test_unreadable_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ScoringError, match=r"scorecard\.json: file not found"):
        read_scorecard(tmp_path)
    (tmp_path / "session_scorecard.json").write_text("{", encoding="utf-8")
    with pytest.raises(ScoringError, match=r"session_scorecard\.json: invalid JSON at line 1"):
        read_session_scorecard(tmp_path)
    with pytest.raises(ScoringError, match=r"x\.json: calls\[0\]: expected an object"):
        SessionScorecard.from_dict({"overall": 50, "calls": [3]}, source="x.json")
