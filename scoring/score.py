"""Score one call: load inputs, run the judge over the rubric, write a three-sentence summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import ScoringError
from .inputs import CallInputs, EventLike, call_inputs, read_events, read_json
from .judge import Judge
from .llm_judge import LLMJudge
from .rubric import Rubric, load_rubric
from .rules import RulesJudge, judged_silences, mmss
from .scorecard import ItemScore, Scorecard, overall_of
from .settings import ScoringSettings


def end_of_call(call: CallInputs, settings: ScoringSettings) -> tuple[str | None, str | None]:
    """Why the call ended, and what a coach should see at a glance (None when it ended well).

    Only calls voice-sim recorded know this (their ``events.jsonl``); others give (None, None).
    """
    if not call.intensity and call.end.reason is None:
        return None, None
    ended = call.end.label
    level = call.end.final_intensity
    angry = level is not None and level >= settings.still_angry_level
    if ended == "customer hung up":
        warning: str | None = "the customer hung up"
    elif call.end.unresolved and angry:
        warning = f"{ended} with the customer still angry ({level:g}/10)"
    elif call.end.unresolved and call.end.reason in ("script_done", "input_ended"):
        warning = f"{ended} before the call was settled"
    elif angry:
        warning = f"the customer was still angry at the end ({level:g}/10)"
    else:
        warning = None
    return ended, warning


def make_judge(settings: ScoringSettings) -> Judge:
    """The judge the settings ask for (``rules`` or ``llm``)."""
    return LLMJudge(settings) if settings.judge == "llm" else RulesJudge(settings)


def summarize(overall: float, items: Sequence[ItemScore]) -> str:
    """Three sentences a coach would write: the score and strengths, the biggest loss, a tip."""
    applicable = [it for it in items if it.applicable and it.max > 0]
    if not applicable:
        return "Nothing in this call could be scored."
    strong = [it for it in applicable if it.score >= 0.9 * it.max]
    weak = sorted(applicable, key=lambda it: (it.score - it.max, it.score / it.max))
    weak = [it for it in weak if it.score < it.max]
    if strong:
        names = ", ".join(it.label.lower() for it in strong[:3])
        first = f"Scored {overall:.0f}/100; strongest on {names}."
    else:
        first = f"Scored {overall:.0f}/100, with no item at full marks."
    if not weak:
        return f"{first} No points were lost anywhere. Keep doing exactly this on the next call."
    worst = weak[0]
    when = next(
        (e.start_s for e in worst.evidence if e.effect == "lost" and e.start_s is not None), None
    )
    at = f" (first at {mmss(when)})" if when is not None else ""
    lost = worst.max - worst.score
    others = ", ".join(it.label.lower() for it in weak[1:3])
    also = f"; also work on {others}" if others else ""
    second = (
        f"Most points went on {worst.label.lower()}: {lost:.0f} of {worst.max:.0f} lost{at}{also}."
    )
    # The summary stays at three sentences: the tip's first sentence only.
    tip = worst.tip.strip().split(". ")[0].strip() or (
        "Review the moments marked in red on the timeline"
    )
    if not tip.endswith((".", "!", "?", '."', '!"', '?"')):
        tip += "."
    return f"{first} {second} Next call: {tip}"


def score_inputs(
    call: CallInputs,
    *,
    rubric: Rubric | None = None,
    settings: ScoringSettings | None = None,
    judge: Judge | None = None,
) -> Scorecard:
    """Score already-loaded call inputs; see ``score_call``."""
    settings = settings or ScoringSettings()
    rubric = rubric or load_rubric()
    judge = judge or make_judge(settings)
    seen = len(judge.warnings)  # a judge reused across calls keeps earlier calls' warnings
    items = judge.judge(call, rubric.items)
    new_warnings = tuple(judge.warnings[seen:])
    overall = overall_of(items)
    ended, warning = end_of_call(call, settings)
    return Scorecard(
        name=call.name,
        overall=overall,
        items=tuple(items),
        summary=summarize(overall, items),
        ended=ended,
        end_intensity=call.end.final_intensity,
        end_warning=warning,
        judge=judge.name,
        rubric=rubric.name,
        duration_s=call.duration_s,
        persona=call.persona,
        recording=str(call.recording) if call.recording else None,
        warnings=(*call.warnings, *new_warnings),
        silences=judged_silences(call, settings),
    )


def score_call(
    analysis: Mapping[str, Any] | str | Path,
    events: Sequence[EventLike] | str | Path | None = None,
    *,
    rubric: Rubric | None = None,
    settings: ScoringSettings | None = None,
    judge: Judge | None = None,
    name: str | None = None,
    recording: str | Path | None = None,
    persona: str | None = None,
) -> Scorecard:
    """Score one call.

    Parameters
    ----------
    analysis : mapping or path
        ``analysis.json`` (schema_version 1) or its parsed content.
    events : sequence of mapping or path, optional
        The session's ``events.jsonl`` (intensity, hangups); ``None`` for outside recordings.
    rubric : Rubric, optional
        Defaults to the shipped rubric.
    settings : ScoringSettings, optional
        Thresholds and the judge choice.
    judge : Judge, optional
        Overrides ``settings.judge``.
    name, recording, persona : optional
        Call name, recording path (for the report) and persona id.

    Returns
    -------
    Scorecard

    Raises
    ------
    ScoringError
        Unreadable or future-schema analysis, bad events file, or no trainee speech.
    """
    if isinstance(analysis, str | Path):
        source = str(analysis)
        data = read_json(Path(analysis))
        default_name = Path(analysis).parent.name or Path(analysis).stem
    else:
        source, data, default_name = "analysis.json", analysis, "call"
    if events is None:
        ev: Sequence[EventLike] = ()
    elif isinstance(events, str | Path):
        ev = read_events(Path(events))
    else:
        ev = events
    call = call_inputs(
        data,
        ev,
        source=source,
        name=name or default_name,
        recording=Path(recording) if recording else None,
        persona=persona,
    )
    return score_inputs(call, rubric=rubric, settings=settings, judge=judge)


__all__ = ["ScoringError", "end_of_call", "make_judge", "score_call", "score_inputs", "summarize"]
