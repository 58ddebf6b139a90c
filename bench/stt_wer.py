"""Live STT accuracy and cost: the call's short-window Whisper path against full-window offline.

The utterances:

* the real two-speaker telephone sample in ``../shared/data/pyannote-sample`` (13 utterances,
  timed reference transcript ``sample.stm``);
* Piper sentences (en_US-joe-medium) in the words trainees use, the director's trigger phrases
  among them, pitch-shifted -3..+3 semitones and sped up or slowed down, each at 16 kHz and
  through the 8 kHz phone line (300-3400 Hz, line noise). Piper samples its voice, so each
  render of the set differs a little: ``--renders`` renders are measured and pooled.

Each utterance is run as the call runs it: Silero and the call's voice-activity edges over the
clip (silence around it), the turn opened at the first voice-on edge, and one
:class:`~voice_sim.stt_whisper.TurnTranscriber` pass up to the last voice-off edge, in the call
of each of three personas (the speech-to-text told the call's vocabulary as the session tells
it: ``voice_sim.session.call_vocabulary``), and once without a vocabulary. The reference is
faster-whisper's own full 30 s window over the whole clip. Word error rate (WER) is against the
human transcript; trigger recall counts, of the director's triggers that fire on the true words
(read by the director's own vocabulary, ``personas.phrases``), those that still fire on the
transcript; a persona's failure counts in its own call only.

    python bench/stt_wer.py [--renders 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import soxr

from voice_sim import dsp, models
from voice_sim.settings import SAMPLE_RATE_HZ, CallSettings
from voice_sim.stt_whisper import ShortWindowWhisper, TurnTranscriber, transcribe_array
from voice_sim.tts_piper import PIPER_RATE_HZ, VoiceCharacter, iter_sentences
from voice_sim.voice_activity import VoiceActivity, VoiceOff, VoiceOn

SR = SAMPLE_RATE_HZ
SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "pyannote-sample"

#: What trainees say, with the director's trigger phrases in some.
SENTENCES = [
    "I'm sorry you've had to call about this again, that sounds really frustrating.",
    "Can you tell me the email on the account?",
    "Please calm down, I'm trying to help you.",
    "Per our policy I can't refund a charge after thirty days.",
    "Unfortunately there is nothing more I can do today.",
    "I can see you were charged twice this month.",
    "Which card was the duplicate charge taken from?",
    "Your technician missed the appointment, and I'm sorry about that.",
    "I'll call you back tomorrow before noon with an update.",
    "Let me put you on hold for a moment while I check.",
    "That's not our fault, the warehouse sent it late.",
    "The refund will reach your card within five business days.",
    "Could you read me the order number, please?",
    "I understand you've been waiting for two weeks for this delivery.",
    "You need to calm down before we can continue.",
    "Unfortunately your plan doesn't include that feature.",
    "Per our policy we need to verify your identity first.",
    "What happens when you try to log in?",
    "I'm going to escalate this to my supervisor right now.",
    "The dashboard has been broken since the last update.",
    "I hear you, being charged twice is not okay.",
    "Can I have your date of birth to confirm the account?",
    "So the router fee was a one off charge, it won't repeat.",
    "I've refunded the duplicate payment and emailed you a receipt.",
]
#: The director's triggers, read by the director's own vocabulary (personas.phrases): the
#: phrases that cost the trainee, and the failure the persona names ("charged twice" for the
#: billing caller, the missed appointment for the delayed order, the router fee for Margaret).
TRIGGER_FIELDS = ("calm_down", "unfortunately", "per_policy", "blaming", "mentions_issue")
FAILURE_PERSONAS = ("angry-billing", "delayed-order", "elderly-confused")
PITCHES = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)
SPEEDS = (0.9, 1.0, 1.1)


@dataclass(frozen=True)
class Utterance:
    name: str
    audio: np.ndarray  # float32, 16 kHz, speech with silence around it
    reference: str
    condition: str


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _spell(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    return str(n)


def norm_words(text: str) -> list[str]:
    """Lower case, no punctuation, numbers under 100 spelled out ("5" and "five" are one word)."""
    t = text.lower().replace("-", " ")
    t = re.sub(r"[^a-z0-9' ]+", " ", t)
    t = re.sub(r"\b\d{1,2}\b", lambda m: _spell(int(m.group())), t)
    return [w.strip("'") for w in t.split() if w.strip("'")]


def wer_counts(ref: list[str], hyp: list[str]) -> int:
    """Word edit distance (substitutions + deletions + insertions)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def real_sample() -> list[Utterance]:
    if not (SAMPLE / "sample.wav").is_file():
        return []
    y, sr = sf.read(str(SAMPLE / "sample.wav"), dtype="float32")
    if sr != SR:
        y = soxr.resample(y, sr, SR)
    out: list[Utterance] = []
    for i, line in enumerate((SAMPLE / "sample.stm").read_text().splitlines()):
        parts = line.split(maxsplit=5)
        start, end, text = float(parts[3]), float(parts[4]), parts[5]
        clip = y[max(0, int((start - 0.1) * SR)) : int((end + 0.1) * SR)]
        pad = np.zeros(int(0.5 * SR), np.float32)
        out.append(Utterance(f"real{i:02d}", np.concatenate([pad, clip, pad]), text, "real 8k"))
    return out


def piper_set() -> list[Utterance]:
    out: list[Utterance] = []
    line = dsp.PhoneLine(PIPER_RATE_HZ, seed=3)
    for i, text in enumerate(SENTENCES):
        for phone in (False, True):
            k = 2 * i + phone
            ch = VoiceCharacter(
                pitch_shift_st=PITCHES[k % len(PITCHES)], length_scale=SPEEDS[k % len(SPEEDS)]
            )
            y = np.concatenate(list(iter_sentences(text, ch)))
            if phone:
                y = line.process(y)
            y = soxr.resample(y.astype(np.float32), PIPER_RATE_HZ, SR)
            pad = np.zeros(int(0.5 * SR), np.float32)
            cond = f"piper {'8k phone' if phone else '16k'} {ch.pitch_shift_st:+.0f}st"
            out.append(Utterance(f"piper{k:02d}", np.concatenate([pad, y, pad]), text, cond))
    return out


def triggers(text: str) -> dict[str, bool]:
    """Which director triggers fire on ``text`` (a persona's failure: once per persona)."""
    from personas import get_persona
    from personas.phrases import read_cues

    out: dict[str, bool] = {}
    for pid in FAILURE_PERSONAS:
        c = read_cues(text, get_persona(pid))
        for f in TRIGGER_FIELDS:
            key = f"{f}:{pid}" if f == "mentions_issue" else f
            out[key] = out.get(key, False) or bool(getattr(c, f))
    return out


def live_pass(whisper: ShortWindowWhisper, y: np.ndarray) -> tuple[str, float, float]:
    """The call's path: Silero edges, a turn from the first voice-on to the last voice-off.
    Returns (text, wall s, CPU s) of the final pass."""
    vad = VoiceActivity()
    silero = models.silero_stream()
    tt = TurnTranscriber(whisper, sample_rate=SR)
    start = end = None
    pcm = np.clip(np.round(y * 32768.0), -32768, 32767).astype(np.int16)
    for i in range(0, pcm.shape[0], 320):
        frame = pcm[i : i + 320]
        tt.push(frame)
        probs, _ = silero.push(frame.astype(np.float32) / 32768.0)
        for edge in vad.push(probs):
            if isinstance(edge, VoiceOn) and start is None:
                start = edge.t_s
                tt.open(start)
            elif isinstance(edge, VoiceOff):
                end = edge.t_s
    if start is None:
        return "", 0.0, 0.0
    end = end if end is not None else pcm.shape[0] / SR
    t0, c0 = time.perf_counter(), time.process_time()
    text = tt.transcribe(end).text
    return text, time.perf_counter() - t0, time.process_time() - c0


def _live(
    whisper: ShortWindowWhisper, u: Utterance, vocab: tuple[tuple[str, ...], str] | None
) -> tuple[str, float, float]:
    words, topic = vocab if vocab is not None else ((), "")
    whisper.set_vocabulary(words, topic=topic)
    return live_pass(whisper, u.audio)


def run_render(whisper: ShortWindowWhisper, render: int) -> list[dict[str, object]]:
    """One Piper render of the set (Piper's voice is sampled: every render differs a little):
    per utterance, the offline reference, the live path without a vocabulary, and the live path
    in each failure persona's call (its vocabulary set as the session sets it)."""
    from personas import get_persona
    from voice_sim.session import call_vocabulary

    rows: list[dict[str, object]] = []
    for u in real_sample() + piper_set():
        t0 = time.perf_counter()
        full = transcribe_array(u.audio)
        full_wall = time.perf_counter() - t0
        plain, _, _ = _live(whisper, u, None)
        calls = {}
        walls, cpus = [], []
        for pid in FAILURE_PERSONAS:
            text, wall, cpu = _live(whisper, u, call_vocabulary(get_persona(pid)))
            calls[pid] = text
            walls.append(wall)
            cpus.append(cpu)
        ref = norm_words(u.reference)
        rows.append(
            {
                "render": render,
                "name": u.name,
                "condition": u.condition,
                "reference": u.reference,
                "ref_words": len(ref),
                "full": full,
                "plain": plain,
                "calls": calls,
                "full_errors": wer_counts(ref, norm_words(full)),
                "plain_errors": wer_counts(ref, norm_words(plain)),
                "call_errors": {p: wer_counts(ref, norm_words(t)) for p, t in calls.items()},
                "live_wall_s": statistics.median(walls),
                "live_cpu_s": statistics.median(cpus),
                "full_wall_s": full_wall,
            }
        )
    return rows


def wer_table(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Word error rate (%) per set: offline, live without and with the call's vocabulary."""

    def wer(sel: list[dict[str, Any]], errors: Callable[[dict[str, Any]], float]) -> float:
        n = sum(int(r["ref_words"]) for r in sel)
        return 100.0 * sum(errors(r) for r in sel) / max(1, n)

    groups = {
        "all": rows,
        "real telephone (pyannote sample)": [r for r in rows if r["condition"] == "real 8k"],
        "piper 16 kHz": [r for r in rows if "16k" in str(r["condition"])],
        "piper 8 kHz phone line": [r for r in rows if "phone" in str(r["condition"])],
    }
    return {
        name: {
            "n": len(sel),
            "offline_wer": wer(sel, lambda r: r["full_errors"]),
            "live_plain_wer": wer(sel, lambda r: r["plain_errors"]),
            # each utterance as said in each of the three calls
            "live_wer": wer(sel, lambda r: statistics.mean(r["call_errors"].values())),
        }
        for name, sel in groups.items()
    }


def recall(rows: list[dict[str, Any]], which: str) -> tuple[int, int, int, list[str]]:
    """Trigger recall in each failure persona's call: (hits, occurrences, false alarms, misses).
    A persona's failure counts only in its own call; the other triggers in every call."""
    hits = total = false = 0
    misses: list[str] = []
    for r in rows:
        truth = triggers(str(r["reference"]))
        for pid in FAILURE_PERSONAS:
            text = (
                r["full"]
                if which == "full"
                else r["plain"]
                if which == "plain"
                else r["calls"][pid]
            )
            got = triggers(str(text))
            for trig, fired in truth.items():
                if trig.startswith("mentions_issue") and not trig.endswith(pid):
                    continue
                if not fired:
                    false += got.get(trig, False)
                    continue
                total += 1
                hits += got.get(trig, False)
                if not got.get(trig, False):
                    misses.append(f"render {r['render']} {trig} in {r['name']} ({pid}): {text!r}")
    return hits, total, false, misses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--renders", type=int, default=2, help="Piper renders of the set.")
    ap.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = ap.parse_args()
    whisper = ShortWindowWhisper()
    rows: list[dict[str, Any]] = []
    per_render: list[dict[str, float]] = []
    for r in range(args.renders):
        got = run_render(whisper, r)
        rows += got
        h, t, _, _ = recall(got, "calls")
        hp, _, _, _ = recall(got, "plain")
        per_render.append({"live": 100 * h / max(1, t), "plain": 100 * hp / max(1, t), "n": t})
    table = wer_table(rows)
    n_utts = len(rows) // max(1, args.renders)
    print(
        f"live STT vs full-window offline, {n_utts} utterances x {args.renders} Piper renders, "
        f"live in {len(FAILURE_PERSONAS)} calls ({os.cpu_count()} cores; the call's vocabulary "
        f"is {'on' if CallSettings().stt_vocabulary else 'off'} by default)"
    )
    print(f"  {'set':34s} {'n':>3s} {'vocab. on':>10s} {'vocab. off':>11s} {'offline':>8s}")
    for name, g in table.items():
        print(
            f"  {name:34s} {g['n'] // args.renders:3.0f} {g['live_wer']:9.1f}% "
            f"{g['live_plain_wer']:10.1f}% {g['offline_wer']:7.1f}%"
        )
    figures: dict[str, Any] = {"utterances": n_utts, "renders": args.renders, "groups": table}
    labels = (
        ("calls", "live, the call's vocabulary on"),
        ("plain", "live, vocabulary off"),
        ("full", "offline"),
    )
    for which, label in labels:
        h, t, f, misses = recall(rows, which)
        spread = ""
        if which != "full":
            key = "live" if which == "calls" else "plain"
            vals = [x[key] for x in per_render]
            spread = f" (per render {', '.join(f'{v:.1f}%' for v in vals)})"
        print(
            f"  trigger recall, {label}: {100 * h / max(1, t):.1f}% ({h} of {t}){spread}, "
            f"{f} fired on these words only"
        )
        figures[f"trigger_recall_{which}"] = h / max(1, t)
        figures[f"trigger_false_alarms_{which}"] = f
        if which == "calls":
            for m in misses:
                print(f"    missed {m}")
    lw = [float(r["live_wall_s"]) for r in rows]
    lc = [float(r["live_cpu_s"]) for r in rows]
    fw_ = [float(r["full_wall_s"]) for r in rows]
    print(
        f"  final pass per utterance: live {statistics.median(lw) * 1000:.0f} ms wall "
        f"(p90 {np.percentile(lw, 90) * 1000:.0f}), {statistics.median(lc) * 1000:.0f} ms CPU; "
        f"offline full window {statistics.median(fw_) * 1000:.0f} ms wall"
    )
    worst = sorted(
        rows, key=lambda r: statistics.mean(r["call_errors"].values()) - r["full_errors"]
    )
    print("  where live and offline differ most:")
    for r in reversed(worst[-5:]):
        print(f"    {r['name']} render {r['render']} ({r['condition']}): ref {r['reference']!r}")
        print(f"       live {r['calls'][FAILURE_PERSONAS[0]]!r}\n       full {r['full']!r}")
    figures.update(
        live_pass_wall_s_median=statistics.median(lw),
        live_pass_cpu_s_median=statistics.median(lc),
        offline_wall_s_median=statistics.median(fw_),
        per_render=per_render,
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**figures, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
