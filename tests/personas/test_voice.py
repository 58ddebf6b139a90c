"""Voice follows the mood: per archetype, monotonic in intensity, overridable per persona."""

from __future__ import annotations

import itertools

import pytest

from personas import get_persona, style_at
from personas.vocabulary import ARCHETYPES
from personas.voice import ARCHETYPE_VOICES


@pytest.mark.parametrize("archetype", ARCHETYPES)
def test_rising_intensity_is_faster_louder_higher(archetype: str) -> None:
    prof = ARCHETYPE_VOICES[archetype]
    styles = [style_at(prof, lvl) for lvl in range(11)]
    for a, b in itertools.pairwise(styles):
        assert b.length_scale <= a.length_scale
        assert b.volume >= a.volume
        assert b.pitch_shift_st >= a.pitch_shift_st
        assert b.reply_gap_s <= a.reply_gap_s
        if a.talk_over_after_s is not None:
            assert b.talk_over_after_s is not None and b.talk_over_after_s <= a.talk_over_after_s


def test_confused_is_slow_with_long_pauses_and_never_cuts_in() -> None:
    confused = style_at(ARCHETYPE_VOICES["confused"], 5)
    angry = style_at(ARCHETYPE_VOICES["angry"], 5)
    assert confused.length_scale > 1.1 > angry.length_scale
    assert confused.reply_gap_s > angry.reply_gap_s
    assert all(
        style_at(ARCHETYPE_VOICES["confused"], lvl).talk_over_after_s is None for lvl in range(11)
    )


def test_exact_interpolation() -> None:
    prof = ARCHETYPE_VOICES["angry"]
    s = style_at(prof, 5)
    assert s.length_scale == pytest.approx((prof.calm.length_scale + prof.furious.length_scale) / 2)
    assert style_at(prof, 10).talk_over_after_s == prof.barge_in.fastest_s
    assert style_at(prof, prof.barge_in.from_level).talk_over_after_s == prof.barge_in.slowest_s  # type: ignore[arg-type]
    assert style_at(prof, prof.barge_in.from_level - 1).talk_over_after_s is None  # type: ignore[operator]


def test_persona_overrides() -> None:
    p = get_persona("abusive-caller")
    assert p.voice.furious.volume == 1.45
    assert p.voice.barge_in.fastest_s == 2.0
    assert p.voice.calm == ARCHETYPE_VOICES["abusive"].calm
