"""The one vocabulary the director and the scorer share: each detector on the phrases a coach
would name, including the misreads issues 11 and 12 reported."""

from __future__ import annotations

import pytest

from personas import get_persona
from personas import phrases as vocab


def kinds(text: str) -> list[str]:
    return [p.kind for p in vocab.triggers(text)]


def test_normalise_keeps_offsets_and_straightens_apostrophes() -> None:
    text = "I don\u2019t KNOW."
    assert vocab.normalise(text) == "i don't know."
    (p,) = vocab.triggers(text)
    assert text[p.start : p.end] == "don\u2019t KNOW" or p.text == "I don\u2019t KNOW"


def test_word_boundaries() -> None:
    assert not vocab.triggers("The relaxation room is upstairs.")  # "relax" inside a word
    assert kinds("Please relax.") == ["calm_down"]


def test_content_words_drop_stop_words_and_plurals() -> None:
    assert vocab.content_words("My orders were late, and the delivery dates changed!") == {
        "order",
        "late",
        "delivery",
        "date",
        "changed",
    }


@pytest.mark.parametrize(
    "text", ["Hang on a second.", "I'll put you on hold for a minute.", "One moment please."]
)
def test_hold_notices_the_director_and_the_scorer_both_accept(text: str) -> None:
    assert vocab.hold_notice(text) is not None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Okay, calm down.", "calm_down"),
        ("Unfortunately that charge is valid.", "unfortunately"),
        ("Per our policy we only refund within 30 days.", "per_policy"),
        ("No, we can't do that.", "flat_no"),
        ("You should have cancelled before the renewal.", "blame_customer"),
        ("That's not my department.", "deflect"),
        ("Maybe it comes next week.", "hedge"),
        ("I don't know.", "hedge"),
    ],
)
def test_each_trigger_kind(text: str, kind: str) -> None:
    assert kind in kinds(text)


def test_dont_know_with_a_follow_up_is_not_a_hedge() -> None:
    assert kinds("I don't know yet, but I'll find out and call you by 3 pm.") == []


def test_no_with_an_alternative_is_not_a_flat_no() -> None:
    assert vocab.flat_no("I can't refund it, but what I can do is a credit today.") is None


# -- issue 12 misreads ------------------------------------------------------------------------


def test_they_about_things_is_not_a_deflection() -> None:
    assert vocab.deflections("Which card were they on?") == []
    assert [p.kind for p in vocab.deflections("They will call you.")] == ["we_they"]


def test_blaming_a_third_party_is_caught() -> None:
    (p,) = vocab.deflections("That's the warehouse's fault, not ours.")
    assert p.kind == "blame_other" and "warehouse" in p.text
    assert [b.kind for b in vocab.blame("That's the warehouse's fault, not ours.")] == [
        "blame_other"
    ]


def test_it_should_ship_sometime_soon_is_a_vague_timeline() -> None:
    v = vocab.vague_time("It should ship sometime soon.")
    assert v is not None and v.text in ("sometime", "soon")
    assert vocab.vague_time("It should ship by Friday.") is None


@pytest.mark.parametrize(
    "text",
    [
        "Can we work on it together?",
        "Shall we sort this out?",
        "Let's get this fixed, okay?",
        "Would you like me to send a letter?",
        "Is there anything else?",
        "So you were charged twice, is that right?",
        "Can I put you on hold for a moment?",
    ],
)
def test_collaborative_courtesy_and_check_back_questions_are_not_diagnostic(text: str) -> None:
    assert vocab.diagnostic_questions(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Can I have the email address on the account?",
        "When did you first notice the second charge?",
        "Which card were they on?",
        "What does the error message say exactly",
    ],
)
def test_real_questions_are_diagnostic(text: str) -> None:
    assert vocab.diagnostic_questions(text)


def test_check_back_in_the_same_utterance_makes_a_restatement() -> None:
    text = "So you were billed forty nine ninety nine twice this month. Is that right?"
    r = vocab.restatement(text, ("twice", "double"))
    assert r is not None and r.full


def test_acknowledgement_names_the_persona_own_failure() -> None:
    elderly = get_persona("elderly-confused").facts.issue_keywords
    right = vocab.acknowledgement("I'm sorry your bill looks different, that's confusing.", elderly)
    wrong = vocab.acknowledgement("I'm sorry about the double charge.", elderly)
    assert right is not None and right.specific
    assert wrong is not None and not wrong.specific


def test_fix_offer_is_narrowed_to_the_thing_offered() -> None:
    p = vocab.fix_offer("I can give you a discount on your next order.")
    assert p is not None and p.text == "discount"
    assert vocab.fix_offer("When were you refunded?") is None  # asking about a refund


# -- issue 11: must-ask topics by the question asked ------------------------------------------


def topics_of(pid: str, text: str) -> list[str]:
    p = get_persona(pid)
    idx = vocab.asked_topics(text, [m.keywords for m in p.facts.must_ask])
    return [p.facts.must_ask[i].topic for i in idx]


def test_email_question_is_not_answered_with_the_appointment_time() -> None:
    assert topics_of("abusive-caller", "Can I have the email address on the account?") == []


def test_nobody_called_you_does_not_ask_whether_anyone_contacted_them() -> None:
    assert topics_of("abusive-caller", "I know nobody called you, I'm sorry.") == []
    said = "I'm sorry nobody called you. What's the best number to reach you?"
    assert topics_of("abusive-caller", said) == ["the best phone number"]


def test_a_question_word_alone_is_not_a_topic() -> None:
    assert topics_of("abusive-caller", "What time works for you tomorrow?") == []
    assert topics_of("abusive-caller", "When was the appointment?") == [
        "the appointment time and reference"
    ]
    assert topics_of("abusive-caller", "Did anyone call or text you about it?") == [
        "whether anyone contacted them"
    ]


def test_dead_air_definition() -> None:
    kw = {"dead_air_s": 3.0, "hold_max_s": 60.0}
    assert vocab.is_dead_air(3.5, held=False, **kw)
    assert not vocab.is_dead_air(2.5, held=False, **kw)
    assert not vocab.is_dead_air(30.0, held=True, **kw)
    assert vocab.is_dead_air(61.0, held=True, **kw)


# -- the general causes of the held-out misses (README, Scoring): fixes named by what they do,
# -- spoken times, a no said without refusal words -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I've switched auto-renew off for you.",  # an action on the account, done
        "What I can do is move you to the monthly plan.",  # offered
        "I can upgrade your grinder to the newer model instead.",
        "I'm cancelling the renewal now.",
        "Just re-authenticate the token in the settings.",  # an instruction to the customer
        "Okay, go to settings and switch the filter to all regions.",
        "You can roll back to the previous version from the billing page.",
    ],
)
def test_a_fix_is_named_by_what_it_does_not_by_a_list_of_fixes(text: str) -> None:
    assert vocab.fix_offer(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "Open the app and tell me what you see.",  # a diagnostic step
        "I'll switch you over to my supervisor.",  # a transfer
        "I've escalated it and I'll update you at eleven.",  # telling, not changing
        "I'll call the warehouse and phone you back by three.",
        "Let me check that for you.",
        "Copy that.",
        "Can you change the filter?",  # a question asks
    ],
)
def test_steps_that_change_nothing_are_not_fixes(text: str) -> None:
    assert vocab.fix_offer(text) is None


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("I'll send you the next update at ten thirty.", "at ten thirty"),
        ("I'll call you back by four.", "by four"),
        ("I'll ring you back at half past two.", "at half past two"),
        ("I'll go through the statement with you now.", "now"),
        ("I'll switch auto-renew off now.", "now"),
    ],
)
def test_spoken_times_without_am_or_pm_are_times(text: str, when: str) -> None:
    step = vocab.next_step(text)
    assert step is not None and step.concrete and step.time is not None
    assert step.time.text.lower() == when


@pytest.mark.parametrize(
    "text",
    [
        "I'll look at it for now.",  # "for now" is not a time
        "I'll refund ten percent of it.",  # a count, not a clock
        "At one point it worked.",
    ],
)
def test_numbers_and_now_that_are_not_times(text: str) -> None:
    step = vocab.next_step(text)
    assert step is None or not step.concrete


def test_a_rules_duration_is_not_a_deadline_and_a_time_dates_only_its_own_clause() -> None:
    said = "I can't refund cash after thirty days, but what I can do is switch you to monthly."
    step = vocab.next_step(said)
    assert step is not None and not step.concrete  # a step with no time
    both = "The window is thirty days, but I'll ask my team lead today."
    step = vocab.next_step(both)
    assert step is not None and step.concrete and step.time is not None
    assert step.time.text == "today"


@pytest.mark.parametrize(
    "text", ["Maybe next year.", "It might come later this year.", "In the coming weeks."]
)
def test_coarse_spans_are_vague_timelines(text: str) -> None:
    assert vocab.vague_time(text) is not None
    assert vocab.vague_time("You were charged twice this month.") is None
    assert vocab.vague_time("The link set the date filter to next month.") is None


@pytest.mark.parametrize(
    "text",
    [
        "Offline mode is not on the roadmap.",
        "That feature isn't available on your plan.",
        "Your grinder doesn't qualify for a return.",
        "There are no plans to change the limit.",
    ],
)
def test_a_no_said_without_refusal_words_is_a_flat_no(text: str) -> None:
    assert kinds(text) == ["flat_no"]
    # with something the trainee can do, it is a no with an alternative
    assert kinds(f"{text} But what I can do is send you the workaround today.") == []


def test_a_no_given_as_policy_is_counted_once_as_policy() -> None:
    assert kinds("The refund was denied as per policy.") == ["per_policy"]
    assert vocab.read_cues("The refund was denied as per policy.").refusal is None
    # in another sentence it is its own flat no
    assert sorted(kinds("Per our policy, refunds close at 30 days. No, we can't.")) == [
        "flat_no",
        "per_policy",
    ]


def test_no_thanks_thanks_nobody() -> None:
    assert vocab.thanks("No thanks needed, I'll do it now.") is None
    assert vocab.thanks("Thanks for waiting.") is not None
