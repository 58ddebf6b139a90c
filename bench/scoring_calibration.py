"""Scoring calibration: a good-practice call against a mistake-laden one, through the real analysis.

Both calls have the same customer and scenario and are synthesised with Piper
(``bench/scoring_calls.py`` places every event). Each is analysed by ``audio_analysis`` (Silero
speech activity, Whisper tiny.en words, pitch and loudness) exactly as ``voice-sim score`` would,
then scored with the default rubric and the rules judge. Pass bars: the good call scores at least
25 points higher, and every mistake planted in the bad call is named in its evidence.

Prints the figures and writes them to ``bench/results/scoring.md``; the reports land in
``out/scoring_calibration/run<k>/<good|bad>/report.html``.

    .venv/bin/python bench/scoring_calibration.py [--out DIR] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring_calls import BAD, GOOD, MIXED, Script, render

import scoring

MIN_MARGIN = 25.0
RESULTS = Path(__file__).resolve().parent / "results" / "scoring.md"


def analyse(folder: Path) -> tuple[dict[str, Any], float]:
    """Run the real analysis on ``folder/recording.wav``; returns the analysis and seconds taken."""
    try:
        from audio_analysis import analyze_file, write_analysis
    except ImportError as exc:
        raise SystemExit(f"audio_analysis is not available ({exc})") from None
    t0 = time.perf_counter()
    a = analyze_file(folder / "recording.wav")
    elapsed = time.perf_counter() - t0
    write_analysis(a, folder)
    return a.to_dict(), elapsed


def named(card: scoring.Scorecard, plant: dict[str, Any], truth: dict[str, Any]) -> str | None:
    """The evidence line that names a planted mistake, or ``None``."""
    it = card.item(plant["item"])
    if it.score >= it.max:
        return None
    for e in it.evidence:
        if e.effect != "lost":
            continue
        words = f"{e.quote or ''} {e.figure or ''}".lower()
        if "text" in plant and plant["text"] not in words:
            continue
        if "at" in plant:
            want = truth["lines"][plant["at"]]["start_s"]
            if e.start_s is None or abs(e.start_s - want) > 0.5:
                continue
        at = "" if e.start_s is None else f"{e.start_s:.1f} s: "
        return at + " / ".join(x for x in (e.quote, e.figure) if x)
    return None


def run_once(out: Path) -> dict[str, Any]:
    """Render, analyse and score both calls once (Piper's noise makes each render differ)."""
    cards: dict[str, scoring.Scorecard] = {}
    truths: dict[str, dict[str, Any]] = {}
    timing: dict[str, tuple[float, float]] = {}
    for script in (GOOD, MIXED, BAD):
        folder = out / script.name
        truths[script.name] = render(script, folder)
        analysis, secs = analyse(folder)
        events = scoring.read_events(folder / "events.jsonl")
        call = scoring.call_inputs(
            analysis,
            events,
            source=str(folder / "analysis.json"),
            name=script.name,
            recording=folder / "recording.wav",
            persona="late-order",
        )
        card = scoring.score_inputs(call)
        scoring.write_report(card, call, folder)
        cards[script.name] = card
        timing[script.name] = (analysis["duration_s"], secs)
    hits = [named(cards["bad"], plant, truths["bad"]) for plant in BAD.planted]
    mixed_hits = [named(cards["mixed"], plant, truths["mixed"]) for plant in MIXED.planted]
    return {
        "cards": cards,
        "timing": timing,
        "hits": hits,
        "mixed_hits": mixed_hits,
        "margin": cards["good"].overall - cards["bad"].overall,
        "found": sum(h is not None for h in hits),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("out/scoring_calibration"))
    ap.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="renders of each call (Piper's noise differs between renders)",
    )
    args = ap.parse_args(argv)
    runs = [run_once(args.out / f"run{k + 1}") for k in range(args.repeats)]
    script: Script = BAD
    n_planted = len(script.planted)
    worst = min(runs, key=lambda r: (r["found"], r["margin"]))
    good, mixed, bad = (worst["cards"][k] for k in ("good", "mixed", "bad"))
    timing = worst["timing"]
    rows = []
    for g_it, m_it, b_it in zip(good.items, mixed.items, bad.items, strict=True):

        def fmt(it: scoring.ItemScore) -> str:
            return f"{it.score:.1f}/{it.max:g}" if it.applicable else "n/a"

        rows.append(f"| {g_it.label} | {fmt(g_it)} | {fmt(m_it)} | {fmt(b_it)} |")
    plants = []
    for plant, hit in zip(script.planted, worst["hits"], strict=True):
        plants.append(
            f"| {plant['mistake']} | {plant['item']} | "
            f"{'yes' if hit else '**NO**'} | {(hit or '').replace('|', '/')} |"
        )
    mixed_plants = []
    for plant, hit in zip(MIXED.planted, worst["mixed_hits"], strict=True):
        mixed_plants.append(
            f"| {plant['mistake']} | {plant['item']} | "
            f"{'yes' if hit else '**NO**'} | {(hit or '').replace('|', '/')} |"
        )
    n_mixed = len(MIXED.planted)
    per_run = [
        f"| {k + 1} | {r['cards']['good'].overall:.1f} | {r['cards']['mixed'].overall:.1f} | "
        f"{r['cards']['bad'].overall:.1f} | {r['margin']:.1f} | {r['found']} / {n_planted} | "
        f"{sum(h is not None for h in r['mixed_hits'])} / {n_mixed} |"
        for k, r in enumerate(runs)
    ]
    ordered = all(
        r["cards"]["good"].overall > r["cards"]["mixed"].overall > r["cards"]["bad"].overall
        for r in runs
    )
    margin = min(r["margin"] for r in runs)
    found = min(r["found"] for r in runs)
    ok = margin >= MIN_MARGIN and found == n_planted
    lines = [
        "# Scoring calibration",
        "",
        "Generated by `bench/scoring_calibration.py`: Piper-synthesised calls with the same "
        "customer and scenario (an order promised three times): good practice, a mixed call "
        "(asks first but leads with bad news, hedges, no owner) and a mistake-laden one; "
        "every event placed by the script, "
        "analysed by the real `audio_analysis` (Silero, Whisper tiny.en, pitch, loudness) and "
        "scored with the default rubric and the rules judge. Each call is rendered "
        f"{len(runs)} times (Piper's noise makes every render, and so Whisper's words, differ).",
        "",
        "| run | good | mixed | bad | margin good-bad | bad-call mistakes named | "
        "mixed-call mistakes named |",
        "|---|---|---|---|---|---|---|",
        *per_run,
        "",
        f"- smallest margin: **{margin:.1f}** points (bar: >= {MIN_MARGIN:g})",
        f"- planted mistakes named in every run: **{found} / {n_planted}**",
        f"- good > mixed > bad in every run: **{'yes' if ordered else 'no'}**",
        f"- result: **{'PASS' if ok else 'FAIL'}**",
        "",
        f"Details of the weakest run: good {good.overall:.1f} "
        f"({timing['good'][0]:.1f} s audio, analysed in {timing['good'][1]:.1f} s), "
        f"mixed {mixed.overall:.1f}, "
        f"bad {bad.overall:.1f} ({timing['bad'][0]:.1f} s audio, analysed in "
        f"{timing['bad'][1]:.1f} s).",
        "",
        "| item | good | mixed | bad |",
        "|---|---|---|---|",
        *rows,
        "",
        "Bad call:",
        "",
        "| planted mistake | item | named | evidence |",
        "|---|---|---|---|",
        *plants,
        "",
        "Mixed call:",
        "",
        "| planted mistake | item | named | evidence |",
        "|---|---|---|---|",
        *mixed_plants,
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    (args.out / "calibration.json").write_text(
        json.dumps(
            {
                "runs": [
                    {
                        "good": r["cards"]["good"].overall,
                        "mixed": r["cards"]["mixed"].overall,
                        "bad": r["cards"]["bad"].overall,
                        "margin": r["margin"],
                        "named": r["found"],
                    }
                    for r in runs
                ],
                "planted": n_planted,
                "pass": ok,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
