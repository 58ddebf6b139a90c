from __future__ import annotations

import pytest

from audio_analysis.turns import Span, merge_turns, speech_within


def test_pauses_under_min_pause_merge_and_longer_ones_split() -> None:
    segs = [(0.0, 1.0), (1.99, 3.0), (4.0, 5.0), (7.0, 8.0)]
    turns = merge_turns(segs, speaker="trainee", min_pause_s=1.0)
    # 0.99 s pause merges; exactly 1.0 s does not; 2.0 s does not
    assert turns == [
        Span("trainee", 0.0, 3.0),
        Span("trainee", 4.0, 5.0),
        Span("trainee", 7.0, 8.0),
    ]


def test_unsorted_and_overlapping_segments() -> None:
    turns = merge_turns([(5.0, 6.0), (0.0, 2.0), (1.0, 2.5)], speaker="customer", min_pause_s=1.0)
    assert [(t.start_s, t.end_s) for t in turns] == [(0.0, 2.5), (5.0, 6.0)]
    assert turns[0].duration_s == pytest.approx(2.5)


def test_speech_within() -> None:
    assert speech_within([(0.0, 1.0), (2.0, 4.0)], 0.5, 3.0) == pytest.approx(1.5)
