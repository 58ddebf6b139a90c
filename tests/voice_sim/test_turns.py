"""The turn model over scripted timelines of voice edges, transcripts and customer lines.

The oracle is the timeline itself: each test writes down who spoke when and asserts the actions
a person on the other end would take (and the ones they never would).
"""

from __future__ import annotations

from voice_sim.turns import (
    Action,
    Backchannel,
    PauseLine,
    ReplyCommitted,
    ReplyWithdrawn,
    ResumeLine,
    SilenceHeld,
    SpeakUp,
    Speculate,
    StopLine,
    TalkOver,
    Transcribe,
    TurnEnded,
    TurnModel,
    TurnSettings,
)

S = TurnSettings(end_of_turn_s=0.3, turn_merge_s=1.2, collision_s=0.4, barge_in_s=0.3)


def run(m: TurnModel, t0: float, t1: float, step: float = 0.02) -> list[tuple[float, Action]]:
    """Tick the model every 20 ms from t0 to t1; return (time, action)."""
    out: list[tuple[float, Action]] = []
    n = round((t1 - t0) / step)
    for i in range(1, n + 1):
        t = round(t0 + i * step, 3)
        out += [(t, a) for a in m.tick(t)]
    return out


def kinds(actions: list[tuple[float, Action]]) -> list[str]:
    return [type(a).__name__ for _, a in actions]


def heard(m: TurnModel, text: str, *, complete: bool = True) -> None:
    assert m.turn is not None
    m.transcript(m.turn.id, text, until_s=m.turn.end_s, complete=complete)


def opened(m: TurnModel, end_s: float) -> None:
    """The customer's opening line plays from 0 to ``end_s``."""
    m.line_started(0.0, "opening")
    m.line_stopped(end_s)


def test_a_turn_split_by_a_short_pause_is_one_turn() -> None:
    m = TurnModel(S)
    opened(m, 1.0)
    m.voice_on(1.5)
    assert kinds([(0, a) for a in m.voice_off(2.5)]) == ["Transcribe"]
    heard(m, "I can see both charges,", complete=False)
    during = run(m, 2.5, 3.2)  # a 0.7 s pause mid-sentence
    m.voice_on(3.2)
    m.voice_off(4.2)
    heard(m, "I can see both charges, and I'm refunding one.")
    after = run(m, 4.2, 5.0)
    assert kinds(during) == []  # no end of turn, no silence, no prompt inside the turn
    ends = [a for _, a in after if isinstance(a, TurnEnded)]
    assert len(ends) == 1
    turn = ends[0].turn
    assert (turn.id, turn.start_s, turn.end_s) == (1, 1.5, 4.2)
    assert turn.segments == [(1.5, 2.5), (3.2, 4.2)]
    t_end = next(t for t, a in after if isinstance(a, TurnEnded))
    assert abs(t_end - 4.5) < 0.021  # end_of_turn_s after the last sound


def test_an_unfinished_sentence_waits_for_the_merge_threshold() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "The refund goes to your card and", complete=False)
    out = run(m, 2.0, 3.5)
    t_end = next(t for t, a in out if isinstance(a, TurnEnded))
    assert abs(t_end - 3.2) < 0.021  # turn_merge_s, not end_of_turn_s


def test_a_quick_reply_to_a_pause_is_taken_back_when_the_trainee_goes_on() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "So the refund goes back to your card.")  # reads finished, but is not
    run(m, 2.0, 2.4)
    m.line_started(2.4, "reply", turn_id=1)
    run(m, 2.4, 2.9)  # the reply has played 0.5 s, past the collision window
    got = m.voice_on(2.9)  # the trainee goes on 0.9 s after their last sound
    assert got == [ReplyWithdrawn(1, played=True)]
    assert m.turn is not None and m.turn.id == 1 and not m.turn.interrupted_customer


def test_no_answer_before_the_transcript_covers_the_whole_turn() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    assert m.turn is not None
    m.transcript(1, "I can", until_s=1.5, complete=True)  # a pass from an earlier pause
    assert kinds(run(m, 2.0, 2.6)) == []  # not even a speculative answer
    heard(m, "I can help.")
    assert kinds(run(m, 2.6, 2.7)) == ["Speculate", "TurnEnded"]


def test_speech_before_the_reply_takes_hold_withdraws_it_and_continues_the_turn() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "Let me see.")
    assert kinds(run(m, 2.0, 2.4)) == ["Speculate", "TurnEnded"]
    m.line_started(2.6, "reply", turn_id=1)
    got = m.voice_on(2.8)  # 0.2 s into the reply: a simultaneous start
    assert [type(a) for a in got] == [ReplyWithdrawn]
    assert got[0] == ReplyWithdrawn(1, played=True)
    assert m.turn is not None and m.turn.id == 1 and not m.turn.interrupted_customer
    m.voice_off(3.5)
    heard(m, "Let me see. Yes, both charges are there.")
    out = run(m, 3.5, 4.0)
    assert [type(a) for _, a in out] == [Speculate, TurnEnded]
    assert not any(isinstance(a, StopLine) for _, a in out)


def test_the_answer_is_prepared_once_the_words_read_finished_and_held_to_the_end_of_turn() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "Which card was it?")
    out = run(m, 2.0, 2.5)
    assert [type(a) for _, a in out] == [Speculate, TurnEnded]
    assert out[0][0] == 2.02  # the first tick after the voice stopped
    assert abs(out[1][0] - 2.3) < 0.021  # the end-of-turn silence still decides the end


def test_unfinished_words_are_not_answered_ahead() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "I can see both charges and", complete=False)
    assert kinds(run(m, 2.0, 3.0)) == []  # within the mid-sentence pause nothing is prepared


def test_speech_after_a_speculative_answer_withdraws_it_unheard() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "Okay.")
    assert kinds(run(m, 2.0, 2.1)) == ["Speculate"]
    assert m.voice_on(2.2) == [ReplyWithdrawn(1, played=False)]  # before the end of turn
    assert m.turn is not None and m.turn.id == 1 and not m.turn.speculating
    m.voice_off(3.0)
    heard(m, "Okay. Let me look at the second charge.")
    assert kinds(run(m, 3.0, 3.4)) == ["Speculate", "TurnEnded"]


def test_no_speculative_answers_when_switched_off() -> None:
    m = TurnModel(TurnSettings(speculate=False))
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "Which card was it?")
    assert kinds(run(m, 2.0, 2.5)) == ["TurnEnded"]


def test_speech_after_the_end_of_turn_but_before_the_reply_plays_is_the_same_turn() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "Okay.")
    run(m, 2.0, 2.4)
    assert m.voice_on(2.5) == [ReplyWithdrawn(1, played=False)]
    assert m.turn is not None and m.turn.id == 1 and m.turn.start_s == 1.0


def test_a_late_transcript_of_an_answered_turn_changes_nothing() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "Hello.")
    run(m, 2.0, 2.4)
    m.line_started(2.5, "reply", turn_id=1)
    assert kinds(run(m, 2.5, 3.3)) == ["ReplyCommitted"]
    m.transcript(1, "Hello there, how are you", until_s=2.2, complete=True)  # the tail, late
    out = run(m, 3.3, 5.0)
    assert not any(isinstance(a, StopLine | PauseLine | TurnEnded) for _, a in out)
    assert m.floor == "customer"


def test_barge_in_pauses_at_once_and_stops_after_the_threshold() -> None:
    m = TurnModel(S)
    m.line_started(0.0, "opening")
    got = m.voice_on(1.0)
    assert got == [PauseLine(1.0)]
    out = run(m, 1.0, 1.5)
    stops = [(t, a) for t, a in out if isinstance(a, StopLine)]
    assert len(stops) == 1 and abs(stops[0][0] - 1.3) < 0.021 and stops[0][1].t_s == 1.0
    assert m.turn is not None and m.turn.interrupted_customer


def test_a_cough_over_the_customer_lets_the_line_go_on() -> None:
    m = TurnModel(S)
    m.line_started(0.0, "opening")
    assert m.voice_on(1.0) == [PauseLine(1.0)]
    run(m, 1.0, 1.1)
    got = m.voice_off(1.15)
    assert ResumeLine(1.15) in got
    assert not any(isinstance(a, StopLine) for _, a in run(m, 1.15, 2.0))
    assert m.turn is None  # a backchannel, not a turn (its words, if any, are logged as such)


def test_speech_over_an_uninterruptible_line_is_held_and_answered_after_it() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.talk_over_after_s = 2.0
    m.voice_on(1.0)
    out = run(m, 1.0, 3.1)
    assert [type(a) for _, a in out] == [TalkOver]
    assert m.line_started(3.1, "talk_over", interruptible=False) == []  # no pause, no stop
    m.voice_off(4.0)  # the trainee talked on over the cut-in
    heard(m, "so the dispatcher checks the calendar.")
    during = run(m, 4.0, 4.8)
    assert not any(isinstance(a, TurnEnded | StopLine | PauseLine) for _, a in during)
    m.line_stopped(4.8)
    after = run(m, 4.8, 5.0)
    ends = [a for _, a in after if isinstance(a, TurnEnded)]
    assert len(ends) == 1 and ends[0].turn.start_s == 1.0 and ends[0].turn.over_line


def test_silence_is_noticed_during_the_silence_from_when_it_started() -> None:
    m = TurnModel(S)
    m.patience_s = 4.0
    opened(m, 2.0)
    out = run(m, 2.0, 7.0)
    ups = [(t, a) for t, a in out if isinstance(a, SpeakUp)]
    assert len(ups) == 1
    t, a = ups[0]
    assert abs(t - 6.0) < 0.021 and a.since_s == 2.0 and abs(a.silence_s - 4.0) < 0.021
    assert a.kind == "dead_air" and a.count == 1


def test_a_speaking_or_just_finished_trainee_is_never_told_they_were_silent() -> None:
    m = TurnModel(S)
    m.patience_s = 4.0
    opened(m, 1.0)
    m.voice_on(3.0)  # answers after 2 s and talks for 8 s without a break
    out = run(m, 3.0, 11.0)
    m.voice_off(11.0)
    heard(m, "A long answer.")
    out += run(m, 11.0, 11.5)
    assert not any(isinstance(a, SpeakUp) for _, a in out)
    # the reply never comes (say, the call is ending): silence counts from the trainee's end
    m.reply_skipped(1, 11.5)
    later = run(m, 11.5, 16.0)
    ups = [(t, a) for t, a in later if isinstance(a, SpeakUp)]
    assert ups and ups[0][1].since_s == 11.0 and abs(ups[0][0] - 15.0) < 0.021


def test_a_prompt_held_back_is_asked_again_until_the_trainees_voice_starts() -> None:
    m = TurnModel(S)
    m.patience_s = 4.0
    opened(m, 2.0)
    first = [a for _, a in run(m, 2.0, 6.0) if isinstance(a, SpeakUp)]
    assert len(first) == 1
    m.not_yet(first[0])  # a sound on the trainee's channel the detector has not judged yet
    again = [(t, a) for t, a in run(m, 6.0, 6.04) if isinstance(a, SpeakUp)]
    assert [(a.since_s, a.count) for _, a in again] == [
        (2.0, 1)
    ]  # the same silence, the same prompt
    m.not_yet(again[0][1])
    m.voice_on(6.04)  # it was the trainee starting to speak
    assert not [a for _, a in run(m, 6.04, 9.0) if isinstance(a, SpeakUp)]


def test_a_hold_notice_buys_quiet_then_a_check_in() -> None:
    m = TurnModel(S)
    m.patience_s = 4.0
    opened(m, 2.0)
    m.keep_silent_until(40.0, hold=True)
    out = run(m, 2.0, 45.0, step=0.1)
    ups = [(t, a) for t, a in out if isinstance(a, SpeakUp)]
    assert len(ups) == 1
    t, a = ups[0]
    assert abs(t - 44.0) < 0.11 and a.kind == "hold_check" and a.since_s == 2.0


def test_the_customers_own_deliberate_silence_is_not_dead_air() -> None:
    m = TurnModel(S)
    m.patience_s = 4.0
    opened(m, 2.0)
    m.keep_silent_until(7.0)  # a pressure pause: the customer says nothing until 7 s
    out = run(m, 2.0, 12.0, step=0.1)
    ups = [(t, a) for t, a in out if isinstance(a, SpeakUp)]
    assert len(ups) == 1 and ups[0][1].since_s == 7.0 and abs(ups[0][0] - 11.0) < 0.11


def test_the_reply_commits_once_the_merge_threshold_and_collision_window_have_passed() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "Hi.")
    run(m, 2.0, 2.4)
    m.line_started(2.5, "reply", turn_id=1)
    out = run(m, 2.5, 3.5)
    # turn end 2.0 + merge 1.2 s = 3.2 s, later than reply start 2.5 + collision 0.4 s
    assert [a for _, a in out] == [ReplyCommitted(1)] and abs(out[0][0] - 3.2) < 0.021
    assert m.turn is None  # answered: what the trainee says next is a new turn
    m.line_stopped(3.5)
    m.voice_on(4.0)
    assert m.turn is not None and m.turn.id == 2


def test_a_pause_asks_for_a_transcript_up_to_the_last_sound() -> None:
    m = TurnModel(S)
    m.voice_on(1.0)
    assert m.voice_off(1.8) == [Transcribe(1, 1.8)]


def test_back_from_hold_silence_is_dead_air_again() -> None:
    m = TurnModel(S)
    m.patience_s = 4.0
    opened(m, 2.0)
    m.keep_silent_until(60.0, hold=True)
    m.voice_on(10.0)  # "Thanks for holding, I found it."
    m.voice_off(12.0)
    heard(m, "Thanks for holding, I found it.")
    run(m, 12.0, 12.4)
    m.end_hold()
    m.line_started(12.5, "reply", turn_id=1)
    run(m, 12.5, 13.0)
    m.line_stopped(14.0)
    ups = [(t, a) for t, a in run(m, 14.0, 19.0) if isinstance(a, SpeakUp)]
    assert len(ups) == 1 and ups[0][1].kind == "dead_air" and abs(ups[0][0] - 18.0) < 0.021


def test_a_nod_over_the_customer_is_listening_not_a_turn() -> None:
    m = TurnModel(S)
    m.line_started(0.0, "opening")
    assert m.voice_on(2.0) == [PauseLine(2.0)]  # "mm-hmm": the line holds at once...
    run(m, 2.0, 2.2)
    got = m.voice_off(2.25)
    assert got == [ResumeLine(2.25), Backchannel(1, 2.0, 2.25)]  # ...and goes on after it
    assert m.turn is None and m.floor == "customer"
    out = run(m, 2.25, 4.0)
    m.line_stopped(4.0)
    out += run(m, 4.0, 5.0)  # the line ends: nobody answers the nod, nobody was interrupted
    assert not any(isinstance(a, StopLine | TurnEnded | Speculate | Transcribe) for _, a in out)
    assert m.waiting_since_s == 4.0  # the customer waits for an answer to their line


def test_speech_longer_than_a_nod_over_the_customer_interrupts() -> None:
    m = TurnModel(S)
    m.line_started(0.0, "opening")
    m.voice_on(2.0)
    assert kinds(run(m, 2.0, 2.5)) == ["StopLine"]
    assert not any(isinstance(a, Backchannel) for a in m.voice_off(3.0))


def test_a_short_sound_continuing_a_turn_is_not_a_nod() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "Let me see.")
    run(m, 2.0, 2.4)
    m.line_started(2.5, "reply", turn_id=1)
    run(m, 2.5, 4.0)  # the reply took hold
    m.voice_on(4.0)  # a new turn over the reply...
    got = m.voice_off(4.2)
    assert Backchannel(2, 4.0, 4.2) in got  # ...that is a nod
    m.line_stopped(5.0)
    m.voice_on(5.5)  # after the line: an ordinary short turn, answered
    assert [type(a) for a in m.voice_off(5.8)] == [Transcribe]


def test_speech_in_the_customers_deliberate_silence_is_a_new_turn() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "The order is with the courier now.")
    run(m, 2.0, 2.4)  # the turn ended; the customer answers it with a 3 s pressure pause
    m.keep_silent_until(5.0)
    assert m.voice_on(3.5) == [SilenceHeld(1)]  # not a continuation of turn 1
    assert m.turn is not None and m.turn.id == 2 and m.turn.start_s == 3.5
    m.voice_off(4.0)
    heard(m, "Does that help?")
    assert kinds(run(m, 4.0, 4.4)) == ["Speculate", "TurnEnded"]


def test_speech_after_the_deliberate_silence_is_over_is_an_ordinary_collision() -> None:
    m = TurnModel(S)
    opened(m, 0.5)
    m.voice_on(1.0)
    m.voice_off(2.0)
    heard(m, "The order is with the courier now.")
    run(m, 2.0, 2.4)
    m.keep_silent_until(3.0)
    assert m.voice_on(3.2) == [ReplyWithdrawn(1, played=False)]  # the reply was due: same turn
