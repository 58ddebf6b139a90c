"""Accuracy and speed of audio_analysis against Piper calls whose every event is known.

    python bench/analysis_accuracy.py [--out DIR] [--memory-minutes 120] [--quick]

Builds (bench/analysis_calls.py) a clean stereo call, a phone-line call (8 kHz, band-limited,
hiss, the other side bleeding in at -30 dB) and a 4-call phone-line session in which the trainee
drifts within each call and across calls; analyses each with the real models; prints the
figures and writes them to bench/results/analysis.md. Also: speech activity and wpm on the real
labelled telephone sample (../shared/data/pyannote-sample), and peak memory of a long recording
analysed in a subprocess (the file is streamed).
"""

# ruff: noqa: E501  (sentences and report lines read better unbroken)

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis_calls import TruthCall, build_call

from audio_analysis import CallAnalysis, analyze_file

TOL_S = 0.5  # an event is found when its start is within this of the truth
SAMPLE_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "pyannote-sample"
TARGETS = {
    "interruption_f1": ">= 0.95",
    "backchannels_as_interruptions": "= 0",
    "latency_mae_s": "<= 0.10",
    "dead_air_f1": "= 1.0",
    "silence_f1": "= 1.0",
    "wpm_err_pct": "<= 10",
    "pitch_drift_err_st": "<= 1.5",
    "loudness_drift_err_db": "<= 1.5",
    "x_realtime": ">= 5",
}


def match(truth: list[float], pred: list[float], tol: float = TOL_S) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of event times (closest pairs first) within ``tol`` seconds."""
    pairs = sorted(
        (abs(t - p), i, j)
        for i, t in enumerate(truth)
        for j, p in enumerate(pred)
        if abs(t - p) <= tol
    )
    used_t: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _d, i, j in pairs:
        if i not in used_t and j not in used_p:
            used_t.add(i)
            used_p.add(j)
            out.append((i, j))
    return out


def f1(n_truth: int, n_pred: int, n_match: int) -> float:
    if n_truth == 0 and n_pred == 0:
        return 1.0
    p = n_match / n_pred if n_pred else 0.0
    r = n_match / n_truth if n_truth else 0.0
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def score_call(truth: TruthCall, a: CallAnalysis) -> dict[str, float]:
    """Compare one analysis with its truth."""
    m: dict[str, float] = {}
    # interruptions: same interrupter, start within TOL_S
    ti = truth.interruptions
    pi = a.interruptions
    hits = 0
    for by in ("trainee", "customer"):
        tt = [s for b, _o, s in ti if b == by]
        pp = [x.start_s for x in pi if x.by == by]
        hits += len(match(tt, pp))
    m["interruption_f1"] = f1(len(ti), len(pi), hits)
    m["interruptions_truth"] = len(ti)
    m["interruptions_found"] = len(pi)
    bc_as_int = 0
    for by, s, _d in truth.backchannels:
        bc_as_int += sum(1 for x in pi if x.by == by and abs(x.start_s - s) <= TOL_S)
    m["backchannels_as_interruptions"] = bc_as_int
    bhits = 0
    for by in ("trainee", "customer"):
        bhits += len(
            match(
                [s for b, s, _ in truth.backchannels if b == by],
                [b.start_s for b in a.backchannels if b.by == by],
            )
        )
    m["backchannel_f1"] = f1(len(truth.backchannels), len(a.backchannels), bhits)
    # gaps: matched on the reply's start (gap start + latency), same responder
    errs = []
    ghits = 0
    for to in ("trainee", "customer"):
        tg = [g for g in truth.gaps if g[1] == to]
        pg = [g for g in a.gaps if g.to_speaker == to]
        pairs = match([g[2] + g[3] for g in tg], [g.start_s + g.duration_s for g in pg])
        ghits += len(pairs)
        errs += [abs(tg[i][3] - pg[j].duration_s) for i, j in pairs]
    m["latency_mae_s"] = float(np.mean(errs)) if errs else float("nan")
    m["gap_f1"] = f1(len(truth.gaps), len(a.gaps), ghits)
    # dead air: the customer finished, the trainee said nothing (the director's rule); the
    # trainee's silences to the customer and the customer's pause mid-turn must not count
    m["dead_air_f1"] = f1(
        len(truth.dead_air),
        len(a.dead_air),
        len(match([d[0] for d in truth.dead_air], [d.start_s for d in a.dead_air])),
    )
    m["dead_air_truth"] = len(truth.dead_air)
    m["dead_air_found"] = len(a.dead_air)
    # every long silence, with whose turns it lies between
    shits = 0
    for sides in {q[:2] for q in truth.silences} | {
        (q.from_speaker, q.to_speaker) for q in a.silences
    }:
        shits += len(
            match(
                [q[2] for q in truth.silences if q[:2] == sides],
                [q.start_s for q in a.silences if (q.from_speaker, q.to_speaker) == sides],
            )
        )
    m["silence_f1"] = f1(len(truth.silences), len(a.silences), shits)
    for who in ("trainee", "customer"):
        sp = a.speakers[who]
        tw = truth.wpm(who)
        m[f"wpm_err_pct_{who}"] = abs(sp.wpm - tw) / tw * 100 if sp and sp.wpm else float("nan")
    m["wpm_err_pct"] = max(m["wpm_err_pct_trainee"], m["wpm_err_pct_customer"])
    tp, tl, _tw = truth.drift("trainee")
    d = a.tone_drift["trainee"]
    m["pitch_drift_truth_st"] = tp
    m["pitch_drift_st"] = d.pitch_st if d and d.pitch_st is not None else float("nan")
    m["pitch_drift_err_st"] = abs(m["pitch_drift_st"] - tp)
    m["loudness_drift_truth_db"] = tl
    m["loudness_drift_db"] = d.loudness_db if d and d.loudness_db is not None else float("nan")
    m["loudness_drift_err_db"] = abs(m["loudness_drift_db"] - tl)
    m["turns_truth"] = len(truth.turns)
    m["turns_found"] = len(a.turns)
    return m


def frame_accuracy(
    ref: list[tuple[float, float]],
    hyp: list[tuple[float, float]],
    duration_s: float,
    hop: float = 0.01,
) -> float:
    n = int(duration_s / hop)
    t = (np.arange(n) + 0.5) * hop

    def mask(segs: list[tuple[float, float]]) -> np.ndarray:
        mk = np.zeros(n, bool)
        for s, e in segs:
            mk |= (t >= s) & (t < e)
        return mk

    return float(np.mean(mask(ref) == mask(hyp)))


def real_sample() -> dict[str, float] | None:
    """Speech activity, turns and wpm on the labelled telephone sample (mono, two speakers)."""
    wav = SAMPLE_DIR / "sample.wav"
    if not wav.exists():
        return None
    a = analyze_file(wav)
    ref = []
    for line in (SAMPLE_DIR / "sample.rttm").read_text().splitlines():
        f = line.split()
        ref.append((float(f[3]), float(f[3]) + float(f[4])))
    words = 0
    for line in (SAMPLE_DIR / "sample.stm").read_text().splitlines():
        words += len(line.split()[5:])
    union: list[list[float]] = []
    for s, e in sorted(ref):
        if union and s - union[-1][1] < 1.0:
            union[-1][1] = max(union[-1][1], e)
        else:
            union.append([s, e])
    talk = sum(e - s for s, e in union)
    sp = a.speakers["trainee"]
    truth_wpm = words / (talk / 60)
    return {
        "frame_accuracy": frame_accuracy(ref, list(a.speech["trainee"]), a.duration_s),
        "turns_truth": len(union),
        "turns_found": sp.turns if sp else 0,
        "wpm_truth": truth_wpm,
        "wpm": sp.wpm if sp and sp.wpm else float("nan"),
        "wpm_err_pct": abs((sp.wpm or 0) - truth_wpm) / truth_wpm * 100 if sp else float("nan"),
    }


def memory_run(src: Path, minutes: float, out_dir: Path, transcribe: bool) -> dict[str, float]:
    """Tile ``src`` into a ``minutes``-long file and analyse it in a fresh process; peak RSS."""
    long = out_dir / f"long-{int(minutes)}min.wav"
    info = sf.info(str(src))
    if not long.exists():
        data, sr = sf.read(str(src), dtype="int16", always_2d=True)
        need = int(minutes * 60 * sr)
        with sf.SoundFile(
            str(long), "w", samplerate=sr, channels=info.channels, subtype="PCM_16"
        ) as w:
            done = 0
            while done < need:
                chunk = data[: need - done]
                w.write(chunk)
                done += len(chunk)
    code = (
        "import json,resource,sys,time;from audio_analysis import analyze_file, AnalysisSettings;"
        f"t=time.perf_counter();a=analyze_file(sys.argv[1], settings=AnalysisSettings(transcribe={transcribe}));"
        "el=time.perf_counter()-t;"
        "print(json.dumps({'elapsed_s':el,'duration_s':a.duration_s,'peak_rss_mb':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024,"
        "'turns':len(a.turns)}))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(long)], capture_output=True, text=True, check=True
    )
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res["file_mb"] = long.stat().st_size / 1e6
    res["transcribe"] = transcribe
    return res


def fmt(x: float, nd: int = 3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not np.isfinite(x)) else f"{x:.{nd}f}"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--out", type=Path, default=Path("out/bench-analysis"), help="where the generated calls go"
    )
    ap.add_argument(
        "--memory-minutes",
        type=float,
        default=20.0,
        help="length of the long recording for the memory run (0: skip)",
    )
    ap.add_argument(
        "--memory-no-transcribe", action="store_true", help="memory run without Whisper (faster)"
    )
    ap.add_argument(
        "--reuse-memory",
        action="store_true",
        help="report OUT/memory.json from an earlier run instead of a new memory run",
    )
    ap.add_argument(
        "--quick", action="store_true", help="clean and phone call only (no session, no memory run)"
    )
    ap.add_argument(
        "--results", type=Path, default=Path(__file__).resolve().parent / "results" / "analysis.md"
    )
    args = ap.parse_args()
    out: Path = args.out
    print(f"building ground-truth calls in {out} ...", flush=True)
    calls: list[tuple[str, TruthCall]] = [
        ("clean 16 kHz stereo", build_call("clean", out, seed=1)),
        ("phone line 8 kHz, -30 dB bleed", build_call("phone", out, seed=2, phone=True)),
    ]
    offsets = [(0.0, 0.0), (1.0, 1.5), (2.0, 3.0), (3.0, 4.5)]
    session: list[TruthCall] = []
    if not args.quick:
        session = [
            build_call(
                f"session-{i + 1}",
                out,
                seed=11 + i,
                phone=True,
                trainee_offset_st=st,
                trainee_offset_db=db,
            )
            for i, (st, db) in enumerate(offsets)
        ]
    # warm the models (loading is reported separately, not counted in the speed figure)
    t0 = time.perf_counter()
    analyze_file(calls[0][1].path)
    cold_s = time.perf_counter() - t0
    rows = []
    total_audio = total_time = total_cpu = 0.0
    analyses: dict[str, CallAnalysis] = {}
    for label, tc in calls + [(f"session call {i + 1} (phone)", s) for i, s in enumerate(session)]:
        t0, c0 = time.perf_counter(), time.process_time()
        a = analyze_file(tc.path)
        el, cpu = time.perf_counter() - t0, time.process_time() - c0
        total_cpu += cpu
        analyses[tc.name] = a
        m = score_call(tc, a)
        m["x_realtime"] = tc.duration_s / el
        m["elapsed_s"] = el
        m["duration_s"] = tc.duration_s
        total_audio += tc.duration_s
        total_time += el
        rows.append((label, m))
        print(
            f"{label:34s} int F1 {m['interruption_f1']:.3f} ({int(m['interruptions_found'])}/{int(m['interruptions_truth'])}), "
            f"bc->int {int(m['backchannels_as_interruptions'])}, latency MAE {fmt(m['latency_mae_s'])} s, "
            f"dead-air F1 {m['dead_air_f1']:.2f} ({int(m['dead_air_found'])}/{int(m['dead_air_truth'])}), "
            f"silences F1 {m['silence_f1']:.2f}, wpm err {m['wpm_err_pct']:.1f}%, "
            f"pitch drift {fmt(m['pitch_drift_st'], 2)} vs {m['pitch_drift_truth_st']:.2f} st, "
            f"loudness drift {fmt(m['loudness_drift_db'], 2)} vs {m['loudness_drift_truth_db']:.2f} dB, "
            f"{m['x_realtime']:.1f}x real time",
            flush=True,
        )
    sess = None
    if session:
        from audio_analysis import analyze_session

        s = analyze_session([t.path for t in session], analyze_one=lambda p: analyses[p.stem])
        first, last = session[0], session[-1]
        tp = last.medians()[0] - first.medians()[0]
        tl = last.medians()[1] - first.medians()[1]
        tw = 100 * (last.wpm("trainee") / first.wpm("trainee") - 1)
        d = s.drift
        assert d is not None
        sess = {
            "pitch_st": (d.pitch_st, tp),
            "loudness_db": (d.loudness_db, tl),
            "wpm_pct": (d.wpm_pct, tw),
        }
        print(
            "session drift (call 4 vs 1): "
            + ", ".join(
                f"{k} {fmt(v[0], 2)} (truth {v[1]:.2f}, err {abs((v[0] or 0) - v[1]):.2f})"
                for k, v in sess.items()
            )
        )
    real = real_sample()
    if real:
        print(
            f"real telephone sample (pyannote, mono): speech frame accuracy {real['frame_accuracy'] * 100:.1f}%, "
            f"turns {real['turns_found']}/{real['turns_truth']}, wpm {real['wpm']:.0f} vs {real['wpm_truth']:.0f} "
            f"({real['wpm_err_pct']:.1f}% err)"
        )
    mem = None
    saved = out / "memory.json"
    if args.reuse_memory and saved.exists():
        mem = json.loads(saved.read_text())
        print(f"memory: reusing {saved} (a previous run)")
    elif args.memory_minutes > 0 and not args.quick:
        print(
            f"memory: analysing a {args.memory_minutes:.0f}-minute recording in a subprocess ...",
            flush=True,
        )
        mem = memory_run(
            calls[1][1].path, args.memory_minutes, out, transcribe=not args.memory_no_transcribe
        )
        saved.write_text(json.dumps(mem))
        print(
            f"memory: {mem['duration_s'] / 60:.0f} min recording ({mem['file_mb']:.0f} MB file): peak RSS "
            f"{mem['peak_rss_mb']:.0f} MB, {mem['duration_s'] / mem['elapsed_s']:.1f}x real time"
            + ("" if mem["transcribe"] else " (no transcription)")
        )
    x_rt = total_audio / total_time
    x_cpu = total_audio / total_cpu
    print(
        f"speed: {total_audio:.0f} s of audio in {total_time:.1f} s = {x_rt:.1f}x real time "
        f"(2 channels, transcription included; models warm: the first run with loading took {cold_s:.1f} s); cores: {os.cpu_count()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"CPU time: {total_cpu:.1f} CPU seconds (all threads) for {total_audio:.0f} s of audio = "
        f"{x_cpu:.1f}x real time even with no parallelism (what one free core would give)"
    )
    write_results(args.results, rows, sess, real, mem, x_rt, cold_s, x_cpu)
    print(f"wrote {args.results}")
    return 0


def write_results(
    path: Path, rows, sess, real, mem, x_rt: float, cold_s: float, x_cpu: float
) -> None:
    lines = [
        "# audio_analysis: accuracy and speed",
        "",
        "Measured by `python bench/analysis_accuracy.py` on Piper (en_US-joe-medium) calls whose every event",
        "is placed by `bench/analysis_calls.py` (24 turns, one of them said in two parts around a 3.8 s pause,",
        "5 interruptions, 5 backchannels, 18 gaps, 5 silences over 3 s per call: 2 are the trainee's dead air",
        "(the customer finished, the trainee said nothing), 2 follow the trainee's words and 1 is the customer's",
        f"own pause mid-turn; trainee pitch +2 st and gain -3 dB across each call). Event match tolerance {TOL_S} s.",
        "Dead-air F1 counts only the trainee's dead air; silences F1 also needs who spoke either side right.",
        f"Machine: {os.cpu_count()} cores shared with other work (load average {os.getloadavg()[0]:.1f} at the end):",
        "speed figures measured under contention are pessimistic.",
        "",
        "| call | interruption F1 | backchannels as interruptions | response latency MAE (s) | dead-air F1 | silences F1 | wpm error (max of 2 speakers) | pitch drift error (st) | loudness drift error (dB) | speed (x real time) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, m in rows:
        lines.append(
            f"| {label} | {m['interruption_f1']:.3f} | {int(m['backchannels_as_interruptions'])} | {fmt(m['latency_mae_s'])} | "
            f"{m['dead_air_f1']:.2f} | {m['silence_f1']:.2f} | {m['wpm_err_pct']:.1f}% | {fmt(m['pitch_drift_err_st'], 2)} | "
            f"{fmt(m['loudness_drift_err_db'], 2)} | {m['x_realtime']:.1f}x |"
        )
    lines.append(
        f"| target | {TARGETS['interruption_f1']} | 0 | <= 0.10 | 1.0 | 1.0 | <= 10% | <= 1.5 | <= 1.5 | >= 5x |"
    )
    lines.append("")
    if sess:
        lines.append(
            "Across a 4-call phone-line session (trainee +1 st and +1.5 dB per call), last call against the first:"
        )
        lines.append("")
        lines.append("| figure | measured | truth | error |")
        lines.append("|---|---|---|---|")
        for k, (v, t) in sess.items():
            lines.append(f"| {k} | {fmt(v, 2)} | {t:.2f} | {abs((v or 0) - t):.2f} |")
        lines.append("")
    if real:
        lines.append(
            f"Real telephone speech (pyannote sample, 30 s mono, RTTM + STM): speech-activity frame accuracy "
            f"{real['frame_accuracy'] * 100:.1f}%, turns {real['turns_found']} vs {real['turns_truth']} (RTTM union, "
            f"pauses < 1 s merged), wpm {real['wpm']:.0f} vs {real['wpm_truth']:.0f} ({real['wpm_err_pct']:.1f}% error)."
        )
        lines.append("")
    lines.append(
        f"Speed: {x_rt:.1f}x real time (wall clock) over all calls above, whole analysis including Whisper tiny.en "
        f"on both channels, models warm (the first run, loading them, took {cold_s:.1f} s for the "
        f"{rows[0][1]['duration_s']:.0f} s clean call). The process used {1 / x_cpu:.3f} CPU seconds (all threads) "
        f"per second of audio: {x_cpu:.1f}x real time even if only one core were free."
    )
    if mem:
        lines.append(
            f"Memory: a {mem['duration_s'] / 60:.0f}-minute stereo recording ({mem['file_mb']:.0f} MB) is streamed; "
            f"peak RSS of the whole process {mem['peak_rss_mb']:.0f} MB"
            + ("" if mem["transcribe"] else " (transcription off)")
            + f", {mem['duration_s'] / mem['elapsed_s']:.1f}x real time."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
