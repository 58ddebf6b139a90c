"""Turn-taking faults over simulated calls with split turns, silences and cut-ins (issue 11).

Runs simulated calls (scripted brain, real Silero + Whisper + Piper, real time) against a rotation
of personas, half with a trainee recording whose utterances pause 0.3-1.0 s mid-sentence, half
with a trainee bot that goes silent for 6-9 s once and cuts in on the customer once. Then counts,
from each call's own recording (the trainee channel is digital silence whenever the trainee is
not speaking) and its event log:

* dead-air events raised while the trainee was speaking, or less than ``dead_air_s`` after they
  stopped;
* self-interruptions: customer lines cut off with the trainee silent;
* trainee utterances (speech on channel 0, pauses under 1.2 s joined) with no transcript.

All three must be 0. It also counts what answering fast costs: replies taken back because the
trainee went on (``taken_back`` lines), and how many of those were audible on the customer's
channel for 0.1 s or more (a word, not a breath).

    python bench/turns.py [--calls 20] [--out out/bench-turns]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from personas import DirectorSettings
from personas.call_log import CustomerLine, Intensity, Interruption, Silence, Transcript
from voice_sim.events import read_events
from voice_sim.session import CallSpec
from voice_sim.settings import CallSettings
from voice_sim.simulate import (
    DEFAULT_BOT_VOICE,
    ScriptLine,
    TraineeScript,
    simulate_call,
    synthesize_line,
)

SR = 16000
FRAME_S = 0.02
ACTIVE_DBFS = -45.0
MERGE_S = 1.2
PERSONAS = (
    "angry-billing",
    "delayed-order",
    "elderly-confused",
    "abusive-caller",
    "known-bug",
    "late-refund",
    "wrong-policy",
    "auto-renewal",
    "api-errors",
    "eu-webhooks",
)
#: Utterances said in two pieces with a pause between them.
HESITANT = (
    ("I'm so sorry about all of this,", "and I can see what happened on your account."),
    ("Could you tell me the email address", "that's on the account, please?"),
    ("So what I'm going to do now is", "send the refund back to your card today."),
    ("I understand this has taken far too long,", "and I'll make sure it's fixed."),
    ("Can you read me the order number", "from your confirmation email?"),
    ("I'll call you back tomorrow", "before noon with an update."),
)
BOT_LINES = (
    "I'm really sorry you've had this trouble. Can I have the email on the account?",
    "Thank you. Which date did this first happen?",
    "Okay, I can see it now. I'll fix it today and call you tomorrow before noon.",
    "Sorry to cut in, is the phone number on the account still current?",
)


def _trim(y: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(y) > 300)
    return y[loud[0] : loud[-1] + 1] if loud.size else y


def hesitant_wav(rng: np.random.Generator) -> np.ndarray:
    parts = [np.zeros(int(rng.uniform(7.5, 9.0) * SR), np.int16)]
    for k in rng.choice(len(HESITANT), size=3, replace=False):
        first, second = HESITANT[int(k)]
        a = _trim(synthesize_line(first, DEFAULT_BOT_VOICE, sample_rate=SR))
        b = _trim(synthesize_line(second, DEFAULT_BOT_VOICE, sample_rate=SR))
        pause = float(rng.uniform(0.3, 1.0))
        parts += [a, np.zeros(int(pause * SR), np.int16), b]
        parts.append(np.zeros(int(rng.uniform(6.0, 9.0) * SR), np.int16))
    return np.concatenate(parts)


def silent_bot(rng: np.random.Generator) -> TraineeScript:
    quiet = int(rng.integers(0, 3))
    lines = []
    for i, text in enumerate(BOT_LINES):
        if i == 3:
            lines.append(ScriptLine(text, interrupt_after_s=float(rng.uniform(0.8, 1.6))))
        else:
            latency = float(rng.uniform(6.0, 9.0)) if i == quiet else 0.6
            lines.append(ScriptLine(text, latency_s=latency))
    return TraineeScript("bench bot", tuple(lines))


def activity(y: np.ndarray) -> np.ndarray:
    hop = int(SR * FRAME_S)
    n = y.shape[0] // hop
    rms = np.sqrt(np.mean(np.square(y[: n * hop].reshape(n, hop)), axis=1))
    return 20 * np.log10(rms + 1e-9) > ACTIVE_DBFS


def utterances(act: np.ndarray) -> list[tuple[float, float]]:
    on = np.flatnonzero(act)
    if on.size == 0:
        return []
    out: list[list[float]] = []
    for i in on:
        t = i * FRAME_S
        if out and t - out[-1][1] < MERGE_S:
            out[-1][1] = t + FRAME_S
        else:
            out.append([t, t + FRAME_S])
    return [(a, b) for a, b in out if b - a >= 0.25]


#: A taken-back line heard for this long on the customer's channel was a word, not a breath, s.
AUDIBLE_S = 0.1


def faults(folder: Path, dead_air_s: float) -> dict[str, int]:
    y, _ = sf.read(str(folder / "recording.wav"), dtype="float32")
    act = activity(y[:, 0])
    customer_act = activity(y[:, 1])
    events = read_events(folder / "events.jsonl")

    def active(t0: float, t1: float) -> bool:
        return bool(act[max(0, int(t0 / FRAME_S)) : max(0, int(t1 / FRAME_S))].any())

    def last_sound_before(t: float) -> float | None:
        idx = np.flatnonzero(act[: int(t / FRAME_S)])
        return (idx[-1] + 1) * FRAME_S if idx.size else None

    silences = [e for e in events if isinstance(e, Silence)]
    dead = [e for e in events if isinstance(e, Intensity) and e.trigger == "dead_air"]
    bad_dead = 0
    for s in silences:
        last = last_sound_before(s.t_s)
        if active(s.start_s + 0.05, s.t_s - 0.05) or (
            last is not None and s.t_s - last < dead_air_s
        ):
            bad_dead += 1
    cut = [e for e in events if isinstance(e, CustomerLine) and e.interrupted]
    self_int = sum(
        1
        for c in cut
        if not active(c.t_s + (c.played_s or 0.0) - 0.6, c.t_s + (c.played_s or 0.0) + 0.05)
    )
    said = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
    utts = utterances(act)
    lost = sum(1 for a, b in utts if not any(t.start_s < b and a < t.end_s for t in said))
    lines = [e for e in events if isinstance(e, CustomerLine)]
    back = [e for e in lines if e.kind == "taken_back"]
    heard = [
        customer_act[int(e.t_s / FRAME_S) : int((e.t_s + (e.played_s or 0.0)) / FRAME_S) + 3].sum()
        * FRAME_S
        for e in back
    ]
    return {
        "dead_air_while_speaking": bad_dead,
        "self_interruptions": self_int,
        "turns_without_transcript": lost,
        "utterances": len(utts),
        "transcripts": len(said),
        "silence_prompts": len(silences),
        "dead_air_mood_changes": len(dead),
        "barge_ins": sum(1 for e in events if isinstance(e, Interruption) and e.by == "trainee"),
        "lines_cut": len(cut),
        "replies": sum(1 for e in lines if e.kind == "reply"),
        "taken_back": len(back),
        "taken_back_audible": sum(1 for h in heard if h >= AUDIBLE_S - 1e-9),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--out", type=Path, default=Path("out/bench-turns"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    director = DirectorSettings()
    rows = []
    t0 = time.time()
    for i in range(args.calls):
        persona = PERSONAS[i % len(PERSONAS)]
        folder = args.out / f"call{i + 1:02d}-{persona}"
        spec = CallSpec(
            out_dir=folder,
            persona=persona,
            clean=True,
            settings=CallSettings(seed=i),
            director=director,
        )
        if i % 2 == 0:
            wav = folder.parent / f"trainee{i + 1:02d}.wav"
            wav.parent.mkdir(parents=True, exist_ok=True)
            sf.write(wav, hesitant_wav(rng), SR)
            kind = "recording, mid-sentence pauses"
            asyncio.run(simulate_call(spec, wav))
        else:
            kind = "bot, 6-9 s silence + cut-in"
            asyncio.run(simulate_call(spec, silent_bot(rng)))
        f = faults(folder, director.dead_air_s)
        rows.append({"call": folder.name, "kind": kind, **f})
        print(
            f"{folder.name:28s} {kind:32s} utt {f['utterances']:2d} txt {f['transcripts']:2d} "
            f"prompts {f['silence_prompts']} barge {f['barge_ins']} | dead-air-while-speaking "
            f"{f['dead_air_while_speaking']} self-int {f['self_interruptions']} "
            f"lost {f['turns_without_transcript']}",
            flush=True,
        )
    keys = ("dead_air_while_speaking", "self_interruptions", "turns_without_transcript")
    total = {
        k: sum(int(r[k]) for r in rows)
        for k in (
            *keys,
            "utterances",
            "silence_prompts",
            "barge_ins",
            "replies",
            "taken_back",
            "taken_back_audible",
        )
    }
    print(
        f"\n{len(rows)} calls ({os.cpu_count()} cores, {time.time() - t0:.0f} s wall): "
        f"{total['utterances']} trainee utterances, {total['silence_prompts']} silence prompts, "
        f"{total['barge_ins']} barge-ins"
    )
    for k in keys:
        print(f"  {k.replace('_', ' '):32s} {total[k]}")
    print(
        f"  replies taken back as the trainee went on: {total['taken_back']} of "
        f"{total['replies'] + total['taken_back']} started, {total['taken_back_audible']} heard "
        f"for {AUDIBLE_S:.1f} s or more"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"totals": total, "calls": rows}, indent=2))


if __name__ == "__main__":
    main()
