from __future__ import annotations

import pytest

from audio_analysis.gaps import DeadAir, Gap, find_dead_air, find_gaps
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


def test_dead_air_threshold_exact() -> None:
    segs = [(0.0, 1.0), (4.0, 5.0), (7.99, 9.0)]
    assert find_dead_air(segs, dead_air_s=3.0) == [DeadAir(1.0, 3.0)]


def test_dead_air_ignores_lead_in_and_tail_and_is_broken_by_any_speech() -> None:
    segs = [(10.0, 11.0), (13.0, 13.4), (15.5, 16.0)]  # a backchannel at 13 s breaks the silence
    assert find_dead_air(segs, dead_air_s=3.0) == []
    assert find_dead_air([(10.0, 11.0), (15.0, 16.0)], dead_air_s=3.0) == [
        DeadAir(11.0, pytest.approx(4.0))
    ]
    assert find_dead_air([], dead_air_s=3.0) == []
