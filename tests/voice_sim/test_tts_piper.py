"""The customer's voice: how a line is cut into the pieces Piper synthesizes."""

from __future__ import annotations

from voice_sim.tts_piper import first_piece, split_sentences


def test_sentences_are_cut_at_their_ends_and_the_rest_waits() -> None:
    done, rest = split_sentences("Hi. I was charged twice! Why did")
    assert done == ["Hi.", "I was charged twice!"] and rest == "Why did"


def test_a_long_first_sentence_is_said_from_its_first_clause() -> None:
    sentence = "Forty-nine ninety-nine on the third, and the exact same amount again on the fourth."
    pieces = first_piece(sentence)
    assert pieces == [
        "Forty-nine ninety-nine on the third,",
        "and the exact same amount again on the fourth.",
    ]
    assert " ".join(pieces) == sentence  # nothing lost or added


def test_short_sentences_and_stray_words_are_not_cut() -> None:
    assert first_piece("Oh, hello, dear.") == ["Oh, hello, dear."]  # short
    # a comma that would leave fewer than three words on one side is no clause break
    long = "Well I have been waiting for three whole weeks now, twice."
    assert first_piece(long) == [long]
    assert first_piece("I checked my banking app this morning and there it was.") == [
        "I checked my banking app this morning and there it was."
    ]
