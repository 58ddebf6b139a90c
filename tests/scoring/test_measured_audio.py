"""The measured items on real speech: a call voiced by Piper, put through the real analysis
(Silero, Whisper, pitch and loudness) and scored, with a coach's outcome for each situation in it.

One recording of about 50 s (an angry caller who uses pressure pauses):

1. the customer vents for about 11 s; the trainee nods twice ("Mm-hmm." at 3 s, "I see." at
   6.5 s) and replies slowly, opening with "I see. So you have been given different dates...";
2. the customer goes on for about 9 s; the trainee is silent through it, then answers fast;
3. the customer gives the order number; the trainee answers slowly with a next step, and the
   customer stays silent for 5 s on purpose; 2.5 s in, the trainee asks one short question.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import scoring
from scoring import ScoringSettings
from scoring.rules import listening, pace_match, pause_verdicts

RATE = 16_000
PAUSE_S = 5.0
VENT_A = (
    "I have been waiting three weeks for my order and every time I call somebody gives me a "
    "different date. Nobody ever calls me back, and I have taken two days off work to wait in "
    "for a parcel that never came."
)
VENT_B = (
    "And the last person told me it was out for delivery on Monday, then the tracking said the "
    "depot, and now the website says it is still being packed. Which one of those is true?"
)
#: Piper's length scale: above 1 speaks slower (1.0 is about 235 wpm by the analysis's count,
#: an agitated caller's pace; 1.6 about 165, calm; 0.8 about 310, rushed).
CALM, RUSHED = 1.6, 0.8


def _say(text: str, length_scale: float = 1.0) -> np.ndarray:
    pytest.importorskip("piper", reason="Piper (installed by make test) voices the call")
    from voice_sim.simulate import synthesize_line
    from voice_sim.tts_piper import VoiceCharacter

    voice = VoiceCharacter(length_scale=length_scale, noise_scale=0.0, noise_w=0.0)
    y = synthesize_line(text, voice, sample_rate=RATE).astype(np.float32) / 32768.0
    loud = np.flatnonzero(np.abs(y) > 10 ** (-45 / 20) * max(float(np.max(np.abs(y))), 1e-9))
    return y[loud[0] : loud[-1] + 1]


@dataclass
class Rendered:
    call: scoring.CallInputs
    analysis: dict[str, Any]
    nods_at_s: tuple[float, float]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    import soundfile as sf

    from audio_analysis import analyze_file

    placed: list[tuple[int, float, np.ndarray]] = []

    def put(channel: int, y: np.ndarray, at_s: float) -> float:
        placed.append((channel, at_s, y))
        return at_s + len(y) / RATE

    t = put(1, _say(VENT_A), 0.5)
    nods = (0.5 + 3.0, 0.5 + 6.5)
    put(0, _say("Mm-hmm."), nods[0])
    put(0, _say("I see."), nods[1])
    reply = "I see. So you have been given different dates, and nobody calls you back. "
    t = put(0, _say(reply + "Let me look at the order for you.", CALM), t + 0.7)
    t = put(1, _say(VENT_B), t + 0.7)
    ask = "Okay can you give me the order number so that I can look up where the parcel is now?"
    t = put(0, _say(ask, RUSHED), t + 0.7)
    t = put(1, _say("It is four four seven two."), t + 0.7)
    pause_start = put(
        0,
        _say(
            "I found it. The parcel is at the depot, and I will call you back by three today.", CALM
        ),
        t + 0.7,
    )
    put(0, _say("Which number should I call?"), pause_start + 2.5)
    end = put(1, _say("This one is fine."), pause_start + PAUSE_S)

    rng = np.random.default_rng(0)
    y = rng.standard_normal((int((end + 0.5) * RATE), 2)) * 10 ** (-65 / 20)
    for channel, at_s, seg in placed:
        a = int(at_s * RATE)
        y[a : a + len(seg), channel] += 0.5 * seg
    folder = tmp_path_factory.mktemp("measured")
    sf.write(folder / "recording.wav", y.astype(np.float32), RATE, subtype="PCM_16")
    events = [
        {"type": "call_start", "t_s": 0.0, "persona": "delayed-order"},
        {
            "type": "pressure_pause",
            "t_s": pause_start,
            "start_s": pause_start,
            "duration_s": PAUSE_S,
        },
    ]
    (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    doc = analyze_file(folder / "recording.wav").to_dict()
    call = scoring.call_inputs(doc, events, meta={"persona": "delayed-order"})
    return Rendered(call, doc, nods)


@pytest.mark.slow
def test_nods_in_real_speech_are_backchannels_credited_as_listening(rendered: Rendered) -> None:
    found = [b["start_s"] for b in rendered.analysis["backchannels"] if b["by"] == "trainee"]
    assert found == pytest.approx(list(rendered.nods_at_s), abs=0.3)
    assert not rendered.analysis["interruptions"]
    first, second = listening(rendered.call, ScoringSettings())
    # coach (004 verbal nods; 003 confirming phrases): two nods in an 11 s vent are enough,
    # and "I see. So you have been given different dates..." confirms what was heard
    assert (first.nods_outcome, first.confirm is not None) == ("enough", True)
    # coach (issue 14): silent through the second vent, and the reply confirms nothing
    assert (second.nods_outcome, second.confirm is not None) == ("none", False)


@pytest.mark.slow
def test_pace_in_real_speech_is_matched_turn_by_turn(rendered: Rendered) -> None:
    m = pace_match(rendered.call, ScoringSettings())
    assert m is not None
    # coach (002 not matching an agitated caller's pace): the calm replies are matched, the
    # rushed question is too fast for an angry caller
    assert [p.verdict for p in m.turns] == ["matched", "too_fast", "matched"]


@pytest.mark.slow
def test_a_short_question_in_a_real_pressure_pause_is_composure_not_dead_air(
    rendered: Rendered,
) -> None:
    (v,) = pause_verdicts(rendered.call, ScoringSettings())
    assert v.verdict == "composed"  # coach (issue 14): one short clarifying question
    card = scoring.score_inputs(rendered.call)
    pace = next(i for i in card.items if i.id == "pace")
    assert not any("dead air" in (e.figure or "") and e.effect == "lost" for e in pace.evidence)
