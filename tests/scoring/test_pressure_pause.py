"""Pressure pauses: the customer's intentional silence is never dead air, and composure in it
is scored (waiting or a short clarifying question, not a hedge or a ramble)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from personas import PersonaError, TraineeTurn, get_persona, make_customer, parse_persona
from personas.schema import PressurePause
from scoring import ScoringSettings, call_inputs, load_rubric, score_inputs, write_report
from scoring.rules import RulesJudge

from .conftest import CallBuilder

RUBRIC = load_rubric()


def paused_call(fill: str | None) -> CallBuilder:
    """The trainee answers; the customer stays silent 5 s on purpose; the trainee fills the
    silence with ``fill`` (or waits); then the customer answers."""
    b = CallBuilder()
    b.events.append({"type": "call_start", "t_s": 0.0, "persona": "wrong-policy"})
    b.say("customer", "Your policy says you match any lower price, so I want the difference.")
    b.say("trainee", "Our price match covers retailers selling directly, not marketplace sellers.")
    end = b.t_s
    b.events.append({"type": "pressure_pause", "t_s": end, "start_s": end, "duration_s": 5.0})
    if fill is None:
        b.silence(5.0)
    else:
        b.say("trainee", fill, gap_s=3.2)
        if b.t_s < end + 5.0:
            b.silence(end + 5.0 - b.t_s)
    b.say("customer", "Well, that is not what your website says.", gap_s=0.3)
    return b


def item(b: CallBuilder, item_id: str):  # type: ignore[no-untyped-def]
    call = call_inputs(b.analysis(), b.events, meta={"persona": "wrong-policy"})
    it = RUBRIC.item(item_id)
    assert it is not None
    (res,) = RulesJudge(ScoringSettings()).judge(call, [it])
    return res


def test_a_pressure_pause_is_not_dead_air_in_the_scorecard_or_the_report(tmp_path: Path) -> None:
    b = paused_call(None)
    pace = item(b, "pace")
    assert not any(e.effect == "lost" and "dead air" in (e.figure or "") for e in pace.evidence)
    assert any("pressure pause" in (e.figure or "") for e in pace.evidence)
    call = call_inputs(b.analysis(), b.events, meta={"persona": "wrong-policy"})
    page = write_report(score_inputs(call), call, tmp_path).read_text(encoding="utf-8")
    assert 'class="marker dead-air"' not in page and "pressure pause" in page


def test_waiting_through_the_pause_is_composure() -> None:
    it = item(paused_call(None), "pressure_pause")
    assert it.applicable and it.score == it.max
    assert "waited" in (it.evidence[0].figure or "")


def test_a_short_clarifying_question_in_the_pause_is_composure() -> None:
    it = item(paused_call("Which site was it on?"), "pressure_pause")
    assert it.score == it.max


def test_filling_the_pause_with_a_hedge_or_a_ramble_loses_with_the_words_quoted() -> None:
    ramble = (
        "I mean, I guess maybe we could look at it again, I'm not sure, it's probably fine, "
        "the policy is a bit complicated and there are lots of rules about sellers and such."
    )
    it = item(paused_call(ramble), "pressure_pause")
    assert it.score == 0
    assert it.evidence[0].quote and "I guess maybe" in it.evidence[0].quote
    assert "hedge" in (it.evidence[0].figure or "")


def test_no_pause_no_item() -> None:
    b = CallBuilder()
    b.say("customer", "I want the difference back.", gap_s=0.2)
    b.say("trainee", "Let me check the price for you.")
    assert not item(b, "pressure_pause").applicable


def test_persona_setting_is_validated() -> None:
    base = Path(__file__).resolve().parents[2] / "personas" / "library" / "wrong-policy.yaml"
    text = base.read_text(encoding="utf-8")
    assert get_persona("wrong-policy").pressure_pause == PressurePause(0.3, 3.0, 6.0)
    bad = text.replace("max_s: 6.0}", "max_s: 2.0}")
    with pytest.raises(PersonaError, match=r"pressure_pause\.max_s: must not be below min_s"):
        parse_persona(bad, "x.yaml")
    odd = text.replace("pressure_pause: {chance: 0.3", "pressure_pause: {chance: 1.5")
    with pytest.raises(PersonaError, match=r"pressure_pause\.chance: must be 0.0-1.0"):
        parse_persona(odd, "x.yaml")


def test_the_customer_pauses_after_answers_not_after_questions_or_hold_notices() -> None:
    class AlwaysPause:
        """A hand-written stand-in for the seeded draw: every chance comes up, 4.5 s long."""

        def random(self) -> float:
            return 0.0

        def uniform(self, lo: float, hi: float) -> float:
            return (lo + hi) / 2

    c = make_customer("wrong-policy", llm=None, seed=3)
    c.persona = dataclasses.replace(c.persona, pressure_pause=PressurePause(1.0, 3.0, 6.0))
    c.pause_rng = AlwaysPause()  # type: ignore[assignment]
    c.begin()
    c.hear(TraineeTurn("Our price match covers retailers selling directly."))
    assert c.pressure_pause_s() == 4.5
    c.hear(TraineeTurn("Which site did you see the lower price on?"))
    assert c.pressure_pause_s() is None
    c.hear(TraineeTurn("One moment while I check that for you."))
    assert c.pressure_pause_s() is None
