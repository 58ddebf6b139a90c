"""Live STT accuracy and cost: the call's short-window Whisper path against full-window offline.

The utterances:

* the real two-speaker telephone sample in ``../shared/data/pyannote-sample`` (13 utterances,
  timed reference transcript ``sample.stm``);
* Piper sentences (en_US-joe-medium) in the words trainees use, the director's trigger phrases
  among them, pitch-shifted -3..+3 semitones and sped up or slowed down, each at 16 kHz and
  through the 8 kHz phone line (300-3400 Hz, line noise).

Each utterance is run as the call runs it: Silero and the call's voice-activity edges over the
clip (silence around it), the turn opened at the first voice-on edge, and one
:class:`~voice_sim.stt_whisper.TurnTranscriber` pass up to the last voice-off edge. The reference
is faster-whisper's own full 30 s window over the whole clip. Word error rate (WER) is against the
human transcript; trigger recall counts, of the director's triggers that fire on the true words
(read by the director's own vocabulary, ``personas.phrases``), those that still fire on the
transcript.

    python bench/stt_wer.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from voice_sim import dsp, models
from voice_sim.settings import SAMPLE_RATE_HZ
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = ap.parse_args()
    whisper = ShortWindowWhisper()
    utts = real_sample() + piper_set()
    rows = []
    for u in utts:
        live, wall, cpu = live_pass(whisper, u.audio)
        t0 = time.perf_counter()
        full = transcribe_array(u.audio)
        full_wall = time.perf_counter() - t0
        ref = norm_words(u.reference)
        rows.append(
            {
                "name": u.name,
                "condition": u.condition,
                "ref_words": len(ref),
                "live_errors": wer_counts(ref, norm_words(live)),
                "full_errors": wer_counts(ref, norm_words(full)),
                "live": live,
                "full": full,
                "reference": u.reference,
                "live_wall_s": wall,
                "live_cpu_s": cpu,
                "full_wall_s": full_wall,
                "duration_s": u.audio.shape[0] / SR - 1.0,
            }
        )

    def wer(sel: list[dict[str, object]], key: str) -> float:
        n = sum(int(r["ref_words"]) for r in sel)  # type: ignore[call-overload]
        return 100.0 * sum(int(r[key]) for r in sel) / max(1, n)  # type: ignore[call-overload]

    groups = {
        "all": rows,
        "real telephone (pyannote sample)": [r for r in rows if r["condition"] == "real 8k"],
        "piper 16 kHz": [r for r in rows if "16k" in str(r["condition"])],
        "piper 8 kHz phone line": [r for r in rows if "phone" in str(r["condition"])],
    }
    print(f"live STT vs full-window offline, {len(rows)} utterances ({os.cpu_count()} cores)")
    print(f"  {'set':34s} {'n':>3s} {'live WER':>9s} {'offline WER':>12s}")
    figures: dict[str, object] = {"utterances": len(rows), "groups": {}}
    for name, sel in groups.items():
        lw, fw = wer(sel, "live_errors"), wer(sel, "full_errors")
        print(f"  {name:34s} {len(sel):3d} {lw:8.1f}% {fw:11.1f}%")
        figures["groups"][name] = {"n": len(sel), "live_wer": lw, "offline_wer": fw}  # type: ignore[index]
    hits = {"live": 0, "full": 0}
    total = false_alarms = 0
    misses: list[str] = []
    for r in rows:
        for trig, fired in triggers(str(r["reference"])).items():
            live = triggers(str(r["live"])).get(trig, False)
            if not fired:
                false_alarms += live
                continue
            total += 1
            hits["live"] += live
            hits["full"] += triggers(str(r["full"])).get(trig, False)
            if not live:
                misses.append(f"{trig} in {r['name']}: {r['live']!r}")
    print(
        f"  trigger-phrase recall: live {100 * hits['live'] / max(1, total):.1f}%, "
        f"offline {100 * hits['full'] / max(1, total):.1f}% ({total} triggers in the "
        f"reference words; {false_alarms} fired on live words only)"
    )
    for m in misses:
        print(f"    missed {m}")
    lw = [float(r["live_wall_s"]) for r in rows]  # type: ignore[arg-type]
    lc = [float(r["live_cpu_s"]) for r in rows]  # type: ignore[arg-type]
    fw_ = [float(r["full_wall_s"]) for r in rows]  # type: ignore[arg-type]
    print(
        f"  final pass per utterance: live {statistics.median(lw) * 1000:.0f} ms wall "
        f"(p90 {np.percentile(lw, 90) * 1000:.0f}), {statistics.median(lc) * 1000:.0f} ms CPU; "
        f"offline full window {statistics.median(fw_) * 1000:.0f} ms wall"
    )
    worst = sorted(rows, key=lambda r: int(r["live_errors"]) - int(r["full_errors"]))[-5:]  # type: ignore[call-overload]
    print("  where live and offline differ most:")
    for r in reversed(worst):
        print(f"    {r['name']} ({r['condition']}): ref {r['reference']!r}")
        print(f"       live {r['live']!r}\n       full {r['full']!r}")
    figures.update(
        trigger_recall_live=hits["live"] / max(1, total),
        trigger_recall_offline=hits["full"] / max(1, total),
        trigger_occurrences=total,
        trigger_false_alarms=false_alarms,
        live_pass_wall_s_median=statistics.median(lw),
        live_pass_cpu_s_median=statistics.median(lc),
        offline_wall_s_median=statistics.median(fw_),
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**figures, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
