"""Labelled situations as the scorer's own inputs, for the items that read analysis figures.

Active listening, pace matching and pressure pauses are judged from what the analysis measures
(backchannels, words per minute, silences), not from one utterance's words. Each labelled
situation (``tests/scoring/labelled_{listening,pace,pauses}.yaml``) is laid out here as an
``analysis.json`` document and the call's events, exactly as the analysis and the call write
them (``docs/contracts.md``), and read by ``scoring.call_inputs``: the rules judge then sees it as
it sees a call.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TESTS = Path(__file__).resolve().parents[1] / "tests" / "scoring"
#: Words a second of the customer's vent and of the trainee's replies (about 150 wpm).
WPS = 2.5
#: A verbal nod's length, seconds (the analysis reports a backchannel under 1 s).
NOD_S = 0.4
#: The trainee answers this long after the customer stops, seconds.
REPLY_GAP_S = 0.6
#: Words per turn in a pace exchange when the situation gives none (about ten seconds).
EXCHANGE_WORDS = 24
#: Filler text for laying out turns whose words do not matter (pace exchanges).
_PACE_WORDS = (  # noqa: SIM905 - a sentence reads better as prose
    "I hear what you are saying and I want to go through the account with you step by step so "
    "that we both know exactly where things stand before we decide what to do next today"
).split()


@dataclass
class Layout:
    """Turns, backchannels and events on one clock (seconds)."""

    turns: list[dict[str, Any]] = field(default_factory=list)
    backchannels: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    t_s: float = 0.4

    def say(
        self, speaker: str, text: str, *, at_s: float | None = None, wpm: float | None = None
    ) -> dict[str, Any]:
        """Lay ``text`` from ``at_s`` (default: after the last turn) at ``wpm`` words a minute."""
        words = text.split()
        start = self.t_s + REPLY_GAP_S if at_s is None else at_s
        rate = (wpm or 60.0 * WPS) / 60.0
        dur = max(len(words) / rate, 0.4)
        step = dur / max(1, len(words))
        turn = {
            "speaker": speaker,
            "start_s": round(start, 3),
            "end_s": round(start + dur, 3),
            "text": text,
            "words": len(words),
            "word_times": [
                {
                    "word": w,
                    "start_s": round(start + i * step, 3),
                    "end_s": round(start + (i + 0.9) * step, 3),
                }
                for i, w in enumerate(words)
            ],
            "wpm": round(len(words) / (dur / 60.0), 1),
        }
        self.turns.append(turn)
        self.t_s = max(self.t_s, start + dur)
        return turn

    def nod(self, at_s: float, text: str) -> None:
        """A short trainee backchannel inside the customer's turn."""
        self.backchannels.append(
            {
                "by": "trainee",
                "of": "customer",
                "start_s": round(at_s, 3),
                "duration_s": NOD_S,
                "text": text,
            }
        )

    def analysis(self) -> dict[str, Any]:
        """The ``analysis.json`` document (schema_version 1) of the layout; its silences and
        dead air are derived by the reader (``CallAnalysis.from_dict``), by the analysis's rule."""
        turns = sorted(self.turns, key=lambda t: t["start_s"])
        speakers = {}
        for spk in ("trainee", "customer"):
            mine = [t for t in turns if t["speaker"] == spk]
            talk = sum(t["end_s"] - t["start_s"] for t in mine)
            words = sum(t["words"] for t in mine)
            speakers[spk] = {
                "talk_time_s": round(talk, 3),
                "turns": len(mine),
                "words": words,
                "wpm": round(words / (talk / 60.0), 1) if talk else None,
                "pitch_hz_median": None,
                "loudness_dbfs_median": None,
                "overtalk_s": 0.0,
            }
        gaps = []
        for a, b in itertools.pairwise(turns):
            silence = b["start_s"] - a["end_s"]
            if silence <= 0:
                continue
            if a["speaker"] != b["speaker"]:
                gaps.append(
                    {
                        "from": a["speaker"],
                        "to": b["speaker"],
                        "start_s": a["end_s"],
                        "duration_s": round(silence, 3),
                    }
                )
        return {
            "schema_version": 1,
            "source": "recording.wav",
            "duration_s": round(self.t_s + 0.5, 3),
            "sample_rate": 16000,
            "channels": {"trainee": 0, "customer": 1},
            "speakers": speakers,
            "turns": turns,
            "interruptions": [],
            "backchannels": sorted(self.backchannels, key=lambda b: b["start_s"]),
            "gaps": gaps,
        }

    def inputs(self, persona: str) -> Any:
        """The scorer's ``CallInputs`` for the layout, as a call of ``persona``."""
        import scoring

        events = [{"type": "call_start", "t_s": 0.0, "persona": persona}, *self.events]
        return scoring.call_inputs(self.analysis(), events, meta={"persona": persona})


def load(name: str) -> list[dict[str, Any]]:
    """A labelled situation set (``listening``, ``pace`` or ``pauses``), each with a source."""
    path = TESTS / f"labelled_{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for i, x in enumerate(data):
        where = f"{path.name}[{i}]"
        assert str(x.get("source", "")).strip(), f"{where}: no source"
        assert x.get("persona"), f"{where}: no persona"
    return list(data)


def _vent_text(persona: str, vent: str | None, n_words: int) -> str:
    from personas import get_persona

    base = (vent or get_persona(persona).opening_line).split()
    out = [base[i % len(base)] for i in range(max(n_words, len(base) if vent else 0))]
    return " ".join(out)


def listening_call(x: dict[str, Any]) -> Any:
    """A customer talking at length for ``vent_s`` with the trainee's nods in it, then the
    trainee's reply."""
    lay = Layout()
    vent_s = float(x["vent_s"])
    text = _vent_text(x["persona"], x.get("vent"), round(vent_s * WPS))
    wpm = 60.0 * len(text.split()) / vent_s
    turn = lay.say("customer", text, at_s=0.4, wpm=wpm)
    for at, words in x.get("nods") or ():
        lay.nod(turn["start_s"] + float(at), str(words))
    lay.say("trainee", x["reply"])
    return lay.inputs(x["persona"])


def pace_call(x: dict[str, Any]) -> Any:
    """Exchanges of a customer turn and the trainee's reply at the given words a minute."""
    lay = Layout()
    k = 0
    for ex in x["exchanges"]:
        c_wpm, t_wpm = float(ex[0]), float(ex[1])
        c_n = int(ex[2]) if len(ex) > 2 else EXCHANGE_WORDS
        t_n = int(ex[3]) if len(ex) > 3 else EXCHANGE_WORDS
        for spk, n, wpm in (("customer", c_n, c_wpm), ("trainee", t_n, t_wpm)):
            words = [_PACE_WORDS[(k + i) % len(_PACE_WORDS)] for i in range(n)]
            k += n
            lay.say(spk, " ".join(words), wpm=wpm)
    return lay.inputs(x["persona"])


def pause_call(x: dict[str, Any]) -> Any:
    """The trainee's answer, the customer's deliberate silence, what the trainee said in it,
    then the customer's reply."""
    from personas import get_persona

    lay = Layout()
    lay.say("customer", get_persona(x["persona"]).opening_line, at_s=0.4)
    answer = lay.say("trainee", x["answer"])
    start, pause = answer["end_s"], float(x["pause_s"])
    lay.events.append(
        {"type": "pressure_pause", "t_s": start, "start_s": start, "duration_s": pause}
    )
    for at, words in x.get("fill") or ():
        lay.say("trainee", str(words), at_s=max(lay.t_s + 0.3, start + float(at)))
    reply_s = max(start + pause, lay.t_s + 0.5)
    lay.say("customer", "Well, that is not what I was told.", at_s=reply_s)
    return lay.inputs(x["persona"])


def situations(name: str) -> Sequence[tuple[dict[str, Any], Any]]:
    """Every labelled situation of a set with the scorer's inputs for it."""
    build = {"listening": listening_call, "pace": pace_call, "pauses": pause_call}[name]
    return [(x, build(x)) for x in load(name)]
