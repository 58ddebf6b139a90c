"""Score a session folder in place (what a call does automatically when it ends)."""

from __future__ import annotations

from pathlib import Path

from .case_note import read_case_note
from .errors import ScoringError
from .inputs import call_inputs, read_events, read_json, read_meta
from .report import write_report
from .rubric import Rubric
from .score import score_inputs
from .scorecard import Scorecard
from .settings import ScoringSettings


def score_folder(
    folder: str | Path,
    *,
    out: str | Path | None = None,
    rubric: Rubric | None = None,
    settings: ScoringSettings | None = None,
) -> Scorecard:
    """Score a session folder that already holds ``analysis.json``.

    Reads ``analysis.json``, ``events.jsonl``, ``meta.json`` (persona) and ``recording.wav`` from
    ``folder`` and writes ``scorecard.json`` and ``report.html`` to ``out``
    (default: the folder itself).

    Raises
    ------
    ScoringError
        No ``analysis.json`` in the folder, or any problem ``score_call`` reports.
    """
    folder = Path(folder)
    analysis_path = folder / "analysis.json"
    if not analysis_path.is_file():
        raise ScoringError(f"{folder}: no analysis.json (run `voice-sim analyze` first)")
    events_path = folder / "events.jsonl"
    events = read_events(events_path) if events_path.is_file() else []
    rec = folder / "recording.wav"
    call = call_inputs(
        read_json(analysis_path),
        events,
        source=str(analysis_path),
        name=folder.name,
        recording=rec if rec.is_file() else None,
        meta=read_meta(folder / "meta.json"),
        case_note=read_case_note(folder),
    )
    card = score_inputs(call, rubric=rubric, settings=settings)
    write_report(card, call, Path(out) if out is not None else folder, settings)
    return card
