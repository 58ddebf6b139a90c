"""The escalation director: the seeds' mistakes drive each archetype up, good practice down."""

from __future__ import annotations

import pytest

from personas import Director, DirectorSettings, TraineeTurn, get_persona, list_personas

#: Good practice: acknowledge the specific failure, diagnose, restate, concrete next step.
GOOD = {
    "angry-billing": [
        "I'm so sorry you were charged twice this month, that should not have happened.",
        "Can you tell me the dates and amounts of both charges?",
        "So you were charged twice, forty-nine ninety-nine on the third and the fourth.",
        "I've issued a refund for the duplicate charge; you'll see it within 3 to 5 business days,"
        " and I'll email you the confirmation in the next ten minutes.",
    ],
    "abusive-caller": [
        "I want to help you, but I need us to keep the language respectful so I can sort this out.",
        "I'm sorry the technician never came after you took the day off. What was "
        "the appointment time?",
        "I'll book you the first slot tomorrow, 8 to 10, and I'll credit this month by end of day.",
    ],
    "elderly-confused": [
        "That's okay, I understand, let's go through your bill together slowly.",
        "What looks different on the bill this month?",
        "So your bill is higher this month, sixty-four instead of forty-nine.",
        "I'll send you a letter today that explains the one-off fee, and it won't repeat.",
    ],
    "eu-webhooks": [
        "I understand the webhooks for your EU customers aren't arriving, that's serious.",
        "Since when, and what share of the payment events is affected?",
        "I'll send you the next incident update at 10:30, and events are retried for 72 hours.",
    ],
}

#: The seeds' mistakes.
BAD = [
    "Calm down, please.",
    "Unfortunately, per our policy there's nothing I can do.",
    "You should have read the terms.",
    "We're looking into it, it'll be fixed soon.",
    "No.",
    "As I said, no.",
]


def run(pid: str, lines: list[str], **kw: object) -> tuple[Director, list]:  # type: ignore[type-arg]
    d = Director(get_persona(pid), **kw)  # type: ignore[arg-type]
    changes = []
    for text in lines:
        ch, _ = d.hear(TraineeTurn(text))
        changes += ch
        if d.stage == "hanging_up":
            break
    return d, changes


@pytest.mark.parametrize("pid", sorted(GOOD))
def test_good_practice_calms_each_archetype(pid: str) -> None:
    start = get_persona(pid).start_intensity
    d, changes = run(pid, GOOD[pid])
    assert d.level < start
    assert d.level <= DirectorSettings().resolve_level
    assert d.stage in ("resolving", "closing")
    downs = [c for c in changes if c.previous is not None and c.level < c.previous]
    assert downs and all(c.reason for c in downs)


@pytest.mark.parametrize("pid", ["angry-billing", "abusive-caller", "eu-webhooks", "refund-denied"])
def test_the_seeds_mistakes_escalate_to_a_hang_up(pid: str) -> None:
    d, changes = run(pid, BAD)
    assert d.level >= 9
    assert d.stage == "hanging_up"
    assert d.end_reason and d.end_reason.startswith("hung up")
    ups = [c for c in changes if c.previous is not None and c.level > c.previous]
    assert ups and all(c.reason and c.trigger for c in ups)


def test_confused_caller_climbs_on_jargon_and_speed() -> None:
    d = Director(get_persona("elderly-confused"))
    before = d.level
    ch, _ = d.hear(
        TraineeTurn(
            "Your OAuth token expired, so clear the cache and re-authenticate.",
            interrupted_customer=True,
        )
    )
    assert d.level > before
    triggers = {c.trigger for c in ch}
    assert {"interrupting", "jargon"} <= triggers | {t for c in ch for t in [c.trigger]}
    assert any("jargon" in c.reason for c in ch)


@pytest.mark.parametrize(
    ("text", "trigger", "words"),
    [
        ("Calm down, sir.", "calm_down", "calm down"),
        ("Unfortunately that charge is valid.", "unfortunately", "unfortunately"),
        (
            "Per our policy we only refund within 30 days, I can offer a credit.",
            "per_policy",
            "policy",
        ),
        ("No, we can't do that.", "flat_no", "flat no"),
        ("You should have cancelled before the renewal.", "blaming", "blamed"),
        ("It should be sorted soon.", "vague_timeline", "vague timeline"),
    ],
)
def test_each_phrase_trigger_has_a_coach_reason(text: str, trigger: str, words: str) -> None:
    d = Director(get_persona("angry-billing"), start_level=4)
    ch, v = d.hear(TraineeTurn(text))
    assert trigger in v.escalators
    c = next(c for c in ch if c.trigger == trigger)
    assert c.level > c.previous  # type: ignore[operator]
    assert words in c.reason


def test_alternative_turns_a_no_into_no_flat_no() -> None:
    d = Director(get_persona("angry-billing"), start_level=4)
    _, v = d.hear(
        TraineeTurn(
            "I can't refund it to that card, but what I can do is send it to your new card."
        )
    )
    assert "flat_no" not in v.escalators


def test_dead_air_is_heard_as_it_happens_and_a_slow_answer_is_not_dead_air() -> None:
    d = Director(get_persona("known-bug"), start_level=4)
    ch, v = d.silence(5.0)
    assert v.escalators == ("dead_air",) and v.intent == "silence"
    assert ch[0].previous == 4 and ch[0].level > 4
    assert "dead air" in ch[0].reason and "5.0 s" in ch[0].reason
    # the answer that ends a silence is not blamed for it a second time
    _, v = d.hear(TraineeTurn("Okay.", response_latency_s=20.0))
    assert "dead_air" not in v.escalators


def test_a_hold_notice_turns_silence_into_a_hold_check() -> None:
    d = Director(get_persona("known-bug"), start_level=4)
    d.hear(TraineeTurn("Let me check that for you, one moment."))
    assert d.hold_announced and d.hold_s() > d.patience_s()
    ch, v = d.silence(45.0, hold=True)
    assert v.intent == "hold_check" and "hold" in ch[0].reason


def test_patience_depends_on_archetype_and_intensity() -> None:
    calm = Director(get_persona("elderly-confused"), start_level=0)
    angry = Director(get_persona("angry-billing"), start_level=0)
    assert calm.patience_s() > angry.patience_s()
    hot = Director(get_persona("angry-billing"), start_level=9)
    assert hot.patience_s() < angry.patience_s()
    assert hot.patience_s() >= DirectorSettings().dead_air_s


def test_long_silence_hangs_up() -> None:
    p = get_persona("eu-webhooks")
    d = Director(p)
    _, v = d.silence(p.hang_up.max_silence_s + 1)  # type: ignore[union-attr]
    assert v.intent == "hang_up"
    assert d.end_reason and "silence" in d.end_reason


def test_interruption_and_raised_voice_from_the_live_call() -> None:
    d = Director(get_persona("angry-billing"), start_level=3)
    ch, v = d.hear(TraineeTurn("Okay.", interrupted_customer=True, loudness_vs_customer_db=9.0))
    assert v.escalators == ("interrupting", "raised_voice")
    assert [c.level for c in ch] == [4, 5]
    assert "9 dB louder" in ch[1].reason
    d = Director(get_persona("angry-billing"), start_level=3)
    _, v = d.hear(TraineeTurn("Okay.", loudness_vs_customer_db=2.0))
    assert not v.escalators


def test_fix_before_diagnosis_once() -> None:
    d = Director(get_persona("broken-dashboard"))
    _, v = d.hear(TraineeTurn("Try clearing your cache and restart the browser."))
    assert "fix_before_diagnosis" in v.escalators
    _, v = d.hear(TraineeTurn("Clear your cookies as well."))
    assert "fix_before_diagnosis" not in v.escalators


def test_diagnostic_first_then_fix_is_fine() -> None:
    d = Director(get_persona("broken-dashboard"))
    _, v = d.hear(TraineeTurn("Which widget on the dashboard is it?"))
    assert "diagnostic_question" in v.deescalators
    assert v.new_topics == (0,)
    _, v = d.hear(TraineeTurn("Let's reset the date filter together."))
    assert "fix_before_diagnosis" not in v.escalators


def test_boundary_settles_abusive_but_not_angry() -> None:
    line = "I want to help you, but please don't use that language with me."
    d = Director(get_persona("abusive-caller"))
    ch, v = d.hear(TraineeTurn(line))
    assert "boundary" in v.deescalators and ch[0].level < ch[0].previous  # type: ignore[operator]
    d = Director(get_persona("angry-billing"))
    _, v = d.hear(TraineeTurn(line))
    assert "boundary" not in v.deescalators


def test_same_apology_stops_working() -> None:
    d = Director(get_persona("angry-billing"), start_level=9)
    levels = []
    for _ in range(4):
        d.hear(TraineeTurn("I'm sorry you were charged twice."))
        levels.append(d.level)
    lim = DirectorSettings().repeat_limit
    assert lim >= 1 and lim + 1 < len(levels)
    assert levels[0] < 9  # the first apology helped
    assert levels[lim - 1] < levels[0] or lim == 1  # ...and so did each up to the limit
    assert levels[lim - 1] == levels[-1]  # no more effect after the repeat limit


def test_supervisor_demand_then_transfer_ends_the_call() -> None:
    d = Director(get_persona("angry-billing"), start_level=7)
    _, v = d.hear(TraineeTurn("Calm down."))
    assert v.intent == "supervisor" and d.stage == "supervisor"
    _, v = d.hear(TraineeTurn("Of course, I'll transfer you to my supervisor now."))
    assert v.intent == "transferred"
    assert d.end_reason == "transferred to a supervisor"


def test_refusals_lead_to_supervisor_demand() -> None:
    d = Director(get_persona("refund-denied"), start_level=3)
    d.hear(TraineeTurn("That's our policy, there's nothing I can do."))
    d.hear(TraineeTurn("No, that's not possible."))
    assert d.stage in ("supervisor", "hanging_up")


def test_ceiling_and_floor_hold() -> None:
    p = get_persona("elderly-confused")
    d = Director(p)
    for text in BAD * 2:
        d.hear(TraineeTurn(text))
        assert p.floor <= d.level <= p.ceiling
    d = Director(p, start_level=14)
    assert d.level == p.ceiling


def test_starting_event() -> None:
    d = Director(get_persona("angry-billing"), start_level=2)
    c = d.start()
    assert (c.level, c.previous, c.stage, c.reason) == (2, None, "opening", "starting intensity")
    assert c.to_event() == {"level": 2, "stage": "opening", "reason": "starting intensity"}


def test_settings_are_used() -> None:
    d = Director(get_persona("known-bug"), DirectorSettings(dead_air_s=10.0), start_level=4)
    assert d.patience_s() == 10.0


@pytest.mark.parametrize("pid", [p.id for p in list_personas()])
def test_every_persona_calms_with_good_practice_and_heats_with_mistakes(pid: str) -> None:
    p = get_persona(pid)
    issue = p.facts.issue_keywords[0]
    ask = p.facts.must_ask[0].keywords[0]
    good = [
        f"I'm sorry about the {issue}, that should not have happened.",
        f"Could you tell me about the {ask}?",
        f"So just to confirm, the problem is the {issue}.",
        "I'll take care of it personally and call you back by 3 pm today with it done.",
    ]
    start = max(p.start_intensity, 5)
    d, changes = run(pid, good, start_level=start)
    assert d.level < start, [c.reason for c in changes]
    assert d.stage in ("resolving", "closing"), d.stage
    d, changes = run(pid, BAD, start_level=max(p.start_intensity, 5))
    assert d.level > max(p.start_intensity, 5) or d.level == p.ceiling
    assert all(c.reason for c in changes)
