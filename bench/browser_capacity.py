"""How many browser calls one server process holds: K simulated callers at once.

Each caller is the YAML trainee bot (:mod:`voice_sim.transport.botclient`) on the real call
socket: it sends 20 ms frames of its Piper lines at real time, hears the customer from the
line's own speech messages, and times every reply as a caller hears it, from the last frame of
its line leaving to the first customer audio arriving. The server is the transport app
(``python -m voice_sim.transport.standalone``: the call socket the web app mounts, real
Silero, Whisper and Piper, the scripted brain, the persona's thinking pause off); its CPU comes
from psutil.

For each K the table gives voice-to-voice p50/p95 over every reply of the round, the server's
CPU (cores busy) and the machine's, and whether p95 <= 1.5 s. Then, with the capacity set to
the largest K that kept p95 <= 1.5 s, one caller more than that: it waits in the queue (told
"you are next") and its call, once it starts, is no slower than the others'.

    python bench/browser_capacity.py [--ks 1,2,3,4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser_transport import start_server
from latency import LINES as LATENCY_LINES
from latency import pct

from tests.support.server import free_port

#: The voice-to-voice bound a capacity must keep, seconds (issue 10).
P95_BOUND_S = 1.5
#: The bot's lines: the latency bench's first six, diagnostic questions that keep the customer
#: talking.
LINES = tuple(LATENCY_LINES[:6])
#: Silence the bot leaves after the customer stops, seconds (a prompt human answer).
LATENCY_S = 0.6
SR = 16_000


def new_call(base: str, token: str, seed: int) -> dict[str, Any]:
    req = urllib.request.Request(
        base + "/calls",
        data=json.dumps({"persona": "angry-billing", "seed": seed}).encode(),
        headers={"Cookie": f"vs_token={token}", "Origin": base},
        method="POST",
    )
    with urllib.request.urlopen(req) as r:
        return dict(json.load(r))


async def round_of(
    base: str, token: str, k: int, lines: list[tuple[Any, np.ndarray]], pid: int, start: int = 0
) -> dict[str, Any]:
    """K callers at once; returns per-caller results and the CPU figures of the round."""
    import psutil

    from voice_sim.transport.botclient import call_over_socket

    proc = psutil.Process(pid)
    calls = [new_call(base, token, seed=start + i) for i in range(k)]
    ws = base.replace("http://", "ws://")
    psutil.cpu_percent(None)
    cpu0, t0 = sum(proc.cpu_times()[:2]), time.monotonic()
    results = await asyncio.gather(
        *[
            call_over_socket(
                ws + c["socket"], lines, origin=base, cookie=f"vs_token={token}", max_s=600
            )
            for c in calls
        ]
    )
    wall = time.monotonic() - t0
    return {
        "results": results,
        "server_cores": (sum(proc.cpu_times()[:2]) - cpu0) / wall,
        "machine_pct": psutil.cpu_percent(None),
        "wall_s": wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--ks", default="1,2,3,4", help="Callers at once, comma-separated.")
    ap.add_argument("--out", type=Path, default=Path("out/bench-browser-capacity"))
    ap.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    ap.add_argument("--no-queue", action="store_true", help="Skip the queue round.")
    args = ap.parse_args()
    ks = sorted({int(k) for k in args.ks.split(",") if k.strip()})
    args.out.mkdir(parents=True, exist_ok=True)

    from voice_sim.simulate import DEFAULT_BOT_VOICE, ScriptLine, synthesize_line

    lines = [
        (ScriptLine(t, latency_s=LATENCY_S), synthesize_line(t, DEFAULT_BOT_VOICE, sample_rate=SR))
        for t in LINES
    ]
    token = secrets.token_urlsafe(12)
    rows: list[dict[str, Any]] = []
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args.out, token, port, capacity=max(ks))
    try:
        for k in ks:
            r = asyncio.run(round_of(base, token, k, lines, server.pid, start=100 * k))
            v2v = [x for res in r["results"] for x in res.v2v_s]
            row = {
                "k": k,
                "replies": len(v2v),
                "p50_s": pct(v2v, 50),
                "p95_s": pct(v2v, 95),
                "max_s": max(v2v) if v2v else float("nan"),
                "server_cores": r["server_cores"],
                "machine_pct": r["machine_pct"],
            }
            rows.append(row)
            print(
                f"  K={k}: {len(v2v)} replies, p50 {row['p50_s'] * 1000:.0f} ms, "
                f"p95 {row['p95_s'] * 1000:.0f} ms, server {row['server_cores']:.2f} cores",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    ok = [r["k"] for r in rows if r["p95_s"] <= P95_BOUND_S]
    capacity = max(ok) if ok else 1
    print(
        f"\nbrowser call capacity ({os.cpu_count()} cores, "
        f"{platform.processor() or platform.machine()}; K bot callers on the call socket)"
    )
    print(
        f"{'K':>3} {'replies':>8} {'p50':>8} {'p95':>8} {'max':>8} {'server CPU':>11} "
        f"{'machine':>8}  p95 <= {P95_BOUND_S} s"
    )
    for r in rows:
        print(
            f"{r['k']:3d} {r['replies']:8d} {r['p50_s'] * 1000:6.0f}ms {r['p95_s'] * 1000:6.0f}ms "
            f"{r['max_s'] * 1000:6.0f}ms {r['server_cores']:7.2f} cores {r['machine_pct']:6.0f}%  "
            f"{'yes' if r['p95_s'] <= P95_BOUND_S else 'no'}"
        )
    print(f"capacity: K = {capacity}" + ("" if ok else " (no K met the bound; 1 is the floor)"))
    doc: dict[str, Any] = {"rows": rows, "capacity": capacity}

    if not args.no_queue:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(args.out, token, port, capacity=capacity)
        try:
            r = asyncio.run(round_of(base, token, capacity + 1, lines, server.pid, start=900))
        finally:
            server.terminate()
            server.wait(timeout=30)
        res = r["results"]
        waited = [x for x in res if x.of_type("queued")]
        others = [x for x in res if not x.of_type("queued")]
        if waited:
            q = waited[0]
            first = q.of_type("queued")[0]
            mine = pct(q.v2v_s, 50)
            theirs = pct([v for x in others for v in x.v2v_s], 50)
            print(
                f"queue (capacity {capacity}, {capacity + 1} callers): the last caller was told "
                f"position {first['position']} and waited {q.queued_s:.0f} s; its replies p50 "
                f"{mine * 1000:.0f} ms against {theirs * 1000:.0f} ms for the callers before it"
            )
            doc["queue"] = {
                "capacity": capacity,
                "position": first["position"],
                "waited_s": q.queued_s,
                "queued_p50_s": mine,
                "others_p50_s": theirs,
            }
        else:
            print("queue: no caller had to wait (every call started at once)")
    if args.json is not None:
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
