"""The case note: stored beside the call, scored against what happened in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring import ScoringError, call_inputs, load_rubric, score_folder
from scoring.case_note import read_case_note, references, write_case_note
from scoring.rules import RulesJudge

from .conftest import CallBuilder

META = {"persona": "angry-billing", "archetype": "angry"}


def billing_call(*, resolved: bool = True) -> CallBuilder:
    """An angry-billing call: the customer gives the card, the trainee promises a refund."""
    b = CallBuilder()
    b.events.append({"type": "call_start", "t_s": 0.0, "persona": "angry-billing"})
    b.intensity(0.0, 6, None, "starting intensity")
    b.say("customer", "You charged me twice this month and I want to know what is going on.")
    b.say("trainee", "I'm sorry you were charged twice. Which card were the charges on?")
    b.say("customer", "My Visa, ending four four one seven.")
    b.say(
        "trainee",
        "I'll refund the duplicate today, and you'll see it within three to five business days.",
    )
    if resolved:
        b.say("customer", "Okay, thank you, that's fine.")
        b.intensity(b.t_s, 2, 6, "concrete next step")
        b.events.append({"type": "hangup", "t_s": b.t_s, "by": "customer", "reason": "resolved"})
    else:
        b.say("customer", "That's not good enough. I'm done with you people.")
        b.intensity(b.t_s, 10, 6, "pushed too far")
        b.events.append(
            {"type": "hangup", "t_s": b.t_s, "by": "customer", "reason": "hung up: fed up"}
        )
    b.events.append({"type": "call_end", "t_s": b.t_s + 1, "reason": "hangup", "duration_s": 1})
    return b


def note_item(b: CallBuilder, note: str | None):  # type: ignore[no-untyped-def]
    call = call_inputs(b.analysis(), b.events, meta=META, case_note=note)
    item = load_rubric().item("case_note")
    assert item is not None
    (res,) = RulesJudge().judge(call, [item])
    return res


GOOD_NOTE = (
    "Customer charged twice for the monthly subscription (Visa ending 4417). "
    "I refunded the duplicate charge today; it shows within 3-5 business days. "
    "Customer accepted and was calm at the end."
)


def test_a_note_with_the_reference_failure_and_promise_scores_at_least_80_percent() -> None:
    it = note_item(billing_call(), GOOD_NOTE)
    assert it.score >= 0.8 * it.max, it.evidence
    found = " ".join(e.figure or "" for e in it.evidence if e.effect == "won")
    assert "reference" in found and "failure" in found and "promise" in found


def test_a_note_that_contradicts_the_call_scores_at_most_40_percent() -> None:
    wrong = (
        "Customer charged twice (Visa ending 4417). Refund will be issued by Friday next week. "
        "Customer was happy."
    )
    it = note_item(billing_call(resolved=False), wrong)
    assert it.score <= 0.4 * it.max, it.evidence
    lost = " ".join(e.figure or "" for e in it.evidence if e.effect == "lost")
    assert "contradicts the call" in lost and "the call promised" in lost


def test_no_note_scores_zero_with_a_tip() -> None:
    it = note_item(billing_call(), None)
    assert it.applicable and it.score == 0
    assert "no case note" in (it.evidence[0].figure or "")
    assert "case note" in it.tip.lower()


def test_a_recording_from_outside_voice_sim_is_not_marked_down_for_no_note() -> None:
    b = billing_call()
    b.events = []  # an outside recording: no call of ours, no note to expect
    call = call_inputs(b.analysis(), [])
    item = load_rubric().item("case_note")
    assert item is not None
    (it,) = RulesJudge().judge(call, [item])
    assert not it.applicable


def test_references_written_or_spoken() -> None:
    assert references("Job seven seven three one, Visa ending 4417.") >= {"7731", "4417"}
    assert "dana.whitaker@example.com" in references("It's dana dot whitaker at example dot com.")
    assert "055221984" in references("Oh five five, two two one, nine eight four.")


def test_note_is_stored_in_the_session_folder_and_scored(tmp_path: Path) -> None:
    b = billing_call()
    folder = b.write(tmp_path / "s")
    (folder / "meta.json").write_text(json.dumps(META), encoding="utf-8")
    assert score_folder(folder).item("case_note").score == 0
    write_case_note(folder, GOOD_NOTE + "\n")
    assert read_case_note(folder) == GOOD_NOTE
    card = score_folder(folder)
    assert card.item("case_note").score >= 0.8 * card.item("case_note").max
    assert "Case note" in (folder / "report.html").read_text(encoding="utf-8")


def test_note_refuses_an_empty_note_and_a_folder_that_is_not_a_session(tmp_path: Path) -> None:
    with pytest.raises(ScoringError, match="not a session folder"):
        write_case_note(tmp_path, "text")
    (tmp_path / "meta.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ScoringError, match=r"case_note\.md: the case note is empty"):
        write_case_note(tmp_path, "  \n")


def test_the_reference_a_note_is_credited_for_is_the_same_on_every_run() -> None:
    """A note naming two of the call's references is credited with one of them: the same one
    whatever the interpreter's string hashing (it used to be the first of a set, so the same
    call's scorecard.json changed from run to run)."""
    import os
    import subprocess
    import sys

    program = (
        "from scoring.case_note import check_note\n"
        "facts = check_note('Card 4417, account 7731, email dana@example.com.',"
        " customer_words=['Card ending 4417, account 7731, dana@example.com'],"
        " failure=['charge'], complaint=[], promises=[], outcome=None, accepted=None)\n"
        "print(facts[0].found)\n"
    )
    found = set()
    for seed in ("1", "2", "3", "4"):
        env = os.environ | {"PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True
        )
        found.add(run.stdout.strip())
    assert len(found) == 1, found
