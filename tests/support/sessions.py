"""Session folders with exactly known content, written by hand to the contracts in
``docs/contracts.md`` (no models run): the oracle for store and web tests.

The recording is synthetic stereo: a 220 Hz tone on the trainee channel and a 330 Hz tone on
the customer channel where each speaks, silence elsewhere, so its waveform peaks are known.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16_000

#: The items of a fixture scorecard: (id, label, max).
ITEMS = (
    ("let_finish", "Let the customer finish", 12.0),
    ("acknowledge", "Acknowledge the specific failure first", 10.0),
    ("diagnose", "Ask before you answer", 12.0),
    ("no_triggers", "No trigger or hedge phrases", 12.0),
)


@dataclass
class FakeCall:
    """What a fixture session folder holds."""

    trainee: str = "sam"
    persona: str = "angry-billing"
    duration_s: float = 12.0
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 3, 2, 9, 30))
    seed: int = 0
    interruption_s: float = 6.5
    """When the trainee cuts the customer off."""
    scores: tuple[float, ...] = (6.0, 10.0, 12.0, 4.0)
    pitch_hz: float = 180.0
    loudness_dbfs: float = -22.0
    wpm: float = 150.0
    gauntlet: tuple[int, int] | None = None
    """(index, of) for a gauntlet call."""

    @property
    def overall(self) -> float:
        return round(100 * sum(self.scores) / sum(m for _, _, m in ITEMS), 1)


def _turns(c: FakeCall) -> list[dict]:
    d = c.duration_s
    return [
        {
            "speaker": "customer",
            "start_s": 0.5,
            "end_s": 4.0,
            "text": "I was charged twice for the same order.",
        },
        {"speaker": "trainee", "start_s": 4.6, "end_s": 6.0, "text": "Okay, calm down please."},
        {"speaker": "customer", "start_s": 6.0, "end_s": 8.0, "text": "Calm down? Really?"},
        {
            "speaker": "trainee",
            "start_s": c.interruption_s,
            "end_s": max(c.interruption_s + 0.5, min(d - 0.5, 10.5)),  # a turn never ends first
            "text": "I see the double charge on your account and I will refund it today.",
        },
    ]


def write_recording(path: Path, c: FakeCall) -> None:
    n = int(c.duration_s * RATE)
    y = np.zeros((n, 2), dtype=np.float32)
    t = np.arange(n) / RATE
    rng = np.random.default_rng(c.seed)
    for turn in _turns(c):
        ch = 0 if turn["speaker"] == "trainee" else 1
        a, b = int(turn["start_s"] * RATE), int(turn["end_s"] * RATE)
        f = 220.0 if ch == 0 else 330.0
        y[a:b, ch] = 0.5 * np.sin(2 * np.pi * f * t[a:b])
    y += rng.normal(0, 1e-4, y.shape).astype(np.float32)  # each seed a different recording
    sf.write(str(path), y, RATE, subtype="PCM_16")


def _talk_s(turns: list[dict], speaker: str) -> float:
    return round(sum(t["end_s"] - t["start_s"] for t in turns if t["speaker"] == speaker), 3)


def make_session(folder: Path, c: FakeCall | None = None) -> Path:
    """Write a complete, scored session folder; returns it."""
    c = c or FakeCall()
    folder.mkdir(parents=True, exist_ok=True)
    write_recording(folder / "recording.wav", c)
    meta = {
        "schema_version": 1,
        "persona": c.persona,
        "persona_name": "Dana (double charge)",
        "trainee": c.trainee,
        "mode": "simulated",
        "started_at": c.started_at.isoformat() + "Z",
        "duration_s": c.duration_s,
    }
    if c.gauntlet:
        meta["gauntlet"] = {
            "folder": folder.parent.name,
            "index": c.gauntlet[0],
            "of": c.gauntlet[1],
        }
    (folder / "meta.json").write_text(json.dumps(meta))
    turns = _turns(c)
    analysis = {
        "schema_version": 1,
        "source": "recording.wav",
        "duration_s": c.duration_s,
        "warnings": [],
        "speakers": {
            "trainee": {
                "talk_time_s": _talk_s(turns, "trainee"),
                "pitch_hz_median": c.pitch_hz,
                "loudness_dbfs_median": c.loudness_dbfs,
                "wpm": c.wpm,
            },
            "customer": {
                "talk_time_s": _talk_s(turns, "customer"),
                "pitch_hz_median": 210.0,
                "loudness_dbfs_median": -18.0,
                "wpm": 170.0,
            },
        },
        "turns": turns,
        "interruptions": [
            {"by": "trainee", "of": "customer", "start_s": c.interruption_s, "overlap_s": 1.5}
        ],
        "gaps": [{"from": "customer", "to": "trainee", "start_s": 4.0, "duration_s": 0.6}],
        "silences": [],
        "dead_air": [],
    }
    (folder / "analysis.json").write_text(json.dumps(analysis))
    events = [
        {"type": "call_start", "t_s": 0.0, "persona": c.persona},
        {"type": "intensity", "t_s": 0.0, "level": 6, "stage": "venting", "reason": "start"},
        {
            "type": "intensity",
            "t_s": 5.0,
            "level": 8,
            "previous": 6,
            "stage": "venting",
            "reason": "told to calm down",
        },
    ]
    (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    items = []
    for (iid, label, mx), score in zip(ITEMS, c.scores, strict=True):
        ev = []
        if iid == "no_triggers":
            ev.append(
                {"start_s": 4.6, "speaker": "trainee", "quote": "calm down", "effect": "lost"}
            )
        if iid == "acknowledge":
            ev.append(
                {
                    "start_s": c.interruption_s,
                    "speaker": "trainee",
                    "quote": "I see the double charge",
                    "effect": "won",
                }
            )
        items.append(
            {
                "id": iid,
                "label": label,
                "score": score,
                "max": mx,
                "applicable": True,
                "judged_by": "rules",
                "evidence": ev,
                "tip": f"tip for {iid}",
            }
        )
    card = {
        "schema_version": 1,
        "overall": c.overall,
        "items": items,
        "summary": f"Scored {c.overall:.0f}/100.",
        "persona": c.persona,
        "duration_s": c.duration_s,
        "warnings": [],
    }
    (folder / "scorecard.json").write_text(json.dumps(card))
    return folder


def make_gauntlet(
    folder: Path, calls: list[FakeCall], *, overall: float = 55.0, composure: float = 6.0
) -> Path:
    """A gauntlet folder with its calls and a session scorecard."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i, c in enumerate(calls, 1):
        c.gauntlet = (i, len(calls))
        name = f"{i:02d}-{c.persona}"
        make_session(folder / name, c)
        names.append(name)
    (folder / "gauntlet.json").write_text(
        json.dumps(
            {
                "calls": [
                    {"folder": n, "persona": c.persona} for n, c in zip(names, calls, strict=True)
                ]
            }
        )
    )
    card = {
        "schema_version": 1,
        "overall": overall,
        "calls": [
            {
                "name": n,
                "overall": c.overall,
                "pitch_hz_median": c.pitch_hz,
                "loudness_dbfs_median": c.loudness_dbfs,
                "wpm": c.wpm,
                "interruptions": 1,
                "response_latency_s_median": 0.6,
            }
            for n, c in zip(names, calls, strict=True)
        ],
        "patience": [
            {
                "id": "composure_held",
                "label": "Composure held",
                "score": composure,
                "max": 10.0,
                "applicable": True,
                "evidence": [],
            },
        ],
        "summary": "Patience slipped.",
    }
    (folder / "session_scorecard.json").write_text(json.dumps(card))
    return folder
