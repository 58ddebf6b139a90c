"""Utterances and timing: split VAD turns read as one, phrases timed by their words."""

from __future__ import annotations

import pytest

from personas import phrases as vocab
from scoring.inputs import Turn, WordTime
from scoring.transcript import find, time_at, utterances


def turn(text: str, start_s: float = 10.0, with_words: bool = True, who: str = "trainee") -> Turn:
    words = text.split()
    wt = tuple(WordTime(w, start_s + i * 0.5, start_s + i * 0.5 + 0.4) for i, w in enumerate(words))
    return Turn(
        who,
        start_s,
        start_s + 0.5 * len(words),
        text,
        len(words),
        wt if with_words else (),
        None,
        None,
        None,
    )


def test_match_time_comes_from_word_times() -> None:
    (u,) = utterances([turn("Well sir, unfortunately that is it.")], "trainee", merge_s=2.0)
    (hit,) = find(vocab.UNFORTUNATELY, [u])
    assert hit.quote == "unfortunately" and hit.start_s == pytest.approx(11.0)


def test_match_time_interpolates_without_word_times() -> None:
    t = turn("abcd unfortunately", with_words=False)
    assert time_at(t, 5) == pytest.approx(10.0 + 1.0 * 5 / 18)


def test_split_turn_is_one_utterance_timed_by_its_own_segment() -> None:
    a = turn("So you were charged twice this month.", 10.0)  # ends 13.5
    b = turn("Is that right?", 14.3)
    (u,) = utterances([a, b], "trainee", merge_s=2.0)
    assert u.text == "So you were charged twice this month. Is that right?"
    assert u.time_at(u.text.index("Is that")) == pytest.approx(14.3)
    assert u.turn_at(u.text.index("right")) is b


def test_a_customer_turn_in_between_or_a_long_pause_splits_utterances() -> None:
    a = turn("What is the order number?", 10.0)  # ends 12.5
    c = turn("Four four seven two.", 12.8, who="customer")
    b = turn("Thank you.", 14.0)
    assert len(utterances([a, c, b], "trainee", merge_s=2.0)) == 2
    late = turn("Thank you.", 20.0)
    assert len(utterances([a, late], "trainee", merge_s=2.0)) == 2
