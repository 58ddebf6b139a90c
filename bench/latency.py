"""Voice-to-voice latency of the live call, measured on the recording.

Runs simulated calls (scripted brain, bot trainee, real Silero + Whisper + Piper, real time) and
measures, on the call's own stereo recording, the time from the end of the trainee's speech to
the first customer audio out, for every reply, and how fast the customer's audio stops when the
bot talks over it. The share of each stage comes from the call's ``latency`` events: end of turn
(the turn model's silence threshold, and waiting for the transcript), STT (end of speech to the
turn's final transcript), brain (to first text), TTS (to first audio). The persona's thinking
pause is on, as in a real call: it is the shortest voice-to-voice the persona allows, and the
work above happens inside it. ``--no-persona-pause`` measures the engine alone.

    python bench/latency.py [--calls 2] [--out out/bench-latency] [--no-persona-pause]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf

from personas.call_log import Interruption, Latency
from voice_sim.events import read_events
from voice_sim.session import CallSpec
from voice_sim.settings import CallSettings
from voice_sim.simulate import ScriptLine, TraineeScript, simulate_call

#: Diagnostic, non-closing lines keep the customer talking for a whole call.
LINES = [
    "I'm sorry you were charged twice. Can I have the email address on the account?",
    "Thank you. Which card was charged?",
    "What amount did you see on your statement?",
    "On which dates did the charges appear?",
    "Did you get an email receipt for both charges?",
    "Have you changed your plan recently?",
    "Did you sign up on the website or in the app?",
    "Is the subscription for your own account or a team?",
    "Do you see any pending charge today as well?",
    "Did anyone else on your account make a purchase?",
    "Which country is the card issued in?",
    "When did you first notice the second charge?",
]
#: Planned barge-ins: the bot cuts in this long after the customer starts.
BARGE_IN_AFTER_S = 1.2
BARGE_INS = {3, 8}
FRAME_S = 0.01
ACTIVE_DBFS = -45.0


def activity(y: np.ndarray, sr: int) -> np.ndarray:
    hop = int(sr * FRAME_S)
    n = y.shape[0] // hop
    rms = np.sqrt(np.mean(np.square(y[: n * hop].reshape(n, hop)), axis=1))
    return 20 * np.log10(rms + 1e-9) > ACTIVE_DBFS


def measure(folder: Path) -> tuple[list[float], list[float]]:
    """Voice-to-voice latencies and barge-in stop times (s) from one recording."""
    y, sr = sf.read(str(folder / "recording.wav"), dtype="float32")
    t, c = activity(y[:, 0], sr), activity(y[:, 1], sr)
    v2v: list[float] = []
    stops: list[float] = []
    onsets = np.flatnonzero(c[1:] & ~c[:-1]) + 1
    for o in onsets:
        if c[max(0, o - 60) : o].any():  # a pause inside a customer turn, not a new reply
            continue
        before = np.flatnonzero(t[:o])
        if before.size and (o - before[-1]) * FRAME_S < 10.0 and not t[o]:
            v2v.append((o - before[-1] - 1) * FRAME_S)
    t_on = np.flatnonzero(t[1:] & ~t[:-1]) + 1
    for o in t_on:
        if c[max(0, o - 5) : o + 5].any():  # the trainee starts over the customer
            after = np.flatnonzero(~c[o:])
            quiet = next((i for i in after if not c[o + i : o + i + 30].any()), None)
            if quiet is not None:
                stops.append(quiet * FRAME_S)
    return v2v, stops


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--calls", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("out/bench-latency"))
    ap.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    ap.add_argument("--no-persona-pause", action="store_true", help="The engine alone.")
    ap.add_argument(
        "--no-speculation",
        action="store_true",
        help="Prepare each answer only once the turn has ended (the old way), for comparison.",
    )
    ap.add_argument(
        "--end-of-turn-s", type=float, default=None, help="Silence that ends a finished turn."
    )
    args = ap.parse_args()
    lines = tuple(
        ScriptLine(
            text, latency_s=0.6, interrupt_after_s=BARGE_IN_AFTER_S if i in BARGE_INS else None
        )
        for i, text in enumerate(LINES)
    )
    script = TraineeScript("latency bot", lines)
    settings = replace(
        CallSettings(),
        persona_pauses=not args.no_persona_pause,
        speculative_replies=not args.no_speculation,
    )
    if args.end_of_turn_s is not None:
        settings = replace(settings, end_of_turn_s=args.end_of_turn_s)
    v2v: list[float] = []
    stops: list[float] = []
    keys = ("eou_s", "stt_s", "llm_ttft_s", "tts_ttfb_s", "persona_pause_s", "voice_to_voice_s")
    stage: dict[str, list[float]] = {k: [] for k in keys}
    paused: list[float] = []  # the trainee's first sound to the customer's audio pausing
    t0 = time.time()
    for i in range(args.calls):
        folder = args.out / f"call{i + 1}"
        spec = CallSpec(out_dir=folder, persona="angry-billing", settings=replace(settings, seed=i))
        asyncio.run(simulate_call(spec, script))
        a, b = measure(folder)
        v2v += a
        stops += b
        for ev in read_events(folder / "events.jsonl"):
            if isinstance(ev, Interruption) and ev.stopped_customer_s is not None:
                paused.append(ev.stopped_customer_s - ev.t_s)
            if isinstance(ev, Latency) and ev.voice_to_voice_s is not None:
                for k in stage:
                    v = getattr(ev, k)
                    if v is not None:
                        stage[k].append(float(v))
    wall = time.time() - t0
    p50 = pct(v2v, 50)
    med = {k: statistics.median(v) if v else float("nan") for k, v in stage.items()}
    edge = p50 - med["voice_to_voice_s"]
    print(
        f"voice-to-voice latency, {len(v2v)} replies over {args.calls} calls "
        f"({os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"{wall:.0f} s wall, persona pause {'off' if args.no_persona_pause else 'on'}, "
        f"answers prepared {'at the end of turn' if args.no_speculation else 'ahead'}, "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"  on the recording: p50 {p50 * 1000:.0f} ms   p95 {pct(v2v, 95) * 1000:.0f} ms   "
        f"min {min(v2v) * 1000:.0f} ms   max {max(v2v) * 1000:.0f} ms"
    )
    print("  where the median goes (the call's latency events, medians, from the end of speech):")
    print(
        f"    end of turn  {med['eou_s'] * 1000:5.0f} ms  silence threshold "
        f"{settings.end_of_turn_s * 1000:.0f} ms, or waiting for the transcript"
    )
    print(
        f"    STT          {med['stt_s'] * 1000:5.0f} ms  end of speech to the final transcript "
        f"(voice-off after {settings.vad_min_silence_s * 1000:.0f} ms of silence, then one pass)"
    )
    print(
        f"    brain        {med['llm_ttft_s'] * 1000:5.0f} ms  transcript to first text (scripted)"
    )
    print(f"    TTS          {med['tts_ttfb_s'] * 1000:5.0f} ms  first text to first audio (Piper)")
    print(
        f"    persona      {med['persona_pause_s'] * 1000:5.0f} ms  the persona's pause: the "
        "reply waits for it when the work above is done sooner"
    )
    print(
        f"    edge         {edge * 1000:5.0f} ms  the recording's last trainee sound vs the "
        "VAD's (p50 on the recording minus p50 of the events)"
    )
    print(
        f"barge-in: customer audio stops {pct(stops, 50) * 1000:.0f} ms (p50), "
        f"{max(stops) * 1000 if stops else float('nan'):.0f} ms (max) after the trainee starts "
        f"talking over them ({len(stops)} barge-ins found on the recording); by the events, "
        f"{pct(paused, 50) * 1000:.0f} ms (p50), {pct(paused, 100) * 1000:.0f} ms (max) from the "
        f"first voiced sound to the pause ({len(paused)} barge-ins)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "replies": len(v2v),
                    "p50_s": p50,
                    "p95_s": pct(v2v, 95),
                    "stage_medians_s": med,
                    "barge_in_stop_p50_s": pct(stops, 50),
                    "barge_in_stop_max_s": max(stops) if stops else None,
                    "barge_in_pause_p50_s": pct(paused, 50),
                    "barge_in_pause_max_s": pct(paused, 100),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
