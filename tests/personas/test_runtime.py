"""The runtime API used by the call (docs/contracts.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from personas import (
    Customer,
    IntensityChange,
    PersonaError,
    TraineeTurn,
    VoiceStyle,
    get_persona,
    make_customer,
)
from personas.library import LIBRARY_DIR

from .conftest import reply_text, say


def test_contract_surface() -> None:
    c = make_customer(None)
    assert isinstance(c, Customer)
    assert c.persona.id == "angry-billing"
    assert c.brain_name == "scripted"
    assert (c.level, c.stage, c.ended, c.end_reason) == (6, "opening", False, None)
    opening, change = c.begin()
    assert opening == c.persona.opening_line.strip()
    assert isinstance(change, IntensityChange) and change.previous is None and change.level == 6
    changes = c.hear(
        TraineeTurn(
            "Calm down.",
            1.0,
            2.0,
            interrupted_customer=True,
            response_latency_s=None,
            loudness_vs_customer_db=0.0,
        )
    )
    assert changes and all(isinstance(x, IntensityChange) for x in changes)
    assert changes[0].previous == 6
    assert isinstance(c.voice(), VoiceStyle)
    assert isinstance(c.talk_over_line(), str)


def test_start_level_and_path(tmp_path: Path) -> None:
    c = make_customer("angry-billing", start_level=2)
    assert c.level == 2
    src = (LIBRARY_DIR / "wrong-policy.yaml").read_text()
    p = tmp_path / "mine.yaml"
    p.write_text(src)
    assert make_customer(str(p)).persona.id == "wrong-policy"
    assert make_customer(get_persona("known-bug")).persona.id == "known-bug"
    with pytest.raises(PersonaError):
        make_customer("no-such-persona")


def test_voice_follows_intensity() -> None:
    c = make_customer("angry-billing", start_level=2)
    calm = c.voice()
    c.hear(TraineeTurn("Calm down. You should have checked. No."))
    hot = c.voice()
    assert c.level > 2
    assert hot.length_scale < calm.length_scale
    assert hot.volume > calm.volume
    assert hot.pitch_shift_st > calm.pitch_shift_st
    assert hot.reply_gap_s < calm.reply_gap_s


def test_good_call_ends_resolved() -> None:
    c = make_customer("angry-billing", seed=0)
    c.begin()
    for t in [
        "I'm so sorry you were charged twice this month.",
        "Can you tell me the dates and amounts of the charges?",
        "I've issued the refund for the duplicate charge; it will be back within 5 business days"
        " and I'll email you the confirmation in ten minutes.",
        "Is there anything else I can help you with today?",
    ]:
        say(c, t)
        if c.ended:
            break
    assert c.ended and c.end_reason == "resolved"
    assert reply_text(c) == ""
    assert c.hear(TraineeTurn("Hello?")) == []


def test_bad_call_hangs_up_after_a_last_line() -> None:
    c = make_customer("angry-billing", seed=0)
    c.begin()
    last = ""
    for t in [
        "Calm down.",
        "Unfortunately that's our policy, no.",
        "You should have checked.",
        "No.",
        "Calm down.",
    ]:
        _, last = say(c, t)
        if c.ended:
            break
    assert c.ended
    assert c.end_reason and c.end_reason.startswith("hung up")
    assert last  # the customer says something before hanging up
    assert c.stage == "hanging_up"


def test_history_records_both_sides() -> None:
    c = make_customer("known-bug")
    c.begin()
    say(c, "What exactly do you see when you export?")
    speakers = [s for s, _ in c.history]
    assert speakers == ["customer", "trainee", "customer"]
