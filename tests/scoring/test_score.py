"""score_call: scorecard.json shape, overall, summary, the good and bad reference calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring import Scorecard, score_call

from .conftest import CallBuilder


def test_scorecard_json_follows_contract(good: CallBuilder, tmp_path: Path) -> None:
    folder = good.write(tmp_path / "call1")
    card = score_call(folder / "analysis.json", folder / "events.jsonl")
    d = card.to_dict()
    assert d["schema_version"] == 1 and d["name"] == "call1"
    assert 0 <= d["overall"] <= 100
    for it in d["items"]:
        assert set(it) >= {"id", "label", "score", "max", "evidence", "tip"}
        for e in it["evidence"]:
            assert set(e) >= {"start_s", "speaker"} and ("quote" in e or "figure" in e)
    assert len([s for s in d["summary"].split(". ") if s]) >= 3
    json.dumps(d)


def test_good_call_beats_bad_call_by_far(good: CallBuilder, bad: CallBuilder) -> None:
    g = score_call(good.analysis(), good.events)
    b = score_call(bad.analysis(), bad.events)
    assert g.overall >= 90
    assert g.overall - b.overall >= 25
    lost = {it.id for it in b.items if it.score < it.max}
    assert lost >= {
        "let_finish",
        "acknowledge",
        "diagnose",
        "restate",
        "next_step",
        "no_triggers",
        "ownership",
        "composure",
        "pace",
        "outcome",
    }


def test_overall_leaves_out_items_that_do_not_apply(good: CallBuilder) -> None:
    card = score_call(good.analysis(), good.events)
    assert not card.item("boundary").applicable
    avail = sum(it.max for it in card.items if it.applicable)
    won = sum(it.score for it in card.items if it.applicable)
    assert card.overall == pytest.approx(100 * won / avail)


def test_summary_names_the_weakest_item_and_a_tip(bad: CallBuilder) -> None:
    card = score_call(bad.analysis(), bad.events)
    assert isinstance(card, Scorecard)
    assert "Most points went on" in card.summary and "Next call:" in card.summary
