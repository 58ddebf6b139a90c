"""The shipped library: every file validates and the issue's scenarios are all covered."""

from __future__ import annotations

import pytest

from personas import PersonaError, get_persona, list_personas
from personas.library import DEFAULT_PERSONA, library_files
from personas.schema import load_persona
from personas.scripted import common_lines
from personas.vocabulary import ARCHETYPES


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_every_library_file_validates(path) -> None:  # type: ignore[no-untyped-def]
    p = load_persona(path)
    assert p.id == path.stem
    assert p.opening_line and p.facts.must_ask


def test_at_least_14_personas_and_core_archetypes() -> None:
    ps = list_personas()
    assert len(ps) >= 14
    archetypes = {p.archetype for p in ps}
    assert {"angry", "abusive", "confused"} <= archetypes
    assert archetypes <= set(ARCHETYPES)


def test_scenarios_cover_the_issue() -> None:
    ids = {p.id for p in list_personas()}
    assert {
        "angry-billing",
        "auto-renewal",
        "delayed-order",
        "late-refund",
        "refund-denied",
        "missing-feature",
        "known-bug",
        "update-regression",
        "eu-webhooks",
        "api-errors",
        "broken-dashboard",
        "abusive-caller",
        "wrong-policy",
        "elderly-confused",
    } <= ids


def test_default_is_angry_double_charge() -> None:
    p = get_persona(None)
    assert p.id == DEFAULT_PERSONA == "angry-billing"
    assert p.archetype == "angry"
    assert "double charge" in p.scenario.lower()


def test_unknown_id_lists_known() -> None:
    with pytest.raises(PersonaError, match="nobody: unknown persona \\(known: abusive-caller"):
        get_persona("nobody")


def test_shared_line_bank_uses_only_common_slots() -> None:
    import string

    bank = common_lines()
    found: set[str] = set()

    def walk(x: object) -> None:
        if isinstance(x, str):
            found.update(f for _, f, _, _ in string.Formatter().parse(x) if f)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(bank)
    assert found <= {"issue", "first_name", "name"}


def test_abusive_persona_swears_and_clean_switch_removes_it() -> None:
    p = get_persona("abusive-caller")
    assert p.profanity
    assert any("damn" in line for line in [p.opening_line])
