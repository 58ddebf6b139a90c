"""How fast the CLI answers, as a user pays it (wall clock from the shell) and the work alone.

1. Start-up: ``voice-sim --help``, ``personas list``, ``personas show``: wall clock of a fresh
   process, and the time inside it from the first import of voice_sim to the answer.
2. ``analyze`` and ``score`` of a one-minute stereo call (Piper speech, built here) from a fresh
   process: wall clock, CPU seconds of the process, and the analysis' own stage timings.
3. Several inputs: one process analysing 1 and then 3 copies of the call; what the first call
   costs and what each later one adds, and how many times each model was loaded.

Each figure is the median of ``--repeat`` runs with the spread (min-max): the machine may be
shared, so the CPU seconds are the steadier figure.

    python bench/cli_speed.py [--repeat 5] [--out bench/results/cli_speed.md]
"""

# ruff: noqa: E501  (report lines read better unbroken)

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import soundfile as sf

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CALL_S = 60.0
#: The start-up goal of issue 9, seconds.
STARTUP_GOAL_S = 0.5
#: analyze and score from a fresh process must run at least this many times faster than real time.
SPEED_GOAL_X = 8.0


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("OPENAI_BASE_URL", None)
    return env


def _child_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(argv: Sequence[str]) -> tuple[float, float, str]:
    """Run a command; returns (wall seconds, CPU seconds of the child, stdout)."""
    cpu0 = _child_cpu_s()
    t0 = time.perf_counter()
    res = subprocess.run(list(argv), capture_output=True, text=True, env=_env(), check=False)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({res.returncode}): {res.stderr.strip()}")
    return wall, _child_cpu_s() - cpu0, res.stdout


def spread(xs: Sequence[float], unit: str = "s", nd: int = 2) -> str:
    return f"{statistics.median(xs):.{nd}f} {unit} ({min(xs):.{nd}f}-{max(xs):.{nd}f})"


VOICE_SIM = [sys.executable, "-m", "voice_sim"]
#: Runs the CLI in a fresh interpreter and prints the seconds from importing voice_sim to done.
INSIDE = (
    "import sys, time, io, contextlib\n"
    "t = time.perf_counter()\n"
    "from voice_sim.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    code = main(sys.argv[1:])\n"
    "print(time.perf_counter() - t)\n"
    "sys.exit(code)\n"
)


def startup(repeat: int) -> list[str]:
    rows = [
        "| command | wall clock from the shell | inside the process | goal |",
        "|---|---|---|---|",
    ]
    for args in (["--help"], ["personas", "list"], ["personas", "show", "angry-billing"]):
        walls, inside = [], []
        for _ in range(repeat):
            wall, _cpu, _ = run([*VOICE_SIM, *args])
            walls.append(wall)
            _w, _c, out = run([sys.executable, "-c", INSIDE, *args])
            inside.append(float(out.strip().splitlines()[-1]))
        ok = "met" if statistics.median(walls) < STARTUP_GOAL_S else "NOT met"
        rows.append(
            f"| `voice-sim {' '.join(args)}` | {spread(walls)} | {spread(inside)} | < {STARTUP_GOAL_S} s: {ok} |"
        )
    return rows


def one_minute_call(folder: Path) -> Path:
    """The first minute of bench/analysis_calls.py's clean call (Piper, two speakers)."""
    sys.path.insert(0, str(BENCH))
    from analysis_calls import build_call

    truth = build_call("clean", folder, seed=1)
    y, sr = sf.read(str(truth.path), dtype="float32")
    path = folder / "call60.wav"
    sf.write(str(path), y[: int(CALL_S * sr)], sr, subtype="PCM_16")
    return path


def analyze_and_score(call: Path, work: Path, repeat: int) -> list[str]:
    rows = [
        "| command (one-minute call, fresh process) | wall clock | real-time factor | CPU of the process | the analysis alone (stages) |",
        "|---|---|---|---|---|",
    ]
    for name, extra in (("analyze", []), ("score", ["--no-store"])):
        walls, cpus, stages = [], [], []
        for i in range(repeat):
            out = work / f"{name}-{i}"
            shutil.rmtree(out, ignore_errors=True)
            wall, cpu, _ = run([*VOICE_SIM, name, str(call), "--out", str(out), "-q", *extra])
            walls.append(wall)
            cpus.append(cpu)
            t = json.loads((out / "analysis.json").read_text(encoding="utf-8"))["timings_s"]
            stages.append(sum(t.values()))
        x = [CALL_S / w for w in walls]
        ok = "met" if statistics.median(x) >= SPEED_GOAL_X else "NOT met"
        rows.append(
            f"| `voice-sim {name} call60.wav` | {spread(walls)} | {spread(x, 'x', 1)} ({ok}: >= {SPEED_GOAL_X:g}x) | {spread(cpus)} | {spread(stages)} |"
        )
    return rows


#: Analyses N copies of the call in one process; prints JSON with the wall clock per call and
#: how many times Whisper, Silero and swift-f0 were loaded.
SEVERAL = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from audio_analysis import analyze_session
from audio_analysis import transcribe, vad, prosody
done = []
def on_done(stem, a, err):
    done.append(time.perf_counter())
paths = [Path(p) for p in sys.argv[1:]]
analyze_session(paths, on_done=on_done)
loads = {
    "whisper": transcribe.load_whisper.cache_info().misses,
    "silero": vad._session.cache_info().misses,
    "swift-f0": prosody._swift.cache_info().misses,
}
print(json.dumps({"start": t0, "done": done, "loads": loads}))
"""


def several(call: Path, work: Path, repeat: int) -> list[str]:
    copies = []
    for i in range(3):
        p = work / f"day{i + 1}.wav"
        shutil.copy(call, p)
        copies.append(str(p))
    firsts, laters, loads = [], [], {}
    for _ in range(repeat):
        _w, _c, out = run([sys.executable, "-c", SEVERAL, *copies])
        d = json.loads(out.strip().splitlines()[-1])
        ends = [d["start"], *d["done"]]
        firsts.append(ends[1] - ends[0])
        laters += [b - a for a, b in itertools.pairwise(ends[1:])]
        loads = d["loads"]
    return [
        "| three one-minute calls in one process | seconds |",
        "|---|---|",
        f"| first call (imports and model loads included) | {spread(firsts)} |",
        f"| each later call | {spread(laters)} |",
        f"| models loaded | Whisper {loads['whisper']}x, Silero {loads['silero']}x, swift-f0 {loads['swift-f0']}x |",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, default=BENCH / "results" / "cli_speed.md")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    lines = [
        "# CLI speed (`bench/cli_speed.py`)",
        "",
        f"{os.cpu_count()} cores, load average {load:.2f} at the start; median of {args.repeat} runs (min-max).",
        "",
        "## Start-up",
        "",
        *startup(args.repeat),
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory(prefix="cli-speed-") as tmp:
        work = Path(tmp)
        call = one_minute_call(work)
        more = ["", "## analyze and score", "", *analyze_and_score(call, work, args.repeat)]
        more += ["", "## Several inputs, models loaded once", "", *several(call, work, args.repeat)]
    print("\n".join(more))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines + more) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
