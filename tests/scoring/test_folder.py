"""score_folder: a session folder scored in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring import ScoringError, score_folder

from .conftest import CallBuilder


def test_scores_in_place_with_persona_from_meta(tmp_path: Path, good: CallBuilder) -> None:
    folder = good.write(tmp_path / "s")
    meta = {"persona": "rick", "archetype": "abusive", "failure": "A no-show technician"}
    (folder / "meta.json").write_text(json.dumps(meta))
    card = score_folder(folder)
    assert card.persona == "rick"
    assert card.item("boundary").applicable  # meta.json says abusive: the boundary item counts
    assert (folder / "scorecard.json").is_file() and (folder / "report.html").is_file()


def test_abusive_is_not_guessed_from_the_persona_id(tmp_path: Path, good: CallBuilder) -> None:
    folder = good.write(tmp_path / "s")
    (folder / "meta.json").write_text(json.dumps({"persona": "abusive-andy", "archetype": "angry"}))
    assert not score_folder(folder).item("boundary").applicable


def test_archetype_of_a_library_persona_when_meta_lacks_it(
    tmp_path: Path, good: CallBuilder
) -> None:
    folder = good.write(tmp_path / "s")
    (folder / "meta.json").write_text(json.dumps({"persona": "abusive-caller"}))
    assert score_folder(folder).item("boundary").applicable


def test_folder_without_analysis(tmp_path: Path) -> None:
    with pytest.raises(ScoringError, match=r"no analysis\.json"):
        score_folder(tmp_path)
