from __future__ import annotations

import pytest

from audio_analysis.overlap import Backchannel, Interruption, classify_overlaps
from audio_analysis.turns import Span

KW = dict(backchannel_max_s=1.0, interruption_min_s=1.0, overlap_tolerance_s=0.2)


def test_interruption_starts_inside_and_lasts_a_second() -> None:
    a = Span("customer", 0.0, 5.0)
    b = Span("trainee", 4.0, 6.0)
    r = classify_overlaps([a, b], **KW)
    assert r.interruptions == (Interruption("trainee", "customer", 4.0, 1.0),)
    assert r.backchannels == ()
    assert r.overtalk_s == {"customer": 0.0, "trainee": 1.0}


def test_backchannel_inside_the_other_turn_is_not_an_interruption() -> None:
    a = Span("customer", 0.0, 5.0)
    b = Span("trainee", 2.0, 2.5)  # "mm-hmm" while the customer keeps talking
    r = classify_overlaps([a, b], **KW)
    assert r.interruptions == ()
    assert r.backchannels == (Backchannel("trainee", "customer", 2.0, 0.5),)
    assert r.turns == (a,)


def test_short_cut_in_that_takes_the_floor_is_neither() -> None:
    a = Span("customer", 0.0, 5.0)
    b = Span("trainee", 4.5, 5.4)  # 0.9 s, starts inside, ends after the customer stopped
    r = classify_overlaps([a, b], **KW)
    assert r.interruptions == () and r.backchannels == ()
    assert len(r.turns) == 2


def test_overlap_under_tolerance_is_turn_taking_jitter() -> None:
    a = Span("customer", 0.0, 5.0)
    b = Span("trainee", 4.9, 8.0)
    assert classify_overlaps([a, b], **KW).interruptions == ()


def test_long_speech_inside_is_an_interruption() -> None:
    a = Span("customer", 0.0, 10.0)
    b = Span("trainee", 3.0, 4.5)  # 1.5 s inside: not a backchannel
    r = classify_overlaps([a, b], **KW)
    assert r.interruptions == (Interruption("trainee", "customer", 3.0, 1.5),)


def test_thresholds_are_settings() -> None:
    a = Span("customer", 0.0, 5.0)
    b = Span("trainee", 4.0, 5.8)  # 1.8 s
    r = classify_overlaps(
        [a, b], backchannel_max_s=1.0, interruption_min_s=2.0, overlap_tolerance_s=0.2
    )
    assert r.interruptions == ()
    assert r.overtalk_s["trainee"] == pytest.approx(1.0)
