"""The shipped library: every file validates and the issue's scenarios are all covered."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from personas import PersonaError, get_persona, list_personas, persona_ids
from personas.brain import ReplyContext
from personas.library import DEFAULT_PERSONA, LIBRARY_DIR, library_files
from personas.schema import load_persona
from personas.scripted import (
    BANK_SLOTS,
    COMMON_LINES,
    ScriptedBrain,
    archetype_bank,
    common_lines,
    line_bank_problems,
)
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


@pytest.mark.parametrize("pid", persona_ids())
def test_no_persona_can_say_another_archetypes_lines(pid: str) -> None:
    p = get_persona(pid)
    assert line_bank_problems(p) == []
    # the oracle: the raw banks in the file, not the helper that merges them
    raw = yaml.safe_load(COMMON_LINES.read_text(encoding="utf-8"))
    others = {
        line
        for arch, bank in raw["archetypes"].items()
        if arch != p.archetype
        for line in _strings(bank)
    }
    own = set(_strings(raw["archetypes"][p.archetype])) | set(
        _strings(raw.get("personas", {}).get(pid, {}))
    )
    brain = ScriptedBrain(p, seed=1)
    assert not (set(_strings(brain.bank)) & others) - own


def test_every_archetype_bank_fills_every_slot_the_director_asks_for() -> None:
    for arch in ARCHETYPES:
        bank = archetype_bank(arch)
        for path in BANK_SLOTS:
            node = bank
            for k in path:
                node = node.get(k, {}) if isinstance(node, dict) else {}
            assert _strings(node), (arch, path)


def test_validator_flags_a_persona_with_an_angry_line(tmp_path: Path) -> None:
    src = (LIBRARY_DIR / "elderly-confused.yaml").read_text(encoding="utf-8")
    bad = src.replace(
        '      - "Could you say that again, a little slower?"',
        '      - "Could you say that again, a little slower?"\n      - "Stop talking over me!"',
    )
    assert bad != src
    f = tmp_path / "margaret.yaml"
    f.write_text(bad, encoding="utf-8")
    problems = line_bank_problems(load_persona(f))
    assert problems == ["line 'Stop talking over me!' belongs to the angry archetype's bank"]


def test_margaret_speaks_up_in_her_own_words() -> None:
    brain = ScriptedBrain(get_persona("elderly-confused"), seed=0)
    said = {brain.silence_line(_ctx(brain), hold=False) for _ in range(4)}
    assert all("dear" in s for s in said)
    angry = set(_strings(archetype_bank("angry")))
    assert not said & angry


def _ctx(brain: ScriptedBrain) -> ReplyContext:
    return ReplyContext(brain.persona, 3, "explaining", None, (), False)


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [x for v in node.values() for x in _strings(v)]
    if isinstance(node, list):
        return [x for v in node for x in _strings(v)]
    return []
