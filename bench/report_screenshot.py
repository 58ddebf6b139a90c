"""The README's report screenshot: a persona's mistakes bot played, rendered with Piper,
analysed, scored, and report.html photographed in headless chromium.

    python bench/report_screenshot.py [--persona angry-billing] [--out bench/results/scoring_report.png]
"""

# ruff: noqa: E501  (the usage line reads better unbroken)

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scoring_calls

import scoring
from audio_analysis import analyze_file, write_analysis
from tests.support.browser import ARGS, CHROMIUM

#: Page size of the screenshot (CSS pixels) and where the player stands in it (seconds).
VIEWPORT = {"width": 1150, "height": 1500}
PLAYHEAD_S = 9.0


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--persona", default="angry-billing")
    ap.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results" / "scoring_report.png",
    )
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        played = scoring_calls.play(
            args.persona, scoring_calls.script_path(args.persona, "mistakes"), audio=True
        )
        folder = scoring_calls.write(played, Path(tmp) / f"mistakes-{args.persona}")
        write_analysis(analyze_file(folder / "recording.wav"), folder)
        card = scoring.score_folder(folder)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS))
            page = browser.new_page(viewport=VIEWPORT)
            page.goto((folder / "report.html").as_uri())
            page.wait_for_function("document.getElementById('player').readyState >= 1")
            page.evaluate(f"document.getElementById('player').currentTime = {PLAYHEAD_S}")
            page.wait_for_timeout(600)
            page.screenshot(path=str(args.out))
            browser.close()
    print(f"{args.persona} mistakes: {card.overall:.0f}/100; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
