"""Calls between a persona and a trainee script, played offline for the scoring calibration.

The persona's own customer (``personas.make_customer``: the escalation director and the offline
scripted brain, exactly as in a call) hears each line of a trainee script (``voice_sim``'s YAML
bots) and answers. No livekit, no real time: the turns are laid on a clock (the script's
latencies, its planned interruptions, the persona's reply gaps) and either

* ``render(..., audio=True)``: synthesised with Piper (the customer in the voice its mood gives
  it, the bot in the script's voice) into a stereo ``recording.wav`` that the real analysis
  reads, with ``events.jsonl`` and ``meta.json`` as a call writes them; or
* ``render(..., audio=False)``: the same call as an ``analysis.json`` with words evenly timed
  (no pitch, loudness or recognition), for quick checks of what the words alone score.

What this leaves out of a live call: the customer cutting in on a long trainee turn, and STT
during the call (the director hears the script's exact words; the scorer hears Whisper's).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RATE = 16_000
#: Words per second when a line is laid out without audio (about 150 wpm).
TEXT_WPS = 2.5
#: A trainee who cuts in stops the customer this long after starting, seconds (the call's VAD
#: barge-in stops the customer's audio within about a third of a second).
BARGE_IN_STOP_S = 0.3
#: The customer answers this long after the trainee stops (plus the persona's own reply gap).
CUSTOMER_REPLY_S = 0.5
#: Silence before the opening line and after the last one, seconds.
EDGE_S = 0.4
NOISE_FLOOR_DBFS = -65.0
SCRIPTS = Path(__file__).resolve().parents[1] / "voice_sim" / "scripts"


@dataclass
class Placed:
    """One utterance on the call's clock (seconds)."""

    speaker: str
    text: str
    start_s: float
    end_s: float
    audio: np.ndarray | None = None
    interrupted: bool = False


@dataclass
class Played:
    """A call played offline: its turns, events and meta, and how it ended."""

    persona: str
    script: str
    lines: list[Placed] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    end_reason: str = "script_done"
    final_intensity: int = 0
    case_note: str = ""


def script_path(persona_id: str, kind: str) -> Path:
    """The persona's own trainee script (``good`` or ``mistakes``)."""
    return SCRIPTS / f"{persona_id}.{kind}.yaml"


@functools.cache
def _piper_ready() -> bool:
    from voice_sim import models

    models.piper()
    return True


def _speech(text: str, voice: Any) -> np.ndarray:
    """``text`` spoken by Piper in ``voice`` (a ``VoiceCharacter``), float32 at 16 kHz."""
    from voice_sim.simulate import synthesize_line

    _piper_ready()
    y = synthesize_line(text, voice, sample_rate=RATE).astype(np.float32) / 32768.0
    idx = np.flatnonzero(np.abs(y) > 10 ** (-45 / 20) * max(float(np.max(np.abs(y))), 1e-9))
    return y[idx[0] : idx[-1] + 1] if idx.size else y


def _customer_voice(customer: Any) -> Any:
    """The Piper voice the customer's mood gives it now, as a call renders it (no phone line)."""
    from voice_sim.session import style_to_character

    return style_to_character(customer.voice(), phone_line=False)


def _reply(customer: Any) -> str:
    async def collect() -> str:
        return "".join([c async for c in customer.reply()]).strip()

    return asyncio.run(collect())


def play(
    persona_id: str,
    script_file: Path,
    *,
    audio: bool,
    seed: int = 0,
    start_level: int | None = None,
) -> Played:
    """Play ``script_file`` against the persona's customer; returns the placed call."""
    from personas import make_customer
    from voice_sim.simulate import load_script

    script = load_script(script_file)
    customer = make_customer(persona_id, llm=None, seed=seed, start_level=start_level)
    call = _Call(customer, audio, Played(persona_id, script_file.name, case_note=script.case_note))
    call.start(script.name)
    for line in script.lines:
        if customer.ended or not call.trainee_says(line, script.voice):
            break
    return call.finish()


class _Call:
    """One offline call on a clock: the customer's lines, the bot's lines, the events."""

    def __init__(self, customer: Any, audio: bool, out: Played) -> None:
        self.customer, self.audio, self.out = customer, audio, out
        self.ev = out.events
        self.last: Placed | None = None

    def start(self, trainee: str) -> None:
        c, p = self.customer, self.customer.persona
        self.out.meta = {
            "schema_version": 1,
            "persona": p.id,
            "persona_name": p.display_name,
            "archetype": p.archetype,
            "failure": p.scenario,
            "failure_keywords": list(p.facts.issue_keywords),
            "director": {
                "dead_air_s": c.director.settings.dead_air_s,
                "hold_max_s": c.director.settings.hold_max_s,
            },
            "trainee": trainee,
            "brain": c.brain_name,
            "mode": "simulated",
        }
        self.ev.append({"type": "call_start", "t_s": 0.0, "persona": p.id, "brain": c.brain_name})
        opening, first = c.begin()
        self.ev.append({"type": "intensity", "t_s": 0.0, **first.to_event()})
        self.last = self.customer_says(opening, EDGE_S)

    def customer_says(self, text: str, at_s: float) -> Placed:
        y = _speech(text, _customer_voice(self.customer)) if self.audio else None
        dur = len(y) / RATE if y is not None else len(text.split()) / TEXT_WPS
        line = Placed("customer", text, at_s, at_s + dur, y)
        self.out.lines.append(line)
        return line

    def intensity(self, changes: Any, t_s: float) -> None:
        self.ev += [{"type": "intensity", "t_s": round(t_s, 3), **ch.to_event()} for ch in changes]

    def trainee_says(self, sl: Any, voice: Any) -> bool:
        """One script line, then the customer's answer; False when the call is over."""
        assert self.last is not None
        last = self.last
        y = _speech(sl.say, voice) if self.audio else None
        dur = len(y) / RATE if y is not None else len(sl.say.split()) / TEXT_WPS
        cut_in = (
            sl.interrupt_after_s is not None and last.start_s + sl.interrupt_after_s < last.end_s
        )
        latency: float | None
        if cut_in:
            start_s = last.start_s + sl.interrupt_after_s
            last.end_s, last.interrupted, latency = start_s + BARGE_IN_STOP_S, True, None
        else:
            start_s = self.wait(sl.latency_s)
            if start_s is None:
                return False
            latency = start_s - self.last.end_s
        trainee = Placed("trainee", sl.say, start_s, start_s + dur, y)
        self.out.lines.append(trainee)
        turn = _turn(sl.say, trainee.start_s, trainee.end_s, cut_in, latency)
        self.intensity(self.customer.hear(turn), trainee.end_s)
        return self.answer(trainee)

    def wait(self, latency_s: float) -> float | None:
        """When the bot speaks after ``latency_s`` of silence. As in the turn model, past the
        customer's patience (or the time a hold notice bought) the customer speaks up in the
        silence and the director hears the dead air; None if the customer hangs up then."""
        assert self.last is not None
        c, start_s = self.customer, self.last.end_s + latency_s
        hold = c.hold_s()
        patience = hold if hold is not None else c.patience_s()
        if latency_s <= patience:
            return start_s
        at = self.last.end_s + patience
        kind = "hold_check" if hold is not None else "dead_air"
        self.ev.append(
            {
                "type": "silence",
                "t_s": round(at, 3),
                "start_s": round(self.last.end_s, 3),
                "silence_s": round(patience, 3),
                "kind": kind,
            }
        )
        self.intensity(c.silence(patience, hold=hold is not None), at)
        prompt = _reply(c)
        if prompt:
            self.last = self.customer_says(prompt, at)
        if c.ended:
            _hung_up(self.out, c, self.last)
            return None
        return max(start_s, self.last.end_s + CUSTOMER_REPLY_S)

    def answer(self, trainee: Placed) -> bool:
        """The customer's answer, after the persona's reply gap or its pressure pause."""
        c = self.customer
        pause = c.pressure_pause_s() if c.hold_s() is None else None
        if pause is not None:  # the bots wait through it
            self.ev.append(
                {
                    "type": "pressure_pause",
                    "t_s": round(trainee.end_s, 3),
                    "start_s": round(trainee.end_s, 3),
                    "duration_s": pause,
                }
            )
        text = _reply(c)
        if not text:
            return False
        gap = max(CUSTOMER_REPLY_S + c.voice().reply_gap_s, pause or 0.0)
        self.last = self.customer_says(text, trainee.end_s + gap)
        if c.ended:
            _hung_up(self.out, c, self.last)
            return False
        return True

    def finish(self) -> Played:
        out = self.out
        _customer_events(out)
        duration = max(x.end_s for x in out.lines) + EDGE_S
        self.ev.append(
            {
                "type": "call_end",
                "t_s": round(duration, 3),
                "reason": out.end_reason,
                "duration_s": round(duration, 3),
            }
        )
        self.ev.sort(key=lambda e: e["t_s"])
        out.final_intensity = self.customer.level
        out.meta.update(
            duration_s=round(duration, 3),
            end_reason=out.end_reason,
            final_intensity=self.customer.level,
        )
        return out


def _hung_up(out: Played, customer: Any, last: Placed) -> None:
    out.events.append(
        {
            "type": "hangup",
            "t_s": round(last.end_s, 3),
            "by": "customer",
            "reason": customer.end_reason or "hung up",
        }
    )
    out.end_reason = "hangup"


def _turn(text: str, start_s: float, end_s: float, cut_in: bool, latency: float | None) -> Any:
    from personas import TraineeTurn

    return TraineeTurn(
        text, start_s=start_s, end_s=end_s, interrupted_customer=cut_in, response_latency_s=latency
    )


def _customer_events(out: Played) -> None:
    """``customer_line`` and ``transcript`` events for the customer's lines, as the call writes
    them (word times spread over the played audio; a line cut off keeps the words played)."""
    for x in out.lines:
        if x.speaker != "customer":
            continue
        words = x.text.split()
        full = len(x.audio) / RATE if x.audio is not None else len(words) / TEXT_WPS
        played = x.end_s - x.start_s
        keep = words if not x.interrupted else words[: max(1, round(len(words) * played / full))]
        step = played / max(1, len(keep))
        out.events.append(
            {
                "type": "customer_line",
                "t_s": round(x.end_s, 3),
                "text": x.text,
                "interrupted": x.interrupted,
                "played_s": round(played, 3),
            }
        )
        out.events.append(
            {
                "type": "transcript",
                "t_s": round(x.start_s, 3),
                "speaker": "customer",
                "text": " ".join(keep),
                "start_s": round(x.start_s, 3),
                "end_s": round(x.end_s, 3),
                "words": [
                    {
                        "word": w,
                        "start_s": round(x.start_s + i * step, 3),
                        "end_s": round(x.start_s + (i + 1) * step, 3),
                    }
                    for i, w in enumerate(keep)
                ],
                "word_times": "estimated",
            }
        )


def write(played: Played, folder: Path, *, seed: int = 0) -> Path:
    """Write the session folder: ``recording.wav`` (when the call has audio), ``events.jsonl``,
    ``meta.json``. Returns the folder."""
    import soundfile as sf

    folder.mkdir(parents=True, exist_ok=True)
    if all(x.audio is not None for x in played.lines):
        duration = max(x.end_s for x in played.lines) + EDGE_S
        rng = np.random.default_rng(seed)
        y = rng.standard_normal((int(duration * RATE) + 1, 2)) * 10 ** (NOISE_FLOOR_DBFS / 20)
        for x in played.lines:
            assert x.audio is not None
            a = int(x.start_s * RATE)
            seg = x.audio[: max(0, round((x.end_s - x.start_s) * RATE))]
            y[a : a + len(seg), 0 if x.speaker == "trainee" else 1] += seg
        peak = float(np.max(np.abs(y)))
        if peak > 0.99:
            y *= 0.99 / peak
        sf.write(folder / "recording.wav", y.astype(np.float32), RATE, subtype="PCM_16")
    (folder / "events.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in played.events), encoding="utf-8"
    )
    (folder / "meta.json").write_text(json.dumps(played.meta, indent=2), encoding="utf-8")
    if played.case_note:
        (folder / "case_note.md").write_text(played.case_note + "\n", encoding="utf-8")
    return folder


def text_analysis(played: Played) -> dict[str, Any]:
    """An ``analysis.json`` for the call laid out as text: turns with evenly timed words, gaps
    and interruptions from the clock; no pitch, loudness or recognition errors. Its silences and
    dead air are the reader's to derive from the turns, by the analysis's own rule
    (``audio_analysis.CallAnalysis.from_dict`` on a document without ``silences``)."""
    turns = []
    for x in sorted(played.lines, key=lambda x: x.start_s):
        words = x.text.split()
        step = (x.end_s - x.start_s) / max(1, len(words))
        if x.interrupted:
            words = words[: max(1, round((x.end_s - x.start_s) * TEXT_WPS))]
        turns.append(
            {
                "speaker": x.speaker,
                "start_s": round(x.start_s, 3),
                "end_s": round(x.end_s, 3),
                "text": " ".join(words),
                "words": len(words),
                "word_times": [
                    {
                        "word": w,
                        "start_s": round(x.start_s + i * step, 3),
                        "end_s": round(x.start_s + (i + 0.9) * step, 3),
                    }
                    for i, w in enumerate(words)
                ],
                "wpm": round(60.0 * TEXT_WPS, 1),
            }
        )
    gaps, cuts = [], []
    for a, b in itertools.pairwise(turns):
        if b["start_s"] < a["end_s"]:
            if b["speaker"] != a["speaker"]:
                cuts.append(
                    {
                        "by": b["speaker"],
                        "of": a["speaker"],
                        "start_s": b["start_s"],
                        "overlap_s": round(a["end_s"] - b["start_s"], 3),
                    }
                )
            continue
        silence = b["start_s"] - a["end_s"]
        if a["speaker"] != b["speaker"]:
            gaps.append(
                {
                    "from": a["speaker"],
                    "to": b["speaker"],
                    "start_s": a["end_s"],
                    "duration_s": round(silence, 3),
                }
            )
    duration = max(t["end_s"] for t in turns) + EDGE_S
    return {
        "schema_version": 1,
        "source": "recording.wav",
        "duration_s": round(duration, 3),
        "sample_rate": RATE,
        "channels": {"trainee": 0, "customer": 1},
        "turns": turns,
        "interruptions": cuts,
        "gaps": gaps,
    }


def score_played(played: Played, analysis: dict[str, Any] | None = None, **kw: Any) -> Any:
    """The scorecard of a played call (its text layout unless an ``analysis`` is given)."""
    import scoring

    call = scoring.call_inputs(
        analysis if analysis is not None else text_analysis(played),
        played.events,
        name=f"{played.persona}/{played.script}",
        meta=played.meta,
        case_note=played.case_note or None,
        **kw,
    )
    return scoring.score_inputs(call), call


def lines_of(played: Played) -> Sequence[str]:
    """The call as text, one line per turn (for reading a calibration run)."""
    return [f"{x.start_s:6.1f} {x.speaker:8s} {x.text}" for x in played.lines]
