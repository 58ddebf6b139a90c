"""Phrase matching helpers: normalisation, content words, timing of a match."""

from __future__ import annotations

import pytest

from scoring.inputs import Turn, WordTime
from scoring.phrases import TRIGGER, compile_patterns, content_words, find, time_at


def turn(text: str, start_s: float = 10.0, with_words: bool = True) -> Turn:
    words = text.split()
    wt = tuple(WordTime(w, start_s + i * 0.5, start_s + i * 0.5 + 0.4) for i, w in enumerate(words))
    return Turn(
        "trainee",
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
    t = turn("Well sir, unfortunately that is it.")
    (hit,) = find(compile_patterns(TRIGGER), [t])
    assert hit.phrase == "unfortunately" and hit.start_s == pytest.approx(11.0)


def test_match_time_interpolates_without_word_times() -> None:
    t = turn("abcd unfortunately", with_words=False)
    assert time_at(t, 5) == pytest.approx(10.0 + 1.0 * 5 / 18)


def test_curly_apostrophes_and_word_boundaries() -> None:
    pat = compile_patterns(TRIGGER)
    assert pat.search("i don\u2019t know".replace("\u2019", "'"))
    assert find(pat, [turn("I don\u2019t know.")])
    assert not find(pat, [turn("The relaxation room is upstairs.")])  # "relax" inside a word


def test_content_words_drop_stop_words_and_plurals() -> None:
    assert content_words("My orders were late, and the delivery dates changed!") == {
        "order",
        "late",
        "delivery",
        "date",
        "changed",
    }
