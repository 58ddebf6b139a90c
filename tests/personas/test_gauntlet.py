"""Gauntlet planning: rising starting intensity, confused first, abusive last."""

from __future__ import annotations

import pytest

from personas import GauntletCall, PersonaError, get_persona, plan_gauntlet
from personas.vocabulary import ARCHETYPES


def test_default_three_calls_confused_angry_abusive() -> None:
    plan = plan_gauntlet(None, 3)
    assert [get_persona(c.persona_id).archetype for c in plan] == ["confused", "angry", "abusive"]
    levels = [c.start_level for c in plan]
    assert levels == sorted(levels) and levels[0] < levels[-1]


@pytest.mark.parametrize("n", [1, 2, 4, 6, 9, 20])
def test_levels_rise_and_archetypes_do_not_fall(n: int) -> None:
    plan = plan_gauntlet(None, n)
    assert len(plan) == n
    assert all(isinstance(c, GauntletCall) for c in plan)
    for c in plan:
        p = get_persona(c.persona_id)
        assert p.floor <= c.start_level <= p.ceiling
    if n <= 6:
        ranks = [ARCHETYPES.index(get_persona(c.persona_id).archetype) for c in plan]
        assert ranks == sorted(ranks)
        levels = [c.start_level for c in plan]
        assert levels == sorted(levels)


def test_given_personas_keep_their_order_and_cycle() -> None:
    plan = plan_gauntlet(["known-bug", "angry-billing"], 4)
    assert [c.persona_id for c in plan] == [
        "known-bug",
        "angry-billing",
        "known-bug",
        "angry-billing",
    ]
    assert [c.start_level for c in plan] == [3, 5, 7, 9]


def test_errors() -> None:
    with pytest.raises(PersonaError, match="unknown persona"):
        plan_gauntlet(["nobody"], 2)
    with pytest.raises(PersonaError, match="at least 1"):
        plan_gauntlet(None, 0)
