"""Rubric YAML: the default loads; a coach's file replaces it; bad files give precise errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring import ScoringError, load_rubric
from scoring.rubric import CALL_ITEM_IDS, SESSION_ITEM_IDS


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "coach.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_default_rubric_has_every_item_and_sums_to_100() -> None:
    r = load_rubric()
    assert [it.id for it in r.items] == list(CALL_ITEM_IDS)
    assert [it.id for it in r.session_items] == list(SESSION_ITEM_IDS)
    assert sum(it.weight for it in r.items) == pytest.approx(100)
    assert all(it.tip and it.label for it in r.items)


def test_coach_rubric_replaces_default(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        """
name: strict coach
items:
  - {id: let_finish, label: Patience, weight: 60, tip: Wait.}
  - {id: no_triggers, weight: 40, phrases: ["no can do"]}
""",
    )
    r = load_rubric(p)
    assert r.name == "strict coach"
    assert [(it.id, it.weight) for it in r.items] == [("let_finish", 60), ("no_triggers", 40)]
    assert r.items[1].phrases == ("no can do",)
    assert r.session_items == load_rubric().session_items


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("items:\n  - {id: be_nice, weight: 100}\n", "items[0]: unknown item 'be_nice'"),
        (
            "items:\n  - {id: let_finish, weight: 60}\n  - {id: pace, weight: 30}\n",
            "'items' weights sum to 90, not 100 (let_finish 60 + pace 30)",
        ),
        ("items:\n  - {id: pace, weight: ten}\n", "items[0] (pace): 'weight' must be a number"),
        ("items:\n  - {id: pace, weight: 50}\n  - {id: pace, weight: 50}\n", "appears twice"),
        ("items:\n  - {id: pace, weight: 100, colour: red}\n", "unknown field(s) colour"),
        (
            "items:\n  - {id: pace, weight: 100, phrases: [hmm]}\n",
            "(pace): 'phrases' only apply to items judged from words",
        ),
        ("schema_version: 7\nitems: []\n", "schema_version 7 is newer"),
        ("items: [\n", "invalid YAML"),
        ("- just a list\n", "a rubric must be a YAML mapping"),
        ("name: x\n", "missing 'items'"),
        (
            "items:\n  - {id: pace, weight: 100}\nsession_items:\n  - {id: patience_latency, "
            "weight: 50}\n",
            "'session_items' weights sum to 50",
        ),
    ],
)
def test_bad_rubrics_name_file_and_problem(tmp_path: Path, text: str, message: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ScoringError) as err:
        load_rubric(p)
    assert str(err.value).startswith(str(p))
    assert message in str(err.value)


def test_missing_rubric_file(tmp_path: Path) -> None:
    with pytest.raises(ScoringError, match="rubric file not found"):
        load_rubric(tmp_path / "nope.yaml")
