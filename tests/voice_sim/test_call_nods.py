"""Verbal nods in a live call (issue 14): a bot that says "mm-hmm" while the customer talks at
length, on real Silero, Whisper and Piper, then the real analysis and scorer.

The oracles are the bot's plan (one line, nods only while the customer talks) and the scorer's
reading of the recording, never the turn model's bookkeeping.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from personas.call_log import Backchannel, CustomerLine, Interruption, Transcript
from voice_sim.commands._call_common import analyze_and_score
from voice_sim.events import read_events
from voice_sim.session import CallSpec
from voice_sim.simulate import ScriptLine, TraineeScript, simulate_call

pytestmark = pytest.mark.slow

LINE = "I'm sorry your bill looks different, Margaret. What looks different on it?"


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nods")
    # Margaret's opening is about 9 s: the bot nods every 3 s of it
    script = TraineeScript("nodding bot", (ScriptLine(LINE, latency_s=0.8),), nod_every_s=3.0)
    spec = CallSpec(out_dir=out, persona="elderly-confused")
    asyncio.run(simulate_call(spec, script))
    return out


def test_nods_are_logged_as_listening_inside_the_customers_line(call: Path) -> None:
    events = read_events(call / "events.jsonl")
    opening = next(e for e in events if isinstance(e, CustomerLine))
    assert opening.kind == "opening" and not opening.interrupted
    end = opening.t_s + (opening.played_s or 0.0)
    nods = [e for e in events if isinstance(e, Backchannel)]
    during = [e for e in nods if opening.t_s < e.start_s < end]
    assert len(during) >= 2  # about 3 s and 6.5 s into a 9 s line
    for e in nods:
        assert e.by == "trainee" and e.duration_s < 0.8
        assert e.resumed_after_s is not None and e.resumed_after_s < 1.0


def test_nods_are_not_interruptions_nor_turns_the_customer_answers(call: Path) -> None:
    events = read_events(call / "events.jsonl")
    assert not [e for e in events if isinstance(e, Interruption)]
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    # the bot's one line and its goodbye: no nod became a turn
    assert len(said) == 2 and "different" in said[0].text.lower()
    replies = [e for e in events if isinstance(e, CustomerLine) and e.kind == "reply"]
    assert len(replies) == 2 and all(r.t_s > said[0].end_s for r in replies)
    assert not [e for e in events if isinstance(e, CustomerLine) and e.interrupted]


def test_the_scorecard_credits_the_nods(call: Path) -> None:
    assert analyze_and_score(call, quiet=True)
    analysis = json.loads((call / "analysis.json").read_text())
    assert [b for b in analysis["backchannels"] if b["by"] == "trainee"]
    assert not [i for i in analysis["interruptions"] if i["by"] == "trainee"]
    card = json.loads((call / "scorecard.json").read_text())
    item = next(i for i in card["items"] if i["id"] == "active_listening")
    assert item["applicable"]
    won = [e for e in item["evidence"] if e["effect"] == "won" and "nod" in (e["figure"] or "")]
    assert won, item["evidence"]
