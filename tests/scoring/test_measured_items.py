"""The measured items read the way a coach does (issue 14; each failed before its fix).

Situations are laid out as the analysis reports them (``bench/labelled_calls.py``); the expected
outcomes are a coach's, with the reason in each test's name and comments.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from scoring import ScoringSettings, load_rubric
from scoring.rules import RulesJudge, listening, pace_match, pause_verdicts

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import labelled_calls  # noqa: E402

S = ScoringSettings()
RUBRIC = load_rubric()


def heard(vent_s: float, nods: list[Any], reply: str, persona: str = "delayed-order") -> Any:
    call = labelled_calls.listening_call(
        {"persona": persona, "vent_s": vent_s, "nods": nods, "reply": reply}
    )
    (x,) = listening(call, S)
    return x


def test_nods_spread_through_a_long_vent_are_enough_even_below_one_per_ten_seconds() -> None:
    # two nods ten seconds apart in a 30 s turn: never a long stretch without one
    assert heard(30, [[10, "mm-hmm"], [20, "I see"]], "I see.").nods_outcome == "enough"
    # one early nod, then 22 s of silence while the customer goes on
    early = heard(25, [[3, "mm-hmm"]], "I see.")
    assert early.nods_outcome == "too_few" and early.longest_quiet_s == pytest.approx(22, abs=0.5)


def test_sounds_that_try_to_take_the_turn_are_not_nods() -> None:
    x = heard(16, [[5, "no, no"], [11, "but"]], "The order shipped on the second.")
    assert x.nods == () and x.nods_outcome == "none"
    assert heard(15, [[6, "oh no"], [12, "mm"]], "I see.").nods_outcome == "enough"


@pytest.mark.parametrize(
    ("reply", "confirmed"),
    [
        ("I see no record of a second charge on this account.", False),  # a finding
        ("Okay, so which dashboard is it?", False),  # a question, nothing confirmed
        ("Which export was it? Let me check it. Got it.", False),  # not before answering
        ("So you've been given three different delivery dates, is that right?", True),
        ("I see. Which order is it?", True),
    ],
)
def test_the_reply_confirms_only_by_opening_with_what_was_heard(
    reply: str, confirmed: bool
) -> None:
    assert (heard(14, [[7, "mm-hmm"]], reply).confirm is not None) is confirmed


def test_active_listening_evidence_names_the_longest_stretch_without_a_nod() -> None:
    call = labelled_calls.listening_call(
        {
            "persona": "eu-webhooks",
            "vent_s": 40,
            "nods": [[5, "mm-hmm"], [10, "okay"]],
            "reply": "Got it. Since when?",
        }
    )
    item = RUBRIC.item("active_listening")
    assert item is not None
    (it,) = RulesJudge(S).judge(call, [item])
    assert 0 < it.score < it.max
    assert "30 s without one" in (it.evidence[0].figure or "")


def paced(persona: str, exchanges: list[list[float]]) -> Any:
    m = pace_match(labelled_calls.pace_call({"persona": persona, "exchanges": exchanges}), S)
    assert m is not None
    return m


def test_mirroring_an_agitated_caller_turn_by_turn_is_too_fast_though_the_call_averages_out() -> (
    None
):
    m = paced("delayed-order", [[210, 205], [200, 200], [150, 140], [140, 135]])
    assert m.verdict == "too_fast"
    assert [p.verdict for p in m.turns] == ["too_fast", "too_fast", "matched", "matched"]
    # the whole call's figures alone would have passed it: trainee below the customer
    assert m.you_wpm < m.them_wpm


def test_a_pace_difference_too_small_to_hear_is_matched() -> None:
    assert paced("angry-billing", [[160, 168], [158, 165]]).verdict == "matched"


def test_dragging_with_an_impatient_caller_is_too_slow_but_calm_and_brisk_is_not() -> None:
    assert paced("known-bug", [[185, 115], [180, 110]]).verdict == "too_slow"
    assert paced("broken-dashboard", [[180, 140], [175, 135]]).verdict == "matched"
    # a very fast caller does not make a normal pace slow
    assert paced("broken-dashboard", [[250, 165], [240, 170]]).verdict == "matched"


def test_pace_evidence_shows_both_paces_for_each_turn_that_missed() -> None:
    call = labelled_calls.pace_call({"persona": "elderly-confused", "exchanges": [[110, 165]]})
    item = RUBRIC.item("pace_match")
    assert item is not None
    (it,) = RulesJudge(S).judge(call, [item])
    figs = " ".join(e.figure or "" for e in it.evidence)
    assert "you 165 wpm after the customer's 110" in figs


def pause(fill: list[Any], persona: str = "wrong-policy") -> str:
    answer = "Our price match covers retailers selling directly, not marketplace sellers."
    call = labelled_calls.pause_call(
        {"persona": persona, "answer": answer, "pause_s": 5, "fill": fill}
    )
    (v,) = pause_verdicts(call, S)
    return v.verdict


@pytest.mark.parametrize(
    ("said", "verdict"),
    [
        ("Okay, fine, I'll give you the difference.", "crumbled"),  # gave in to the silence
        ("Why would we lie about our own policy?", "crumbled"),  # defensive, not clarifying
        ("It's our policy.", "crumbled"),  # hiding behind policy
        ("Hello? Are you still there?", "partial"),  # a line check is not a question about it
        ("I'm not sure, do you have the link?", "partial"),  # a short hedge before a question
        ("Let me take a moment to see what I can do.", "composed"),  # 003 'may I take a moment'
        ("Take your time.", "composed"),  # hands the floor back
        ("I know that's not the answer you were hoping for.", "composed"),  # acknowledges
        (
            "Can you tell me which website you saw it on and roughly what date the lower price "
            "was showing?",
            "composed",
        ),  # one clarifying question, past 15 words
    ],
)
def test_what_fills_a_pressure_pause_is_judged_as_a_coach_would(said: str, verdict: str) -> None:
    assert pause([[2.5, said]]) == verdict


def test_a_pause_verdict_quotes_the_words_that_gave_ground() -> None:
    call = labelled_calls.pause_call(
        {
            "persona": "refund-denied",
            "answer": "The refund was denied because the licence was in use for six months.",
            "pause_s": 5,
            "fill": [[2.5, "Okay, I can refund it after all."]],
        }
    )
    item = RUBRIC.item("pressure_pause")
    assert item is not None
    (it,) = RulesJudge(S).judge(call, [item])
    assert it.score == 0
    fig = it.evidence[0].figure or ""
    assert "giving ground" in fig and "refund" in fig
