"""Verbal nods in the live call: heard as listening, and how long the customer holds for one.

Runs simulated calls (real Silero, Whisper and Piper, the scripted brain, real time) with each
persona's good-practice bot, which nods ("mm-hmm", "I see", "right"...) every 5 s while the
customer talks at length. Then, on each call's own recording (the trainee channel is digital
silence whenever the bot is not speaking), finds every nod the bot said over the customer (a
burst of trainee speech under 1 s that starts while the customer is speaking) and counts:

* nods logged as a ``backchannel`` event, as an interruption, or inside a trainee turn (a
  transcript) — the goal is all, none, none;
* the customer's hold: how long the customer channel stays quiet from the nod's first sound,
  against the nod's own length (the line pauses at the nod and goes on after it);
* whether the line that was nodded over still played to its end;
* the scorecard's active-listening item (the call analysed and scored as ``voice-sim score``).

    python bench/nods.py [--calls 4] [--out out/bench-nods]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf

from personas.call_log import Backchannel, CustomerLine, Interruption, Transcript
from voice_sim.commands._call_common import analyze_and_score
from voice_sim.events import read_events
from voice_sim.session import CallSpec
from voice_sim.simulate import load_script, persona_script, simulate_call

PERSONAS = ("elderly-confused", "angry-billing", "delayed-order", "late-refund", "abusive-caller")
FRAME_S = 0.01
ACTIVE_DBFS = -45.0
#: A trainee burst shorter than this that starts over the customer, with no other trainee speech
#: for ALONE_S before or after it, is a nod (the end of a line, or a line going on after a pause,
#: is no nod).
NOD_MAX_S = 1.0
ALONE_S = 1.0


def activity(y: np.ndarray, sr: int) -> np.ndarray:
    hop = int(sr * FRAME_S)
    n = y.shape[0] // hop
    rms = np.sqrt(np.mean(np.square(y[: n * hop].reshape(n, hop)), axis=1))
    return 20 * np.log10(rms + 1e-9) > ACTIVE_DBFS


def runs(active: np.ndarray, *, join: int = 5) -> list[tuple[int, int]]:
    """Active stretches (start, end frame), gaps shorter than ``join`` frames joined."""
    idx = np.flatnonzero(active)
    out: list[tuple[int, int]] = []
    for i in idx:
        if out and i - out[-1][1] <= join:
            out[-1] = (out[-1][0], int(i) + 1)
        else:
            out.append((int(i), int(i) + 1))
    return out


def nods_on_recording(folder: Path) -> list[dict[str, float]]:
    """Every nod the bot said over the customer, from the recording alone."""
    y, sr = sf.read(str(folder / "recording.wav"), dtype="float32")
    t, c = activity(y[:, 0], sr), activity(y[:, 1], sr)
    out: list[dict[str, float]] = []
    bursts = runs(t)
    for k, (a, b) in enumerate(bursts):
        alone = (k + 1 == len(bursts) or (bursts[k + 1][0] - b) * FRAME_S >= ALONE_S) and (
            k == 0 or (a - bursts[k - 1][1]) * FRAME_S >= ALONE_S
        )
        if (b - a) * FRAME_S >= NOD_MAX_S or not alone or not c[max(0, a - 20) : a].any():
            continue
        quiet_from = next((i for i in range(a, b + 50) if not c[i : i + 2].any()), None)
        if quiet_from is None or quiet_from >= len(c):
            continue
        back = next((i for i in range(quiet_from, len(c)) if c[i]), len(c))
        out.append(
            {
                "start_s": a * FRAME_S,
                "nod_s": (b - a) * FRAME_S,
                "hold_s": (back - quiet_from) * FRAME_S,
                "resumed_after_nod_s": (back - b) * FRAME_S,
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--calls", type=int, default=4)
    ap.add_argument("--out", type=Path, default=Path("out/bench-nods"))
    ap.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    ap.add_argument(
        "--nod-every-s", type=float, default=None, help="Nod this often (default: the bot's own)."
    )
    args = ap.parse_args()
    t0 = time.time()
    nods: list[dict[str, float]] = []
    logged = interruptions = in_turns = cut_lines = 0
    listening: list[float] = []
    for i in range(args.calls):
        pid = PERSONAS[i % len(PERSONAS)]
        folder = args.out / f"call{i + 1}-{pid}"
        script = load_script(persona_script(pid, "good"))
        if args.nod_every_s is not None:
            script = replace(script, nod_every_s=args.nod_every_s)
        asyncio.run(simulate_call(CallSpec(out_dir=folder, persona=pid), script))
        events = read_events(folder / "events.jsonl")
        bcs = [e for e in events if isinstance(e, Backchannel)]
        cuts = [e for e in events if isinstance(e, Interruption) and e.by == "trainee"]
        turns = [e for e in events if isinstance(e, Transcript) and e.speaker == "trainee"]
        lines = [e for e in events if isinstance(e, CustomerLine)]
        found = nods_on_recording(folder)
        for n in found:
            s = n["start_s"]
            logged += any(abs(b.start_s - s) < 0.15 for b in bcs)
            interruptions += any(abs(c.t_s - s) < 0.3 for c in cuts)
            in_turns += any(tr.start_s - 0.15 <= s <= tr.end_s for tr in turns)
            cut_lines += any(
                ln.interrupted and ln.t_s <= s <= ln.t_s + (ln.played_s or 0) + 0.2 for ln in lines
            )
        nods += found
        analyze_and_score(folder, quiet=True)
        card = json.loads((folder / "scorecard.json").read_text())
        item = next(x for x in card["items"] if x["id"] == "active_listening")
        if item["applicable"]:
            listening.append(item["score"] / item["max"])
        print(
            f"  call {i + 1} ({pid}): {len(found)} nods on the recording, {len(bcs)} backchannel "
            f"events, active listening {item['score']:.1f}/{item['max']:.0f}"
            + ("" if item["applicable"] else " (not applicable)"),
            flush=True,
        )
    wall = time.time() - t0
    hold = [n["hold_s"] for n in nods]
    nod_len = [n["nod_s"] for n in nods]
    after = [n["resumed_after_nod_s"] for n in nods]
    print(
        f"nods over {args.calls} calls ({os.cpu_count()} cores, {wall:.0f} s wall, "
        f"load average {os.getloadavg()[0]:.1f}): {len(nods)} said over the customer"
    )
    print(
        f"  logged as backchannel {logged}/{len(nods)}, as interruptions {interruptions}, "
        f"inside a trainee turn {in_turns}, lines cut off at a nod {cut_lines}"
    )
    if nods:
        print(
            f"  nod {statistics.median(nod_len) * 1000:.0f} ms (median); the customer holds "
            f"{statistics.median(hold) * 1000:.0f} ms (median), "
            f"{np.percentile(hold, 95) * 1000:.0f} ms (p95), {max(hold) * 1000:.0f} ms (max), "
            "and goes on "
            f"{statistics.median(after) * 1000:.0f} ms (median), {max(after) * 1000:.0f} ms (max) "
            "after the nod's last sound"
        )
    if listening:
        print(
            f"  active listening item: {statistics.mean(listening) * 100:.0f}% of its points on "
            f"average over {len(listening)} calls where it applies"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "calls": args.calls,
                    "nods": len(nods),
                    "logged_backchannel": logged,
                    "interruptions": interruptions,
                    "in_turns": in_turns,
                    "lines_cut": cut_lines,
                    "hold_s_median": statistics.median(hold) if hold else None,
                    "hold_s_p95": float(np.percentile(hold, 95)) if hold else None,
                    "resumed_after_nod_s_median": statistics.median(after) if after else None,
                    "active_listening_share": statistics.mean(listening) if listening else None,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
