"""Web app and import speed: 10,000 stored sessions, the filtered list, ``GET /api/sessions`` and
a session page over HTTP; then ``voice-sim import`` of 20 one-minute stereo calls.

Run: ``python bench/web.py [--sessions 10000] [--requests 200] [--calls 20] [--workers 2]``.
Prints the figures the README quotes. The server is ``voice-sim serve`` in its own process,
reached over HTTP from this one, as a browser would; the import is the command itself, timed
from the outside (wall clock) with the CPU time of it and its workers.

Goals (issue 8): list and API p95 <= 200 ms and a session page <= 300 ms with 10,000 sessions;
import >= 8x real time with 2 workers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PERSONAS = (
    "angry-billing",
    "delayed-order",
    "late-refund",
    "refund-denied",
    "auto-renewal",
    "missing-feature",
    "known-bug",
    "update-regression",
    "eu-webhooks",
    "api-errors",
    "broken-dashboard",
    "abusive-caller",
    "wrong-policy",
    "elderly-confused",
)
ITEMS = (
    ("let_finish", "Let the customer finish", 12),
    ("acknowledge", "Acknowledge", 10),
    ("diagnose", "Ask before you answer", 12),
    ("restate", "Restate the problem", 8),
    ("next_step", "Concrete next step", 10),
    ("no_triggers", "No trigger phrases", 12),
    ("ownership", "Ownership language", 6),
    ("boundary", "Boundary", 6),
    ("composure", "Composure in the voice", 8),
    ("pace", "Calm pace", 8),
    ("calmer", "Customer calmer at the end", 8),
)
PASSWORD = "bench-password-1"


def _percentiles(xs: list[float]) -> str:
    xs = sorted(xs)
    p = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]  # noqa: E731
    return f"p50 {1000 * p(0.5):.0f} ms, p95 {1000 * p(0.95):.0f} ms, max {1000 * xs[-1]:.0f} ms"


def generate(data: Path, n: int, seed: int = 0) -> None:
    """``n`` sessions with items and page documents, 200 trainees in 10 teams, 2 accounts."""
    from sqlalchemy import insert, select

    from voice_sim.store import Database, add_user
    from voice_sim.store.models import Session, SessionDoc, SessionItem, Team, Trainee, utcnow

    rng = random.Random(seed)
    db = Database.open(data)
    with db.write() as s:
        add_user(s, "admin", "admin", PASSWORD)
        add_user(s, "coach", "coach", PASSWORD, ["team-3"])  # makes team-3
        s.execute(insert(Team), [{"name": f"team-{i}"} for i in range(10) if i != 3])
    with db.write() as s:
        teams = [s.scalar(select(Team.id).where(Team.name == f"team-{i}")) for i in range(10)]
        trainees = [
            s.scalar(
                insert(Trainee)
                .values(name=f"trainee-{i:03d}", team_id=teams[i % 10])
                .returning(Trainee.id)
            )
            for i in range(200)
        ]
    start = dt.datetime(2025, 1, 1)
    waveform = [[rng.randint(0, 90) for _ in range(1200)] for _ in range(2)]
    turns = [
        {
            "speaker": "customer" if i % 2 else "trainee",
            "start_s": 4.0 * i,
            "end_s": 4.0 * i + 3.5,
            "text": "words " * 12,
        }
        for i in range(40)
    ]
    markers = [
        {"kind": k, "t_s": 5.0 * i, "label": f"{k} at {i}"}
        for i, k in enumerate(["interruption", "dead_air", "mood", "won", "lost"] * 6)
    ]
    for lo in range(0, n, 1000):
        rows, items, docs = [], [], []
        for i in range(lo, min(n, lo + 1000)):
            t = trainees[rng.randrange(len(trainees))]
            scores = [rng.uniform(0, m) for _, _, m in ITEMS]
            overall = 100 * sum(scores) / sum(m for _, _, m in ITEMS)
            rows.append(
                {
                    "id": i + 1,
                    "content_hash": f"{i:064x}",
                    "source": "simulated",
                    "folder": f"sessions/s{i}",
                    "recording": f"sessions/s{i}/recording.wav",
                    "persona": PERSONAS[i % len(PERSONAS)],
                    "persona_name": "Dana",
                    "archetype": ("angry", "confused", "abusive", "impatient")[i % 4],
                    "started_at": start + dt.timedelta(minutes=53 * i),
                    "duration_s": 240.0,
                    "overall": overall,
                    "trainee_id": t,
                    "team_id": teams[(t - trainees[0]) % 10],
                    "pitch_hz": rng.uniform(120, 220),
                    "loudness_dbfs": rng.uniform(-30, -15),
                    "wpm": rng.uniform(120, 190),
                    "interruptions": rng.randint(0, 6),
                    "latency_s": rng.uniform(0.3, 2.0),
                    "dead_air": rng.randint(0, 3),
                    "created_at": utcnow(),
                }
            )
            for k, ((iid, label, m), sc) in enumerate(zip(ITEMS, scores, strict=True)):
                items.append(
                    {
                        "session_id": i + 1,
                        "item": iid,
                        "position": k,
                        "label": label,
                        "score": sc,
                        "max": float(m),
                        "applicable": True,
                    }
                )
            card = {
                "overall": overall,
                "summary": "A bench session.",
                "items": [
                    {
                        "id": iid,
                        "label": label,
                        "score": sc,
                        "max": m,
                        "evidence": [
                            {
                                "start_s": 5.0,
                                "speaker": "trainee",
                                "quote": "words words",
                                "effect": "lost",
                            }
                        ],
                        "tip": "A tip.",
                    }
                    for (iid, label, m), sc in zip(ITEMS, scores, strict=True)
                ],
            }
            docs.append(
                {
                    "session_id": i + 1,
                    "scorecard": card,
                    "timeline": {"turns": turns, "markers": markers, "waveform": waveform},
                }
            )
        with db.write() as s:
            s.execute(insert(Session), rows)
            s.execute(insert(SessionItem), items)
            s.execute(insert(SessionDoc), docs)
    db.close()


def bench_http(data: Path, n_requests: int, seed: int = 1) -> None:
    import httpx

    from tests.support.server import free_port

    port = free_port()
    env = {**os.environ, "VOICE_SIM_DATA": str(data)}
    server = subprocess.Popen(
        [sys.executable, "-m", "voice_sim", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        rng = random.Random(seed)
        for user in ("admin", "coach"):
            c = httpx.Client(base_url=base, timeout=30)
            tok = c.get("/api/me").json()["csrf_token"]
            c.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": tok})

            def filters() -> str:
                choice = rng.randrange(6)
                if choice == 0:
                    return f"trainee=trainee-{rng.randrange(200):03d}"
                if choice == 1:
                    return f"persona={rng.choice(PERSONAS)}&sort=score"
                if choice == 2:
                    return f"date_from=2025-0{rng.randint(1, 9)}-01&date_to=2025-12-31"
                if choice == 3:
                    return f"score_min={rng.randint(0, 60)}&score_max=90&sort=trainee&order=asc"
                if choice == 4:
                    return f"archetype=angry&page={rng.randint(1, 20)}"
                return f"team=team-{rng.randrange(10)}&sort=duration"

            for label, path in (
                ("sessions list (filtered)", "/sessions?"),
                ("GET /api/sessions (filtered)", "/api/sessions?"),
            ):
                times = []
                for _ in range(n_requests):
                    q = filters()
                    t0 = time.perf_counter()
                    r = c.get(path + q)
                    times.append(time.perf_counter() - t0)
                    assert r.status_code == 200, (r.status_code, q)
                print(f"  {user:5} {label:30} {_percentiles(times)}")
            ids = [r["id"] for r in c.get("/api/sessions?per_page=500").json()["sessions"]]
            times = []
            for _ in range(n_requests):
                t0 = time.perf_counter()
                r = c.get(f"/sessions/{rng.choice(ids)}")
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200
            print(f"  {user:5} {'session page':30} {_percentiles(times)}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def make_calls(folder: Path, n: int, minutes: float = 1.0) -> float:
    """``n`` stereo calls of Piper speech, ``minutes`` long each; returns the audio seconds."""
    import soundfile as sf

    from tests.support.speech_calls import speech

    lines = [
        ("customer", "I was charged twice this month and I want my money back right now."),
        ("trainee", "I am sorry about the double charge. When did you notice it?"),
        ("customer", "Yesterday, and nobody answered my emails for a week."),
        ("trainee", "Let me check your account. I can see both charges on the third."),
        ("customer", "So what are you going to do about it?"),
        ("trainee", "I will refund the second charge today and email you the receipt."),
    ]
    voiced = [(0 if who == "trainee" else 1, speech(text)) for who, text in lines]
    rate = 16_000
    total = int(minutes * 60 * rate)
    for k in range(n):
        rng = np.random.default_rng(k)
        y = np.zeros((total, 2), np.float32)
        t = int(0.5 * rate)
        i = k
        while True:
            ch, v = voiced[i % len(voiced)]
            if t + len(v) >= total:
                break
            y[t : t + len(v), ch] += (0.35 + 0.1 * rng.random()) * v
            t += len(v) + int(rng.uniform(0.3, 1.5) * rate)
            i += 1
        sf.write(str(folder / f"call-{k:02d}.wav"), y, rate)
    return n * minutes * 60


def bench_import(work: Path, n_calls: int, workers: int) -> None:
    src = work / "calls"
    src.mkdir()
    audio_s = make_calls(src, n_calls)
    data = work / "import-data"
    env = {**os.environ, "VOICE_SIM_DATA": str(data)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "voice_sim",
            "import",
            str(src),
            "--trainee",
            "bench",
            "--workers",
            str(workers),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if r.returncode != 0:
        print(r.stderr)
        raise SystemExit("import failed")
    print(f"  {r.stdout.strip()}")
    print(
        f"  import of {n_calls} one-minute stereo calls, {workers} workers: "
        f"wall {wall:.1f} s from the shell = {audio_s / wall:.1f}x real time; "
        f"CPU {cpu:.1f} s ({cpu / audio_s:.3f} CPU s per audio second)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-import", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="voice-sim-bench-") as d:
        work = Path(d)
        data = work / "data"
        t0 = time.perf_counter()
        generate(data, args.sessions)
        print(
            f"store: {args.sessions} sessions generated in {time.perf_counter() - t0:.1f} s "
            f"(SQLite {(data / 'voice-sim.db').stat().st_size / 1e6:.0f} MB)"
        )
        print(f"HTTP, {args.requests} requests each, sequential, server in its own process:")
        bench_http(data, args.requests)
        if not args.skip_import:
            print("import:")
            bench_import(work, args.calls, args.workers)


if __name__ == "__main__":
    main()
