from __future__ import annotations

import pytest

from audio_analysis.gaps import DeadAir, Gap, Silence, dead_air_in, find_gaps, find_silences
from audio_analysis.turns import Span


def test_gap_is_end_of_turn_to_start_of_the_others_next_turn() -> None:
    turns = [Span("trainee", 0.0, 2.0), Span("customer", 2.7, 5.0), Span("trainee", 5.25, 6.0)]
    gaps = find_gaps(turns)
    assert gaps == [Gap("trainee", "customer", 2.0, 0.7), Gap("customer", "trainee", 5.0, 0.25)]


def test_no_gap_for_overlap_or_same_speaker() -> None:
    turns = [Span("trainee", 0.0, 2.0), Span("customer", 1.5, 3.0), Span("customer", 4.5, 5.0)]
    assert find_gaps(turns) == []


def test_gap_after_an_interruption_counts_from_whoever_finished_last() -> None:
    turns = [Span("customer", 0.0, 5.0), Span("trainee", 4.0, 7.0), Span("customer", 7.5, 9.0)]
    assert find_gaps(turns) == [Gap("trainee", "customer", 7.0, 0.5)]
    # a turn fully inside a longer one does not hide the longer one's end
    turns = [Span("customer", 0.0, 10.0), Span("trainee", 3.0, 4.5), Span("trainee", 11.0, 12.0)]
    assert find_gaps(turns) == [Gap("customer", "trainee", 10.0, 1.0)]


def spans(*segs: tuple[str, float, float]) -> list[Span]:
    return [Span(sp, s, e) for sp, s, e in segs]


def silences(*segs: tuple[str, float, float]) -> list[Silence]:
    """Long silences when every segment is a turn of its own (no backchannels)."""
    sp = spans(*segs)
    return find_silences(sp, sp, longer_than_s=3.0)


def test_dead_air_is_the_trainee_silent_after_the_customers_turn() -> None:
    got = silences(("customer", 0.0, 1.0), ("trainee", 4.5, 6.0))
    assert got == [Silence("customer", "trainee", 1.0, 3.5)]
    assert dead_air_in(got) == [DeadAir(1.0, 3.5)]


def test_silence_after_the_trainees_words_is_not_dead_air() -> None:
    # the customer's to break: a pressure pause, a customer thinking
    got = silences(("trainee", 0.0, 1.0), ("customer", 5.0, 6.0), ("trainee", 9.5, 10.0))
    assert [(g.from_speaker, g.to_speaker) for g in got] == [
        ("trainee", "customer"),
        ("customer", "trainee"),
    ]
    assert dead_air_in(got) == [DeadAir(6.0, 3.5)]


def test_customers_own_pause_mid_turn_is_not_dead_air() -> None:
    got = silences(("customer", 0.0, 2.0), ("customer", 6.0, 8.0), ("trainee", 8.5, 9.0))
    assert got == [Silence("customer", "customer", 2.0, 4.0)]
    assert dead_air_in(got) == []


def test_dead_air_threshold_is_exclusive_like_the_directors() -> None:
    # personas.phrases.is_dead_air: longer than the threshold
    assert silences(("customer", 0.0, 1.0), ("trainee", 4.0, 5.0)) == []
    assert dead_air_in(silences(("customer", 0.0, 1.0), ("trainee", 4.01, 5.0))) == [
        DeadAir(1.0, pytest.approx(3.01))
    ]


def test_a_backchannel_breaks_a_silence_but_never_holds_the_floor() -> None:
    # the trainee's "mm-hmm" at the end of the customer's turn: the floor is still the trainee's
    speech = spans(("customer", 0.0, 5.0), ("trainee", 4.7, 5.1), ("trainee", 9.0, 10.0))
    floor = spans(("customer", 0.0, 5.0), ("trainee", 9.0, 10.0))
    got = find_silences(speech, floor, longer_than_s=3.0)
    assert got == [Silence("customer", "trainee", 5.1, pytest.approx(3.9))]
    assert got[0].is_dead_air
    # any speech in the middle of a long silence breaks it in two short ones
    speech = spans(("customer", 0.0, 1.0), ("trainee", 3.0, 3.4), ("trainee", 5.5, 6.0))
    assert find_silences(speech, speech, longer_than_s=3.0) == []


def test_silences_ignore_lead_in_and_tail() -> None:
    assert silences(("customer", 10.0, 11.0)) == []
    assert find_silences([], [], longer_than_s=3.0) == []


def test_after_an_interruption_the_silence_is_whoever_finished_last() -> None:
    # the trainee cut in on the customer and finished last: the customer's to break
    got = silences(("customer", 0.0, 5.0), ("trainee", 4.0, 7.0), ("customer", 11.0, 12.0))
    assert [(g.from_speaker, g.to_speaker) for g in got] == [("trainee", "customer")]
    # a trainee turn inside a longer customer turn does not hide the customer's end
    got = silences(("customer", 0.0, 10.0), ("trainee", 3.0, 4.5), ("trainee", 14.0, 15.0))
    assert got == [Silence("customer", "trainee", 10.0, 4.0)] and got[0].is_dead_air


def test_dead_air_threshold_is_the_directors() -> None:
    """audio_analysis does not import personas: the two named constants are kept equal here."""
    from audio_analysis.settings import DEAD_AIR_S, AnalysisSettings
    from personas.settings import DEAD_AIR_S as DIRECTOR_DEAD_AIR_S
    from personas.settings import DirectorSettings

    assert DEAD_AIR_S == DIRECTOR_DEAD_AIR_S
    assert AnalysisSettings().dead_air_s == DirectorSettings().dead_air_s == DEAD_AIR_S
