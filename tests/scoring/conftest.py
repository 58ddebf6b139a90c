"""Hand-made ``analysis.json`` documents that follow docs/contracts.md exactly.

``CallBuilder`` lays turns on a clock with evenly spaced word times, so every figure the scorer
reads (wpm, gaps, drift) is known exactly.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean, median
from typing import Any

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@dataclass
class CallBuilder:
    """Build an analysis.json (schema_version 1) and events.jsonl turn by turn."""

    turns: list[dict[str, Any]] = field(default_factory=list)
    interruptions: list[dict[str, Any]] = field(default_factory=list)
    backchannels: list[dict[str, Any]] = field(default_factory=list)
    quiet: list[tuple[float, float]] = field(default_factory=list)
    """Silences laid on the clock (start_s, duration_s); whose they are comes from the turns."""
    events: list[dict[str, Any]] = field(default_factory=list)
    t_s: float = 0.0
    trainee_pitch_hz: float = 120.0
    trainee_loudness_dbfs: float = -24.0
    customer_loudness_dbfs: float = -22.0
    drift: dict[str, dict[str, float]] | None = None
    trainee_wpm: float | None = None

    def say(
        self,
        speaker: str,
        text: str,
        *,
        gap_s: float = 0.6,
        wps: float = 2.5,
        at_s: float | None = None,
        loudness_dbfs: float | None = None,
        pitch_hz: float | None = None,
    ) -> CallBuilder:
        start = self.t_s + gap_s if at_s is None else at_s
        words = text.split()
        dur = max(len(words) / wps, 0.4)
        step = dur / max(len(words), 1)
        wt = [
            {
                "word": w,
                "start_s": round(start + i * step, 3),
                "end_s": round(start + (i + 0.9) * step, 3),
            }
            for i, w in enumerate(words)
        ]
        if loudness_dbfs is None:
            loudness_dbfs = (
                self.trainee_loudness_dbfs if speaker == "trainee" else self.customer_loudness_dbfs
            )
        if pitch_hz is None:
            pitch_hz = self.trainee_pitch_hz if speaker == "trainee" else 200.0
        self.turns.append(
            {
                "speaker": speaker,
                "start_s": round(start, 3),
                "end_s": round(start + dur, 3),
                "text": text,
                "words": len(words),
                "word_times": wt,
                "wpm": round(len(words) / (dur / 60.0), 1),
                "pitch_hz_median": pitch_hz,
                "loudness_dbfs": loudness_dbfs,
            }
        )
        self.t_s = max(self.t_s, start + dur)
        return self

    def interrupt(self, at_s: float, overlap_s: float = 1.2, by: str = "trainee") -> CallBuilder:
        of = "customer" if by == "trainee" else "trainee"
        self.interruptions.append({"by": by, "of": of, "start_s": at_s, "overlap_s": overlap_s})
        return self

    def silence(self, duration_s: float) -> CallBuilder:
        self.quiet.append((round(self.t_s, 3), duration_s))
        self.t_s += duration_s
        return self

    def silences(self, turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The contract's ``silences``: who spoke before and after each silence laid down."""
        out = []
        for start, dur in self.quiet:
            before = [t for t in turns if t["end_s"] <= start + 1e-3]
            after = [t for t in turns if t["start_s"] >= start + dur - 1e-3]
            if before and after:
                out.append(
                    {
                        "from": max(before, key=lambda t: t["end_s"])["speaker"],
                        "to": min(after, key=lambda t: t["start_s"])["speaker"],
                        "start_s": start,
                        "duration_s": dur,
                    }
                )
        return out

    def intensity(
        self, t_s: float, level: int, previous: int | None, reason: str = ""
    ) -> CallBuilder:
        ev: dict[str, Any] = {
            "type": "intensity",
            "t_s": t_s,
            "level": level,
            "stage": "s",
            "reason": reason,
        }
        if previous is not None:
            ev["previous"] = previous
        self.events.append(ev)
        return self

    def analysis(self) -> dict[str, Any]:
        turns = sorted(self.turns, key=lambda t: t["start_s"])
        gaps = []
        for a, b in itertools.pairwise(turns):
            if a["speaker"] != b["speaker"] and b["start_s"] >= a["end_s"]:
                gaps.append(
                    {
                        "from": a["speaker"],
                        "to": b["speaker"],
                        "start_s": a["end_s"],
                        "duration_s": round(b["start_s"] - a["end_s"], 3),
                    }
                )
        speakers = {}
        drift = {}
        for spk in ("trainee", "customer"):
            ts = [t for t in turns if t["speaker"] == spk]
            talk = sum(t["end_s"] - t["start_s"] for t in ts)
            words = sum(t["words"] for t in ts)
            wpm = words / (talk / 60.0) if talk else 0.0
            if spk == "trainee" and self.trainee_wpm is not None:
                wpm = self.trainee_wpm
            speakers[spk] = {
                "talk_time_s": round(talk, 3),
                "turns": len(ts),
                "words": words,
                "wpm": round(wpm, 1),
                "pitch_hz_median": median(t["pitch_hz_median"] for t in ts) if ts else None,
                "loudness_dbfs_median": median(t["loudness_dbfs"] for t in ts) if ts else None,
                "overtalk_s": 0.0,
            }
            n = max(len(ts) // 3, 1)
            if ts:
                first, last = ts[:n], ts[-n:]
                drift[spk] = {
                    "pitch_st": round(
                        12
                        * np.log2(
                            mean(t["pitch_hz_median"] for t in last)
                            / mean(t["pitch_hz_median"] for t in first)
                        ),
                        2,
                    ),
                    "loudness_db": round(
                        mean(t["loudness_dbfs"] for t in last)
                        - mean(t["loudness_dbfs"] for t in first),
                        2,
                    ),
                    "wpm_pct": round(
                        100 * (mean(t["wpm"] for t in last) / mean(t["wpm"] for t in first) - 1), 1
                    ),
                }
            else:
                drift[spk] = {"pitch_st": 0.0, "loudness_db": 0.0, "wpm_pct": 0.0}
        if self.drift:
            for spk, d in self.drift.items():
                drift[spk].update(d)
        silences = self.silences(turns)
        return {
            "schema_version": 1,
            "source": "recording.wav",
            "duration_s": round(self.t_s + 1.0, 3),
            "sample_rate": 16000,
            "channels": {"trainee": 0, "customer": 1},
            "warnings": [],
            "speakers": speakers,
            "turns": turns,
            "interruptions": self.interruptions,
            "backchannels": self.backchannels,
            "gaps": gaps,
            "silences": silences,
            "dead_air": [
                {"start_s": q["start_s"], "duration_s": q["duration_s"]}
                for q in silences
                if (q["from"], q["to"]) == ("customer", "trainee")
            ],
            "tone_drift": drift,
            "series": {
                "trainee": {"hop_s": 0.5, "pitch_hz": [], "loudness_dbfs": []},
                "customer": {"hop_s": 0.5, "pitch_hz": [], "loudness_dbfs": []},
            },
        }

    def write(self, folder: Path, recording: Path | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "analysis.json").write_text(json.dumps(self.analysis()), encoding="utf-8")
        (folder / "events.jsonl").write_text(
            "".join(json.dumps(e) + "\n" for e in self.events), encoding="utf-8"
        )
        return folder


OPENING = (
    "I have been waiting three weeks for my order and your people gave me three "
    "different delivery dates. This is ridiculous."
)


def good_call() -> CallBuilder:
    """A call that follows the practice the rubric rewards."""
    b = CallBuilder()
    b.intensity(0.0, 7, None, "opening")
    b.say("customer", OPENING, gap_s=0.2)
    b.say(
        "trainee",
        "I'm so sorry, three different delivery dates for one order is not okay. "
        "Can you give me the order number so I can see where it is?",
    )
    b.say("customer", "It's four four seven two. And I want it this week.")
    b.say(
        "trainee",
        "Thank you. So if I understand correctly, the order was promised three "
        "times and still has not arrived, and you need it this week. One moment while I "
        "check the order.",
    )
    b.silence(4.0)
    b.intensity(b.t_s, 5, 7, "acknowledged")
    b.say(
        "trainee",
        "I found it. The parcel is held at the depot. I will call the depot now "
        "and I will phone you back by 3 pm today with a firm delivery date.",
    )
    b.say("customer", "Okay. Thank you, that actually helps.")
    b.intensity(b.t_s, 3, 5, "concrete next step")
    return b


def bad_call() -> CallBuilder:
    """The same customer and scenario, with every mistake the rubric penalises."""
    b = CallBuilder()
    b.intensity(0.0, 7, None, "opening")
    b.say("customer", OPENING, gap_s=0.2)
    b.interrupt(b.turns[-1]["start_s"] + 3.0)
    b.say(
        "trainee",
        "Okay well calm down, unfortunately we can offer you a discount on the next order.",
        at_s=b.turns[-1]["start_s"] + 3.0,
        loudness_dbfs=-24.0,
    )
    b.intensity(b.t_s, 8, 7, "told to calm down")
    b.say("customer", "A discount? I want my order! You people are useless!", loudness_dbfs=-14.0)
    b.say(
        "trainee",
        "Per our policy there is nothing I can do, maybe it comes next week.",
        loudness_dbfs=-17.0,
        pitch_hz=160.0,
    )
    b.silence(5.0)
    b.say("customer", "Hello? Are you still there?", loudness_dbfs=-14.0)
    b.say(
        "trainee",
        "That's not my department. We will look into it.",
        loudness_dbfs=-16.0,
        pitch_hz=165.0,
    )
    b.intensity(b.t_s, 9, 8, "deflected")
    return b


@pytest.fixture
def good() -> CallBuilder:
    return good_call()


@pytest.fixture
def bad() -> CallBuilder:
    return bad_call()
