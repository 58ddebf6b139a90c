"""The browser call's transport: WebSocket + AudioWorklet against WebRTC (aiortc), measured.

Runs real calls in headless Debian chromium, its fake microphone playing a WAV of trainee lines
made with Piper, against the transport server (``python -m voice_sim.transport.standalone``:
the same call socket the web app mounts, plus aiortc signalling). For each reply of the customer
it measures voice-to-voice twice, with one detector (speech above -45 dBFS, 10 ms frames):

* on the line, from the call's own stereo recording: what ``voice-sim call`` and
  ``simulate`` measure (bench/latency.py), the CLI path without its sound card;
* in the page, on the AudioContext's clock: from the end of the trainee's speech as the page
  captured it to the first customer audio the page played.

The difference, reply by reply, is what the browser path adds: capture and worklet buffering,
the network both ways, the playback jitter buffer (WebSocket) or Opus, aiortc's jitter buffer
and Chrome's NetEQ (WebRTC). The server's CPU time per second of call comes from psutil.

    python bench/browser_transport.py [--calls 2] [--transports websocket,webrtc]

Needs chromium (scripts/system-deps.sh), playwright, and aiortc for WebRTC (the webrtc extra).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latency import ACTIVE_DBFS, FRAME_S, activity, pct

from tests.support.browser import chromium
from tests.support.server import free_port

#: The trainee's lines: diagnostic questions that never close the call.
LINES = (
    "Hello, I'm so sorry you were charged twice. Can I have the email address on the account?",
    "Thank you. Which card was charged?",
    "What amount did you see on your statement?",
    "On which dates did the charges appear?",
    "Did you get an email receipt for both charges?",
)
#: Silence before the first line (the customer's opening) and after each line, seconds: long
#: enough that the customer always finishes before the trainee speaks again.
LEAD_S, GAP_S = 8.0, 10.0
SR = 16_000
#: A customer onset later than this after the trainee stopped is the customer speaking up in
#: a silence, not an answer, seconds.
REPLY_WITHIN_S = 4.0


@dataclass
class CallFigures:
    """One call through one transport."""

    transport: str
    line_v2v_s: list[float] = field(default_factory=list)
    page_v2v_s: list[float] = field(default_factory=list)
    cpu_s_per_s: float = 0.0
    kbps_up: float | None = None
    kbps_down: float | None = None
    underruns: int | None = None
    output_latency_s: float | None = None


def make_wav(path: Path) -> float:
    """The fake microphone's WAV; returns its length, seconds."""
    from voice_sim.simulate import DEFAULT_BOT_VOICE, synthesize_line

    parts = [np.zeros(int(LEAD_S * SR), np.int16)]
    for text in LINES:
        parts += [
            synthesize_line(text, DEFAULT_BOT_VOICE, sample_rate=SR),
            np.zeros(int(GAP_S * SR), np.int16),
        ]
    y = np.concatenate(parts)
    sf.write(path, y, SR, subtype="PCM_16")
    return y.shape[0] / SR


def meter_activity(meter: dict[str, list[float]], sr: float, n: int) -> np.ndarray:
    """The page's per-render-quantum levels on a 10 ms grid of the AudioContext clock."""
    grid = np.zeros(n, bool)
    idx = (np.asarray(meter["frames"], float) / sr / FRAME_S).astype(int)
    lv = np.asarray(meter["levels"], float)
    ok = (idx >= 0) & (idx < n) & (lv > ACTIVE_DBFS)
    grid[idx[ok]] = True
    return grid


def replies(t: np.ndarray, c: np.ndarray) -> list[tuple[int, int]]:
    """(end of trainee speech, customer onset) frame pairs of each reply, as bench/latency.py."""
    out = []
    onsets = np.flatnonzero(c[1:] & ~c[:-1]) + 1
    for o in onsets:
        if c[max(0, o - 60) : o].any():  # a pause inside a customer turn, not a new reply
            continue
        before = np.flatnonzero(t[:o])
        if before.size and (o - before[-1]) * FRAME_S < REPLY_WITHIN_S and not t[o]:
            out.append((int(before[-1]) + 1, int(o)))
    return out


def offset_frames(page_mic: np.ndarray, line_mic: np.ndarray) -> int:
    """Frames to add to a line index to get the page index of the same trainee audio."""
    best, best_d = -1e9, 0
    a, b = page_mic.astype(float), line_mic.astype(float)
    for d in range(0, min(3000, a.shape[0] - 100)):
        n = min(a.shape[0] - d, b.shape[0])
        score = float(np.sum(a[d : d + n] * b[:n]) - 0.5 * np.sum(np.abs(a[d : d + n] - b[:n])))
        if score > best:
            best, best_d = score, d
    return best_d


def measure(folder: Path, meter: dict[str, Any], fig: CallFigures) -> None:
    y, sr = sf.read(str(folder / "recording.wav"), dtype="float32")
    lt, lc = activity(y[:, 0], sr), activity(y[:, 1], sr)
    psr = float(meter["sampleRate"])
    last = max(meter["mic"]["frames"][-1], meter["speaker"]["frames"][-1]) / psr
    n = int(last / FRAME_S) + 10
    pm = meter_activity(meter["mic"], psr, n)
    ps = meter_activity(meter["speaker"], psr, n)
    d = offset_frames(pm, lt)
    for end, onset in replies(lt, lc):
        heard = np.flatnonzero(ps[onset + d : onset + d + 100])
        if not heard.size:
            continue
        fig.line_v2v_s.append((onset - end) * FRAME_S)
        fig.page_v2v_s.append((onset + d + int(heard[0]) - (end + d)) * FRAME_S)


def start_server(
    out: Path, token: str, port: int, *, capacity: int = 1, webrtc: bool = False
) -> subprocess.Popen[bytes]:
    """The transport server (``python -m voice_sim.transport.standalone``, the persona's thinking
    pause off) on ``port``, logging to ``out/server.log``; returns once it serves."""
    cmd = [
        sys.executable,
        "-m",
        "voice_sim.transport.standalone",
        "--port",
        str(port),
        "--token",
        token,
        "--data",
        str(out / "calls"),
        "--capacity",
        str(capacity),
        "--no-persona-pauses",
    ]
    if webrtc:
        cmd.append("--webrtc")
    with (out / "server.log").open("ab") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(900):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/call/call-client.js")
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"the server stopped: see {out / 'server.log'}") from None
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def run_call(
    base: str, token: str, wav: Path, seconds: float, transport: str, server_pid: int
) -> tuple[Path, dict[str, Any], float, float]:
    """One call in a fresh chromium; returns (session folder, page meters, cpu s, wall s)."""
    import psutil

    proc = psutil.Process(server_pid)
    with chromium(microphone=wav) as browser:
        ctx = browser.new_context()
        ctx.add_cookies([{"name": "vs_token", "value": token, "url": base}])
        page = ctx.new_page()
        page.goto(base + "/page")
        call = page.evaluate(
            "async () => (await fetch('/calls', {method: 'POST', body: "
            "JSON.stringify({persona: 'angry-billing'})})).json()"
        )
        cpu0 = sum(proc.cpu_times()[:2])
        t0 = time.monotonic()
        page.evaluate(f"startCall({json.dumps(call['id'])}, {json.dumps(transport)}, true)")
        time.sleep(seconds)
        page.evaluate("window.vsCall.hangup()")
        for _ in range(200):
            if any(m.get("type") == "done" for m in page.evaluate("window.vsLog")):
                break
            time.sleep(0.1)
        wall = time.monotonic() - t0
        cpu = sum(proc.cpu_times()[:2]) - cpu0
        meter = page.evaluate(
            "(async () => { await window.vsCall.stop(); return window.vsCall.meterData(); })()"
        )
    return Path(call["folder"]), meter, cpu, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--calls", type=int, default=2, help="Calls per transport.")
    ap.add_argument("--transports", default="websocket,webrtc")
    ap.add_argument("--out", type=Path, default=Path("out/bench-browser-transport"))
    ap.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = ap.parse_args()
    transports = [t.strip() for t in args.transports.split(",") if t.strip()]
    if "webrtc" in transports:
        try:
            import aiortc  # noqa: F401
        except ImportError:
            print("aiortc is not installed (pip install 'voice-sim[webrtc]'): WebSocket only")
            transports = [t for t in transports if t != "webrtc"]
    args.out.mkdir(parents=True, exist_ok=True)
    wav = args.out / "trainee.wav"
    seconds = make_wav(wav) + 2.0
    token = secrets.token_urlsafe(12)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args.out, token, port, webrtc="webrtc" in transports)
    figures: list[CallFigures] = []
    try:
        for transport in transports:
            for i in range(args.calls):
                got = run_call(base, token, wav, seconds, transport, server.pid)
                folder, meter, cpu, wall = got
                fig = CallFigures(transport, cpu_s_per_s=cpu / wall)
                measure(folder, meter, fig)
                if transport == "websocket" and wall > 0:
                    fig.kbps_up = meter["bytesSent"] * 8 / 1000 / wall
                    fig.kbps_down = meter["bytesReceived"] * 8 / 1000 / wall
                fig.underruns = (meter.get("stats") or {}).get("underruns")
                fig.output_latency_s = (meter.get("baseLatency") or 0) + (
                    meter.get("outputLatency") or 0
                )
                figures.append(fig)
                print(
                    f"  {transport} call {i + 1}: {len(fig.line_v2v_s)} replies, added "
                    + ", ".join(
                        f"{(b - a) * 1000:.0f}"
                        for a, b in zip(fig.line_v2v_s, fig.page_v2v_s, strict=True)
                    )
                    + " ms",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(figures, transports, args.json)


def report(figures: list[CallFigures], transports: list[str], out: Path | None) -> None:
    print(
        f"\nbrowser call transports ({os.cpu_count()} cores, "
        f"{platform.processor() or platform.machine()}; chromium headless, fake devices)"
    )
    head = (
        f"{'transport':10} {'replies':>7} {'line p50':>9} {'page p50':>9} {'page p95':>9} "
        f"{'added p50':>10} {'added p95':>10} {'server CPU':>11} {'kbit/s up/down':>15}"
    )
    print(head)
    doc: dict[str, Any] = {}
    for t in transports:
        fs = [f for f in figures if f.transport == t]
        line = [x for f in fs for x in f.line_v2v_s]
        page = [x for f in fs for x in f.page_v2v_s]
        added = [b - a for a, b in zip(line, page, strict=True)]
        cpu = float(np.mean([f.cpu_s_per_s for f in fs])) if fs else float("nan")
        ups = [f.kbps_up for f in fs if f.kbps_up is not None]
        downs = [f.kbps_down for f in fs if f.kbps_down is not None]
        kb = f"{np.mean(ups):.0f}/{np.mean(downs):.0f}" if ups else "Opus"
        print(
            f"{t:10} {len(added):7d} {pct(line, 50) * 1000:7.0f}ms {pct(page, 50) * 1000:7.0f}ms "
            f"{pct(page, 95) * 1000:7.0f}ms {pct(added, 50) * 1000:8.0f}ms "
            f"{pct(added, 95) * 1000:8.0f}ms {cpu * 100:9.0f}% {kb:>15}"
        )
        doc[t] = {
            "replies": len(added),
            "line_v2v_p50_s": pct(line, 50),
            "page_v2v_p50_s": pct(page, 50),
            "page_v2v_p95_s": pct(page, 95),
            "added_p50_s": pct(added, 50),
            "added_p95_s": pct(added, 95),
            "added_min_s": min(added) if added else None,
            "added_max_s": max(added) if added else None,
            "server_cpu_core_fraction": cpu,
            "underruns": [f.underruns for f in fs],
            "page_output_latency_s": [f.output_latency_s for f in fs],
        }
    print(
        "line = voice-to-voice on the call's recording (the CLI path's measure); page = the same "
        "replies heard in the page (AudioContext clock: capture -> playout); added = page - line, "
        "reply by reply. Server CPU: share of one core for the whole call (engine included)."
    )
    if out is not None:
        out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
