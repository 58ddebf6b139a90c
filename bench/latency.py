"""Voice-to-voice latency of the live call, measured on the recording.

Runs simulated calls (scripted brain, bot trainee, real Silero + Whisper + Piper, real time) and
measures, on the call's own stereo recording, the time from the end of the trainee's speech to
the first customer audio out, for every reply. The share of each stage comes from livekit's
per-turn metrics in events.jsonl: endpointing (VAD silence + endpoint delay, waiting for STT when
it is slower), STT, brain time to first text, TTS time to first audio. The persona's deliberate
pause before answering is switched off: it is acting, not latency.

    python bench/latency.py [--calls 2] [--out out/bench-latency]
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
    args = ap.parse_args()
    lines = tuple(
        ScriptLine(
            text, latency_s=0.6, interrupt_after_s=BARGE_IN_AFTER_S if i in BARGE_INS else None
        )
        for i, text in enumerate(LINES)
    )
    script = TraineeScript("latency bot", lines)
    settings = replace(CallSettings(), persona_pauses=False)
    v2v: list[float] = []
    stops: list[float] = []
    stage: dict[str, list[float]] = {k: [] for k in ("eou_s", "stt_s", "llm_ttft_s", "tts_ttfb_s")}
    t0 = time.time()
    for i in range(args.calls):
        folder = args.out / f"call{i + 1}"
        spec = CallSpec(out_dir=folder, persona="angry-billing", settings=replace(settings, seed=i))
        asyncio.run(simulate_call(spec, script))
        a, b = measure(folder)
        v2v += a
        stops += b
        for ev in read_events(folder / "events.jsonl"):
            if ev["type"] == "latency" and ev.get("voice_to_voice_s") is not None:
                for k in stage:
                    if ev.get(k) is not None:
                        stage[k].append(float(ev[k]))
    wall = time.time() - t0
    endpoint = settings.vad_min_silence_s + settings.endpoint_min_delay_s
    p50 = pct(v2v, 50)
    med = {k: statistics.median(v) if v else float("nan") for k, v in stage.items()}
    stt_over = max(0.0, med["stt_s"] - endpoint)
    residual = p50 - med["eou_s"] - med["llm_ttft_s"] - med["tts_ttfb_s"]
    print(
        f"voice-to-voice latency, {len(v2v)} replies over {args.calls} calls "
        f"({os.cpu_count()} cores, {platform.processor() or platform.machine()}, {wall:.0f} s wall)"
    )
    print(
        f"  p50 {p50 * 1000:.0f} ms   p95 {pct(v2v, 95) * 1000:.0f} ms   "
        f"min {min(v2v) * 1000:.0f} ms   max {max(v2v) * 1000:.0f} ms"
    )
    print("  where the median goes (livekit per-turn metrics, medians):")
    print(
        f"    endpointing  {med['eou_s'] * 1000:5.0f} ms  "
        f"(VAD silence {settings.vad_min_silence_s * 1000:.0f} ms + endpoint delay "
        f"{settings.endpoint_min_delay_s * 1000:.0f} ms, plus waiting for STT)"
    )
    print(
        f"    STT          {med['stt_s'] * 1000:5.0f} ms  from end of speech to transcript; "
        f"{stt_over * 1000:.0f} ms of it beyond the endpoint wait"
    )
    print(f"    brain        {med['llm_ttft_s'] * 1000:5.0f} ms  to first text (scripted)")
    print(
        f"    TTS          {med['tts_ttfb_s'] * 1000:5.0f} ms  "
        "to first audio (Piper, first sentence)"
    )
    print(f"    audio path   {residual * 1000:5.0f} ms  (frame alignment, resampling, VAD edge)")
    print(
        f"barge-in: customer audio stops {pct(stops, 50) * 1000:.0f} ms (p50), "
        f"{max(stops) * 1000 if stops else float('nan'):.0f} ms (max) after the trainee starts "
        f"talking over them ({len(stops)} barge-ins)"
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
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
