"""Calibration: each persona's own good-practice bot beats its mistakes bot by 25 points.

The calls are played offline against the persona's real customer (director and scripted brain,
``bench/scoring_calls.py``). Every persona is checked on the words alone (fast); a gauntlet of
one persona per archetype is rendered with Piper and put through the real analysis (Silero,
Whisper, pitch and loudness), once per test session.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import scoring
from personas import persona_ids, plan_gauntlet
from personas.call_log import Transcript

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import scoring_calls  # noqa: E402

MARGIN = 25.0
#: One persona per archetype, in the gauntlet's order (an easy caller first, the hardest last).
ARCHETYPE_GAUNTLET = [
    "elderly-confused",  # confused
    "wrong-policy",  # mistaken
    "late-refund",  # disappointed
    "broken-dashboard",  # impatient
    "angry-billing",  # angry
    "abusive-caller",  # abusive
]


@pytest.mark.parametrize("pid", persona_ids())
def test_good_bot_beats_mistakes_bot_on_the_words(pid: str) -> None:
    cards = {}
    for kind in ("good", "mistakes"):
        played = scoring_calls.play(pid, scoring_calls.script_path(pid, kind), audio=False)
        cards[kind], call = scoring_calls.score_played(played)
        if kind == "good":
            assert call.end.final_intensity is not None
            assert call.end.final_intensity < call.intensity[0].level, "the customer calmed"
    assert cards["good"].overall - cards["mistakes"].overall >= MARGIN, (
        cards["good"].overall,
        cards["mistakes"].overall,
    )


@dataclass
class Rendered:
    """The archetype gauntlet, good and mistakes, rendered, analysed and scored."""

    cards: dict[str, list[scoring.Scorecard]]
    sessions: dict[str, scoring.SessionScorecard]
    folders: dict[str, list[Path]]


@pytest.fixture(scope="session")
def gauntlet(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    pytest.importorskip("piper", reason="Piper (opt-in extra, installed by make test)")
    from audio_analysis import analyze_file, write_analysis

    root = tmp_path_factory.mktemp("calibration")
    plan = plan_gauntlet(ARCHETYPE_GAUNTLET, len(ARCHETYPE_GAUNTLET))
    out = Rendered({}, {}, {})
    for kind in ("good", "mistakes"):
        calls, cards, folders = [], [], []
        for i, gc in enumerate(plan, start=1):
            played = scoring_calls.play(
                gc.persona_id,
                scoring_calls.script_path(gc.persona_id, kind),
                audio=True,
                start_level=gc.start_level,
            )
            folder = scoring_calls.write(played, root / kind / f"{i:02d}-{gc.persona_id}")
            analysis = analyze_file(folder / "recording.wav")
            write_analysis(analysis, folder)
            card = scoring.score_folder(folder)
            calls.append(
                scoring.call_inputs(
                    analysis.to_dict(),
                    scoring.read_events(folder / "events.jsonl"),
                    name=folder.name,
                    meta=scoring.read_meta(folder / "meta.json"),
                )
            )
            cards.append(card)
            folders.append(folder)
        out.cards[kind] = cards
        out.folders[kind] = folders
        out.sessions[kind] = scoring.score_session(calls, scorecards=cards)
        scoring.write_session_report(out.sessions[kind], root / kind)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("k", range(len(ARCHETYPE_GAUNTLET)), ids=ARCHETYPE_GAUNTLET)
def test_archetype_gauntlet_good_beats_mistakes_in_every_call(gauntlet: Rendered, k: int) -> None:
    good, bad = gauntlet.cards["good"][k], gauntlet.cards["mistakes"][k]
    assert good.overall - bad.overall >= MARGIN, (good.overall, bad.overall)
    assert good.end_warning is None, good.end_warning  # the good call ended well
    assert bad.end_warning is not None  # the mistakes call is flagged at a glance


@pytest.mark.slow
def test_archetype_gauntlet_session_explains_itself(gauntlet: Rendered) -> None:
    good, bad = gauntlet.sessions["good"], gauntlet.sessions["mistakes"]
    assert good.overall - bad.overall >= MARGIN
    for s in (good, bad):
        assert "70% the mean of the call scores, 30% the patience items" in s.summary
        assert f"over {len(ARCHETYPE_GAUNTLET)} calls" in s.summary
        assert all(c.end_intensity is not None and c.ended for c in s.calls)
    page = (gauntlet.folders["mistakes"][0].parent / "session_report.html").read_text()
    assert 'id="weighting"' in page and page.count('class="flagged"') >= 3


@pytest.mark.slow
def test_rendered_report_quotes_our_customer_exactly(gauntlet: Rendered) -> None:
    folder = gauntlet.folders["good"][ARCHETYPE_GAUNTLET.index("angry-billing")]
    said = [
        e.text
        for e in scoring.read_events(folder / "events.jsonl")
        if isinstance(e, Transcript) and e.speaker == "customer"
    ]
    page = (folder / "report.html").read_text(encoding="utf-8")
    import html

    for line in said:
        assert html.escape(line, quote=True).split()[0] in page
    assert "Forty-nine ninety-nine on the third" in html.unescape(page)
