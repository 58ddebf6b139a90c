"""Persona files: the library validates; malformed files give file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from personas import PersonaError, load_persona, parse_persona
from personas.library import LIBRARY_DIR

GOOD = (LIBRARY_DIR / "angry-billing.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def write(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def error_of(tmp_path: Path, text: str) -> str:
    p = write(tmp_path, text)
    with pytest.raises(PersonaError) as exc:
        load_persona(p)
    return str(exc.value)


def test_good_file_parses() -> None:
    p = parse_persona(GOOD, "angry-billing.yaml")
    assert p.id == "angry-billing"
    assert p.archetype == "angry"
    assert p.start_intensity == 6
    assert p.facts.must_ask and p.facts.slots["issue"] == "the double charge"
    assert p.escalates_on["calm_down"] == 3  # file override
    assert p.escalates_on["interrupting"] == 1  # archetype default


def test_intensity_14_names_file_line_field(tmp_path: Path) -> None:
    text = GOOD.replace("start_intensity: 6", "start_intensity: 14")
    msg = error_of(tmp_path, text)
    line = line_of(text, "start_intensity: 14")
    assert msg == f"{tmp_path / 'x.yaml'}:{line}: start_intensity: must be 0-10, got 14"


def test_unknown_archetype(tmp_path: Path) -> None:
    text = GOOD.replace("archetype: angry", "archetype: grumpy")
    msg = error_of(tmp_path, text)
    assert (
        f"x.yaml:{line_of(text, 'archetype: grumpy')}: archetype: unknown archetype 'grumpy'" in msg
    )
    assert "known: confused" in msg


def test_bad_yaml_gives_line(tmp_path: Path) -> None:
    text = GOOD.replace("ceiling: 10", "ceiling: [10")
    msg = error_of(tmp_path, text)
    assert "x.yaml:" in msg and "invalid YAML" in msg
    reported = int(msg.split(":")[1])
    assert abs(reported - line_of(text, "ceiling: [10")) <= 2


def test_missing_facts(tmp_path: Path) -> None:
    start = GOOD.index("facts:")
    end = GOOD.index("opening_line:")
    text = GOOD[:start] + GOOD[end:]
    msg = error_of(tmp_path, text)
    assert msg.endswith("facts: required field missing")


def test_missing_must_ask(tmp_path: Path) -> None:
    start = GOOD.index("  must_ask:")
    end = GOOD.index("  issue_keywords:")
    msg = error_of(tmp_path, GOOD[:start] + GOOD[end:])
    assert "facts.must_ask: required field missing" in msg


def test_nested_field_error_has_its_own_line(tmp_path: Path) -> None:
    text = GOOD.replace("hang_up: {at_level: 10,", "hang_up: {at_level: 11,")
    msg = error_of(tmp_path, text)
    assert msg.endswith(f":{line_of(text, 'hang_up:')}: hang_up.at_level: must be 0-10, got 11")


def test_unknown_trigger_and_unknown_field(tmp_path: Path) -> None:
    text = GOOD.replace("  calm_down: 3", "  calm_dwon: 3")
    msg = error_of(tmp_path, text)
    assert f":{line_of(text, 'calm_dwon')}: escalates_on.calm_dwon: unknown field" in msg
    text = GOOD + "moood: 3\n"
    assert "moood: unknown field" in error_of(tmp_path, text)


def test_unknown_slot_in_line(tmp_path: Path) -> None:
    text = GOOD.replace("It's {amount}, twice!", "It's {amont}, twice!")
    msg = error_of(tmp_path, text)
    assert "lines.venting.high[0]: unknown slot {amont}" in msg
    assert f":{line_of(text, '{amont}')}:" in msg


def test_ceiling_below_start(tmp_path: Path) -> None:
    text = GOOD.replace("ceiling: 10", "ceiling: 4")
    msg = error_of(tmp_path, text)
    assert "ceiling: must be at least start_intensity (6), got 4" in msg


def test_duplicate_key(tmp_path: Path) -> None:
    text = GOOD + "ceiling: 9\n"
    assert "ceiling: duplicate key" in error_of(tmp_path, text)


def test_abusive_needs_profanity_list(tmp_path: Path) -> None:
    text = (LIBRARY_DIR / "abusive-caller.yaml").read_text(encoding="utf-8")
    start = text.index("profanity:")
    end = text.index("lines:")
    msg = error_of(tmp_path, text[:start] + text[end:])
    assert "profanity: required field missing" in msg


def test_wrong_type(tmp_path: Path) -> None:
    text = GOOD.replace("  issue_keywords: [", "  issue_keywords: {a: [").replace(
        "charged me two]", "charged me two]}"
    )
    assert "facts.issue_keywords: must be a list of text, got a mapping" in error_of(tmp_path, text)


def test_a_number_split_at_its_thousands_comma_is_refused(tmp_path: Path) -> None:
    # YAML reads [rows, 10,000] as three keywords: "rows", 10 and 0 (which matches any "0")
    text = GOOD.replace("  issue_keywords: [", "  issue_keywords: [1,000,000, rows, 10,000, ")
    msg = error_of(tmp_path, text)
    line = line_of(text, "issue_keywords: [1,000,000")
    assert msg == (
        f"{tmp_path / 'x.yaml'}:{line}: facts.issue_keywords[0]: 1,000,000 reads as 3 items "
        '(1 and 0 and 0); quote it: "1,000,000"'
    )
    quoted = GOOD.replace("  issue_keywords: [", '  issue_keywords: ["10,000", 401, 429, 7,5, ')
    keywords = load_persona(write(tmp_path, quoted, "ok.yaml")).facts.issue_keywords
    assert keywords[:5] == ("10,000", "401", "429", "7", "5")  # separate numbers stay separate


def test_missing_file() -> None:
    with pytest.raises(PersonaError, match=r"nope\.yaml: persona file not found"):
        load_persona("nope.yaml")


def test_empty_file(tmp_path: Path) -> None:
    assert "file is empty" in error_of(tmp_path, "")
