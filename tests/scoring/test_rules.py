"""Each rubric item with a positive and a negative call (transcript or measured figures)."""

from __future__ import annotations

import pytest

from scoring import ItemScore, RulesJudge, ScoringSettings, call_inputs, load_rubric
from scoring.rubric import CALL_ITEM_IDS

from .conftest import OPENING, CallBuilder

RUBRIC = load_rubric()


def score(b: CallBuilder, item_id: str, **kw: object) -> ItemScore:
    call = call_inputs(b.analysis(), b.events, **kw)  # type: ignore[arg-type]
    item = RUBRIC.item(item_id)
    assert item is not None
    (result,) = RulesJudge(ScoringSettings()).judge(call, [item])
    return result


def opened(first_reply: str, *more: str) -> CallBuilder:
    b = CallBuilder()
    b.say("customer", OPENING, gap_s=0.2)
    b.say("trainee", first_reply)
    for line in more:
        b.say("customer", "Right.")
        b.say("trainee", line)
    return b


def lost_quotes(it: ItemScore) -> list[str]:
    return [e.quote or "" for e in it.evidence if e.effect == "lost"]


def test_every_item_has_a_check() -> None:
    from scoring.rules import CHECKS

    assert set(CHECKS) == set(CALL_ITEM_IDS) == {it.id for it in RUBRIC.items}


# -- let the customer finish ----------------------------------------------------------------


def test_let_finish_full_without_interruptions_backchannels_do_not_count() -> None:
    b = opened("I'm sorry about the delivery dates. What is the order number?")
    b.backchannels.append({"by": "trainee", "start_s": 2.0, "duration_s": 0.4})
    it = score(b, "let_finish")
    assert it.score == it.max
    assert "listening cue" in (it.evidence[0].figure or "")


def test_let_finish_loses_per_interruption_with_time_and_words() -> None:
    b = CallBuilder()
    b.say("customer", OPENING, gap_s=0.2)
    b.say("trainee", "Okay okay let me stop you there", at_s=3.0)
    b.interrupt(3.0, overlap_s=1.5)
    b.say("customer", "I was not finished, my order is late again and again and again.")
    b.say("trainee", "Right but listen", at_s=b.turns[-1]["start_s"] + 2.0)
    b.interrupt(b.turns[-1]["start_s"], overlap_s=1.1)
    it = score(b, "let_finish")
    assert it.score == pytest.approx(it.max * (1 - 2 * 0.34))
    assert [e.start_s for e in it.evidence] == [3.0, pytest.approx(b.turns[-1]["start_s"])]
    assert "Okay okay let me" in (it.evidence[0].quote or "")
    assert "1.5 s" in (it.evidence[0].figure or "")


def test_customer_interrupting_trainee_costs_nothing() -> None:
    b = opened("I'm sorry, what is the order number?")
    b.interrupt(b.turns[-1]["start_s"] + 0.5, by="customer")
    it = score(b, "let_finish")
    assert it.score == it.max


# -- acknowledge ------------------------------------------------------------------------------


def test_acknowledge_specific_failure_full() -> None:
    it = score(
        opened("I'm so sorry, three different delivery dates is not acceptable."), "acknowledge"
    )
    assert it.score == it.max
    assert "delivery" in (it.evidence[0].figure or "")


def test_acknowledge_generic_half() -> None:
    it = score(opened("I understand your frustration, sir, I really do."), "acknowledge")
    assert it.score == pytest.approx(it.max / 2)
    assert "not the specific failure" in (it.evidence[0].figure or "")


def test_acknowledge_generic_with_a_lookup_question_is_still_generic() -> None:
    it = score(opened("I'm sorry about that. Can you give me the order number?"), "acknowledge")
    assert it.score == pytest.approx(it.max / 2)


def test_acknowledge_specifics_in_the_next_statement_count() -> None:
    it = score(opened("I'm so sorry. Three different delivery dates is not okay."), "acknowledge")
    assert it.score == it.max


def test_acknowledge_missing_zero() -> None:
    it = score(opened("Can I get your account number and postcode please?"), "acknowledge")
    assert it.score == 0
    assert it.evidence[0].quote and "account number" in it.evidence[0].quote


def test_acknowledge_skips_greeting_before_the_complaint() -> None:
    b = CallBuilder()
    b.say("trainee", "Thanks for calling, this is Sam, how can I help?", gap_s=0.0)
    b.say("customer", OPENING)
    b.say("trainee", "I am sorry your order has had three different dates.")
    it = score(b, "acknowledge")
    assert it.score == it.max


def test_acknowledge_waits_for_the_complaint_after_hello() -> None:
    b = CallBuilder()
    b.say("customer", "Hello?", gap_s=0.2)
    b.say("trainee", "Hi, thanks for calling, my name is Sam, how can I help?")
    b.say("customer", OPENING)
    b.say("trainee", "I am sorry your order has had three different dates.")
    it = score(b, "acknowledge")
    assert it.score == it.max and it.evidence[0].start_s == b.turns[-1]["start_s"]


# -- diagnose ---------------------------------------------------------------------------------


def test_diagnose_question_before_offer_full() -> None:
    b = opened(
        "I'm sorry about that. When did you place the order?",
        "I will arrange a refund of the shipping today.",
    )
    it = score(b, "diagnose")
    assert it.score == it.max
    assert it.evidence[0].quote == "When did you place the order?"


def test_diagnose_offer_before_any_question_zero() -> None:
    b = opened("I can give you a discount on your next order.", "What is your order number?")
    it = score(b, "diagnose")
    assert it.score == 0
    assert "discount" in (it.evidence[0].figure or "")


def test_diagnose_no_question_at_all_zero() -> None:
    it = score(opened("I see, that is bad."), "diagnose")
    assert it.score == 0
    assert "no diagnostic question" in (it.evidence[0].figure or "")


def test_diagnose_courtesy_question_is_not_diagnostic() -> None:
    it = score(opened("Sorry about that. Is there anything else I can help with?"), "diagnose")
    assert it.score == 0


def test_diagnose_line_checks_are_not_questions_about_the_problem() -> None:
    it = score(opened("Hello? Can you hear me? I can offer a refund."), "diagnose")
    assert it.score == 0


def test_diagnose_repeated_apology_before_asking_half() -> None:
    b = opened(
        "I'm so sorry about this whole thing.",
        "I'm really sorry about all of this, truly.",
        "Which address was it going to?",
    )
    it = score(b, "diagnose")
    assert it.score == pytest.approx(it.max / 2)


# -- restate ----------------------------------------------------------------------------------


def test_restate_with_cue_and_details_full() -> None:
    b = opened("Just to confirm, you were given three different delivery dates for this order?")
    it = score(b, "restate")
    assert it.score == it.max


def test_restate_missing_zero() -> None:
    it = score(opened("Okay. Let me look."), "restate")
    assert it.score == 0
    assert "never restated" in (it.evidence[0].figure or "")


def test_restate_cue_without_details_half() -> None:
    it = score(opened("Let me make sure I have this right."), "restate")
    assert it.score == pytest.approx(it.max / 2)


# -- next step --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "I will call the courier and phone you back by 3 pm today.",
        "I'll email you the tracking link within the next hour.",
        "I am going to escalate this and update you tomorrow morning.",
    ],
)
def test_next_step_owner_and_time_full(line: str) -> None:
    it = score(opened("Sorry about that.", line), "next_step")
    assert it.score == it.max
    assert it.evidence[0].quote == line


def test_next_step_without_time_half() -> None:
    it = score(opened("Sorry about that.", "I will call the courier for you."), "next_step")
    assert it.score == pytest.approx(it.max / 2)
    assert "no time" in (it.evidence[0].figure or "")


def test_next_step_vague_we_zero() -> None:
    it = score(opened("Sorry about that.", "We will look into it."), "next_step")
    assert it.score == 0
    assert it.evidence[0].quote == "We will look into it."


# -- trigger and hedge phrases ----------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "calm down",
        "Unfortunately",
        "per our policy",
        "nothing I can do",
        "not my department",
        "maybe",
        "I don't know",
    ],
)
def test_each_trigger_phrase_is_named(phrase: str) -> None:
    it = score(opened(f"Well, {phrase}, that is how it goes."), "no_triggers")
    assert it.score == pytest.approx(it.max * (1 - 0.34))
    assert [q.lower() for q in lost_quotes(it)] == [phrase.lower()]


@pytest.mark.parametrize(
    "heard", ["For our policy", "According to our policy", "as per the policy"]
)
def test_policy_phrase_as_speech_recognition_hears_it(heard: str) -> None:
    it = score(opened(f"{heard}, there is no refund."), "no_triggers")
    assert [q.lower() for q in lost_quotes(it)] == [heard.lower()]


def test_no_triggers_clean_call_full() -> None:
    it = score(opened("I'm sorry. What is the order number so I can check?"), "no_triggers")
    assert it.score == it.max


def test_i_dont_know_with_follow_up_is_fine() -> None:
    it = score(opened("I don't know yet, but I'll find out and call you back."), "no_triggers")
    assert it.score == it.max


def test_three_triggers_floor_at_zero_and_coach_phrases_count() -> None:
    it = score(opened("Calm down. Unfortunately, per our policy, no."), "no_triggers")
    assert it.score == 0
    from scoring.rubric import RubricItem

    b = opened("Rules are rules, sir.")
    call = call_inputs(b.analysis(), b.events)
    extra = RubricItem("no_triggers", "No triggers", 12, "", phrases=("rules are rules",))
    (res,) = RulesJudge().judge(call, [extra])
    assert lost_quotes(res) == ["Rules are rules"]


# -- ownership --------------------------------------------------------------------------------


def test_ownership_i_language_full() -> None:
    it = score(opened("Let me check that. I will sort it out."), "ownership")
    assert it.score == it.max


def test_ownership_we_language_zero() -> None:
    it = score(opened("We can't do that. They will have to decide."), "ownership")
    assert it.score == 0
    assert {q.lower() for q in lost_quotes(it)} >= {"we can't", "they will"}


# -- boundary ---------------------------------------------------------------------------------


def abusive(*trainee: str) -> CallBuilder:
    b = CallBuilder()
    b.say("customer", "You are a useless idiot and your company is a joke.", gap_s=0.2)
    for line in trainee:
        b.say("trainee", line)
        b.say("customer", "Whatever.")
    return b


def test_boundary_not_applicable_without_abuse() -> None:
    it = score(opened("I'm sorry about the dates."), "boundary")
    assert not it.applicable


def test_boundary_warning_full() -> None:
    b = abusive("I want to help you, but I can't continue this call if the insults continue.")
    it = score(b, "boundary")
    assert it.applicable and it.score == it.max


def test_boundary_unaddressed_half_and_hangup_without_warning_zero() -> None:
    it = score(abusive("Okay, what is your order number?"), "boundary")
    assert it.score == pytest.approx(it.max / 2)
    b = abusive("Okay, what is your order number?")
    b.events.append({"type": "hangup", "t_s": b.t_s, "by": "trainee", "reason": "abuse"})
    it = score(b, "boundary")
    assert it.score == 0
    assert "without a warning" in (it.evidence[-1].figure or "")


def test_boundary_retaliation_zero() -> None:
    it = score(abusive("Don't talk to me like that, you idiot."), "boundary")
    assert it.score == 0
    assert any(e.effect == "lost" for e in it.evidence)


def test_boundary_applies_for_known_abusive_persona() -> None:
    it = score(opened("I'm sorry about the dates."), "boundary", archetype="abusive")
    assert it.applicable and it.score == pytest.approx(it.max / 2)


# -- composure --------------------------------------------------------------------------------


def test_composure_steady_voice_full() -> None:
    b = opened("Sorry about that.", "Let me check.", "I will call you back today.")
    b.drift = {"trainee": {"pitch_st": -0.5, "loudness_db": -1.0, "wpm_pct": 2.0}}
    it = score(b, "composure")
    assert it.score == it.max
    assert any("-0.5 semitones" in (e.figure or "") for e in it.evidence)


def test_composure_rising_pitch_loudness_pace_zero() -> None:
    b = opened("Sorry about that.", "Let me check.", "I will call you back today.")
    b.drift = {"trainee": {"pitch_st": 3.1, "loudness_db": 4.2, "wpm_pct": 35.0}}
    it = score(b, "composure")
    assert it.score == pytest.approx(0, abs=1e-9)
    figs = " ".join(e.figure or "" for e in it.evidence if e.effect == "lost")
    assert "+3.1 semitones" in figs and "+4.2 dB" in figs and "+35.0 %" in figs
    # Each rising figure points at the turn where it peaked, in the last third of the call.
    last = [t for t in b.turns if t["speaker"] == "trainee"][-1]
    assert all(e.start_s == last["start_s"] for e in it.evidence if e.effect == "lost")


def test_composure_mirroring_customer_volume_is_named() -> None:
    b = CallBuilder()
    b.say("customer", OPENING, gap_s=0.2, loudness_dbfs=-24.0)
    b.say("trainee", "I'm sorry to hear that.", loudness_dbfs=-26.0)
    b.say("customer", "I said it is late!", loudness_dbfs=-24.0)
    b.say("trainee", "I know.", loudness_dbfs=-26.0)
    b.say("customer", "THIS IS RIDICULOUS, FIX IT NOW!", loudness_dbfs=-12.0)
    b.say("trainee", "I AM TRYING TO FIX IT!", loudness_dbfs=-15.0)
    b.drift = {"trainee": {"pitch_st": 0.0, "loudness_db": 0.0, "wpm_pct": 0.0}}
    it = score(b, "composure")
    lost = [e for e in it.evidence if e.effect == "lost"]
    assert len(lost) == 1 and lost[0].quote == "I AM TRYING TO FIX IT!"
    assert "+11.0 dB" in (lost[0].figure or "")
    assert it.score == pytest.approx(it.max * 2 / 3)


# -- pace and dead air ------------------------------------------------------------------------


def test_pace_calm_and_announced_silence_full() -> None:
    b = opened("Sorry about that. One moment while I check the order.")
    b.silence(5.0)
    b.say("trainee", "Thanks for holding. I found it.")
    it = score(b, "pace")
    assert it.score == it.max
    assert any("hold notice" in (e.figure or "") for e in it.evidence)


def test_pace_unexplained_dead_air_and_fast_pace() -> None:
    b = opened("Sorry about that.")
    b.silence(6.0)
    b.say("customer", "Hello?")
    b.trainee_wpm = 230.0
    it = score(b, "pace")
    assert it.score == pytest.approx(it.max * 0.25)
    figs = [e.figure or "" for e in it.evidence if e.effect == "lost"]
    assert any("6.0 s of unexplained dead air" in f for f in figs)
    assert any("230 words per minute" in f for f in figs)


def test_pace_rushed_turn_is_named() -> None:
    b = opened("Sorry about that, let me just quickly go through all of the details here now.")
    b.turns[-1]["wpm"] = 260.0
    it = score(b, "pace")
    assert any("rushed turn at 260" in (e.figure or "") for e in it.evidence)
    assert it.score < it.max


# -- outcome ----------------------------------------------------------------------------------


def test_outcome_customer_calmer_full() -> None:
    b = opened("Sorry about that.")
    b.intensity(0.0, 7, None).intensity(5.0, 5, 7).intensity(9.0, 3, 5)
    it = score(b, "outcome")
    assert it.score == it.max
    assert "7 -> 3" in (it.evidence[0].figure or "")


def test_outcome_customer_angrier_and_hangs_up_zero() -> None:
    b = opened("Calm down.")
    b.intensity(0.0, 6, None).intensity(4.0, 9, 6, "told to calm down")
    b.events.append({"type": "hangup", "t_s": 8.0, "by": "customer", "reason": "fed up"})
    it = score(b, "outcome")
    assert it.score == 0
    figs = " ".join(e.figure or "" for e in it.evidence)
    assert "rose to 9: told to calm down" in figs and "hung up" in figs


def test_outcome_without_events_uses_customer_loudness() -> None:
    b = opened("Sorry about that.")
    b.drift = {"customer": {"loudness_db": -6.0}}
    it = score(b, "outcome")
    assert it.score == it.max and "loudness" in (it.evidence[0].figure or "")


def test_untranscribed_call_leaves_language_items_out_with_a_warning() -> None:
    from scoring import score_inputs

    b = opened("I'm sorry. What is the order number?")
    for t in b.turns:
        t["text"], t["word_times"] = "", []
    judge = RulesJudge()
    card = score_inputs(call_inputs(b.analysis(), b.events), judge=judge)
    assert not card.item("acknowledge").applicable and card.item("let_finish").applicable
    assert len(card.warnings) == 1 and "no trainee words" in card.warnings[0]
    again = score_inputs(call_inputs(good_analysis(), []), judge=judge)
    assert again.warnings == ()  # a reused judge does not carry the last call's warnings


def good_analysis() -> dict[str, object]:
    from .conftest import good_call

    return good_call().analysis()


def test_restate_with_check_back_in_the_same_turn() -> None:
    b = CallBuilder()
    b.say(
        "customer",
        "You charged me twice this month and I want to know what is going on.",
        gap_s=0.2,
    )
    b.say("trainee", "Thank you. You were billed twice this month. Is that right?")
    it = score(b, "restate")
    assert it.score == it.max and it.evidence[0].quote == "You were billed twice this month."


def test_customer_pause_after_a_question_is_not_dead_air() -> None:
    b = opened("Sorry about that. What is the order number?")
    b.silence(4.0)
    b.say("customer", "Let me find it, it is four four seven two.")
    it = score(b, "pace")
    assert it.score == it.max
    assert any("not dead air" in (e.figure or "") for e in it.evidence)


def test_customer_checking_the_line_makes_it_the_trainees_dead_air() -> None:
    b = opened("Sorry about that. The parcel is late.")
    b.silence(4.0)
    b.say("customer", "Hello? Are you still there?")
    it = score(b, "pace")
    assert it.score == pytest.approx(it.max * 0.75)


def test_the_scorecards_dead_air_is_the_analysis_dead_air_when_words_add_nothing() -> None:
    """Dead air means the same in analysis.json and the scorecard: of three silences, only the
    one the trainee left after the customer's turn is dead air in both."""
    from scoring import score_inputs

    b = opened("Sorry about that. The parcel is late.")
    b.silence(4.0)  # after the trainee's words: the customer's to break
    b.say("customer", "Well I have been waiting three weeks for it now.")
    b.silence(4.5)  # the customer's own pause between two of their turns
    b.say("customer", "And I need it by Friday for my shop.")
    b.silence(5.0)  # the customer finished; the trainee says nothing
    b.say("trainee", "I will call the depot now and phone you back by three today.")
    a = b.analysis()
    assert [(q["from"], q["to"]) for q in a["silences"]] == [
        ("trainee", "customer"),
        ("customer", "customer"),
        ("customer", "trainee"),
    ]
    card = score_inputs(call_inputs(a, b.events))
    assert [(x.start_s, x.duration_s) for x in card.dead_air] == [
        (d["start_s"], d["duration_s"]) for d in a["dead_air"]
    ]
    assert len(card.dead_air) == 1 and card.to_dict()["silences"][2]["verdict"] == "dead_air"


def test_pace_just_outside_the_band_loses_a_little() -> None:
    b = opened("Sorry about that.")
    b.trainee_wpm = 190.0
    it = score(b, "pace")
    assert it.score == pytest.approx(it.max * (0.5 * (1 - 10 / 40) + 0.5))


def test_sentences_keep_prices_and_abbreviations_whole() -> None:
    from personas.phrases import sentences

    b = opened("So you were billed $49.99 twice. I will call by 3 p.m. today. Okay?")
    turn = call_inputs(b.analysis(), b.events).turns_of("trainee")[0]
    assert [s.text for s in sentences(turn.text)] == [
        "So you were billed $49.99 twice.",
        "I will call by 3 p.m. today.",
        "Okay?",
    ]


def test_restate_evidence_quotes_the_restating_sentence() -> None:
    b = CallBuilder()
    b.say(
        "customer", "Nobody showed up for the installation and I took a day off for it.", gap_s=0.2
    )
    b.say("trainee", "Thank you. So you were billed twice this month. Is that right?")
    it = score(b, "restate")
    assert it.score == pytest.approx(it.max / 2)
    assert it.evidence[0].quote == "So you were billed twice this month."


def test_mono_recording_leaves_customer_items_out() -> None:
    from scoring import score_inputs

    b = opened("I'm sorry. What is the order number? I will call you back by 5 pm today.")
    a = b.analysis()
    a["channels"] = {"trainee": 0}
    a["turns"] = [t for t in a["turns"] if t["speaker"] == "trainee"]
    card = score_inputs(call_inputs(a, []))
    na = {it.id for it in card.items if not it.applicable}
    assert na >= {"let_finish", "acknowledge", "restate", "outcome", "active_listening"}
    assert card.item("next_step").applicable
    assert card.item("next_step").score == card.item("next_step").max


# -- the misreads a coach disputed (issue 12) --------------------------------------------------


def test_check_back_in_the_next_segment_of_the_same_turn_completes_the_restatement() -> None:
    b = CallBuilder()
    b.say("customer", "You charged me forty nine ninety nine twice this month.", gap_s=0.2)
    b.say("trainee", "So you were billed forty nine ninety nine twice this month.")
    b.say("trainee", "Is that right?", gap_s=0.7)  # VAD split the turn at a short pause
    it = score(b, "restate")
    assert it.score == it.max, it.evidence


def test_they_about_the_charges_costs_no_ownership() -> None:
    it = score(opened("Which card were they on? I will check both charges now."), "ownership")
    assert it.score == it.max
    assert not lost_quotes(it)


def test_blaming_a_third_party_loses_ownership() -> None:
    it = score(opened("That's the warehouse's fault, not ours. I will check it."), "ownership")
    assert it.score < it.max / 2
    assert any("warehouse" in q for q in lost_quotes(it))


def test_sometime_soon_is_a_vague_timeline() -> None:
    it = score(opened("I'm sorry about that. It should ship sometime soon."), "next_step")
    assert it.score == 0
    assert any("vague timeline" in (e.figure or "") for e in it.evidence if e.effect == "lost")


def test_a_collaborative_question_is_not_asking_before_answering() -> None:
    it = score(opened("Can we work on it together? I can refund the shipping."), "diagnose")
    assert it.score == 0


def test_acknowledge_tip_names_this_callers_failure() -> None:
    b = CallBuilder()
    b.say(
        "customer",
        "Oh, hello, dear. My bill is different this month and the computer won't let me in.",
        gap_s=0.2,
    )
    b.say("trainee", "Can I take your name please?")
    it = score(b, "acknowledge", persona="elderly-confused")
    assert it.score == 0
    assert "double charge" not in it.tip and "late order" not in it.tip
    assert "bill" in it.tip


@pytest.mark.parametrize("notice", ["Hang on, I'm pulling it up.", "I'll put you on hold."])
def test_hold_notices_the_director_accepts_excuse_the_silence(notice: str) -> None:
    b = opened(f"Sorry about that. {notice}")
    b.silence(6.0)
    b.say("trainee", "Thanks for holding, I found it.")
    it = score(b, "pace")
    assert it.score == it.max


# -- active listening, pace matching, thanks (issue 14) ----------------------------------------

VENT = (
    "I have been waiting three weeks for my order and every single time I call somebody gives "
    "me a different date and nobody ever calls me back and I am honestly sick of it all now."
)


def vent_call(nods: int) -> CallBuilder:
    b = CallBuilder()
    b.say("customer", VENT, gap_s=0.2)  # about 14 s
    start, end = b.turns[-1]["start_s"], b.turns[-1]["end_s"]
    for k in range(nods):
        at = start + (k + 1) * (end - start) / (nods + 1)
        b.backchannels.append({"by": "trainee", "of": "customer", "start_s": at, "duration_s": 0.4})
    b.say("trainee", "I see. So what I'm hearing is the order keeps moving. Which order is it?")
    return b


def test_nods_during_a_long_customer_turn_are_credited_and_are_not_interruptions() -> None:
    nodded = score(vent_call(2), "active_listening")
    assert nodded.score == nodded.max
    assert score(vent_call(2), "let_finish").score == score(vent_call(0), "let_finish").max
    silent = score(vent_call(0), "active_listening")
    assert silent.score <= silent.max / 2
    assert any("silent through" in (e.figure or "") for e in silent.evidence)
    eager = score(vent_call(14), "active_listening")  # a nod every second earns nothing more
    assert eager.score == nodded.score


def paced(arch: str, customer_wpm_wps: float) -> ItemScore:
    b = CallBuilder()
    b.say(
        "customer", "My bill looks different this month and I cannot log in.", wps=customer_wpm_wps
    )
    b.say("trainee", "I see, let me go through the bill with you step by step now.", wps=2.7)
    return score(b, "pace_match", archetype=arch)


def test_the_same_trainee_pace_scores_differently_for_an_agitated_and_an_elderly_caller() -> None:
    angry = paced("angry", 3.4)  # the customer at about 200 wpm, the trainee at about 160
    elderly = paced("confused", 2.0)  # the customer at about 120 wpm
    assert angry.score > elderly.score
    assert angry.score == angry.max
    fig = elderly.evidence[0].figure or ""
    assert fig.startswith("you 16") and "the customer 120 wpm" in fig


def test_thanks_at_the_right_moment_but_not_as_first_words_to_an_angry_caller() -> None:
    first = opened("Thank you for calling us today. What is the order number?")
    it = score(first, "thanks", archetype="angry")
    assert it.score == 0 and "first words" in (it.evidence[0].figure or "")
    later = opened(
        "I'm sorry about the dates. What is the order number?",
        "Thank you for your patience, I will call you by 3 pm.",
    )
    assert score(later, "thanks", archetype="angry").score == score(later, "thanks").max
    assert score(opened("I'm sorry about the dates."), "thanks").score == 0


def test_thanks_reads_the_callers_starting_intensity_as_every_item_does() -> None:
    """A log that opens with a move (7 -> 5) started the caller at 7, an upset caller: the
    thank-you as the first words is the wrong moment, as the outcome item and the session
    read the same start (it used to take the level after the move, 5)."""
    b = opened("Thank you for calling us today. What is the order number?")
    b.intensity(b.turns[1]["end_s"], 5, 7, "the agent asked a question")
    call = call_inputs(b.analysis(), b.events)
    assert call.start_intensity == 7
    it = score(b, "thanks")
    assert it.score == 0 and "first words" in (it.evidence[0].figure or "")


def test_fillers_shown_and_scored_only_when_the_transcription_finds_them() -> None:
    b = opened(
        "Um, I'm, uh, so sorry about the dates. Uh, what is the, um, order number?",
        "So, uh, like, I will, um, call you by 3 pm.",
    )
    call = call_inputs(b.analysis(), b.events)
    item = RUBRIC.item("fillers")
    assert item is not None
    # the shipped transcription keeps too few fillers (bench/fillers.py): shown, not scored
    (shown,) = RulesJudge().judge(call, [item])
    assert not shown.applicable and "7 filler(s) heard" in (shown.evidence[0].figure or "")
    # a transcriber measured at 85% recall: scored, with the fillers named
    (it,) = RulesJudge(ScoringSettings(filler_recall=0.85)).judge(call, [item])
    assert it.applicable and it.score < it.max
    assert '"uh" x3' in (it.evidence[0].figure or "") and '"um" x3' in (it.evidence[0].figure or "")
    # the language items read past the hesitations
    assert score(b, "acknowledge").score == score(b, "acknowledge").max
    assert score(b, "next_step").score == score(b, "next_step").max
