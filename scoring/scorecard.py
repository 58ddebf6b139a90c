"""Scorecard results (frozen dataclasses) and their JSON form (``scorecard.json``).

``scorecard.json`` (schema_version 1): ``overall`` (0-100), ``items[]`` (``id``, ``label``,
``score``, ``max``, ``evidence[]``, ``tip``), ``summary``; see ``docs/contracts.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .settings import OVERALL_MAX, SCORECARD_SCHEMA_VERSION

Effect = Literal["won", "lost", "note"]


@dataclass(frozen=True)
class Evidence:
    """One moment that won or lost points.

    Attributes
    ----------
    start_s : float or None
        When it happened, seconds from the start of the recording (``None``: the whole call).
    speaker : str
        ``trainee``, ``customer`` or ``call``.
    quote : str or None
        The words said, verbatim from the transcript.
    figure : str or None
        A measured figure in words ("pitch rose 2.8 semitones").
    effect : {"won", "lost", "note"}
        Whether this moment earned or cost points.
    """

    start_s: float | None
    speaker: str
    quote: str | None = None
    figure: str | None = None
    effect: Effect = "note"

    def to_dict(self) -> dict[str, Any]:
        """JSON form; ``quote`` or ``figure`` (or both) is present."""
        d: dict[str, Any] = {
            "start_s": None if self.start_s is None else round(self.start_s, 2),
            "speaker": self.speaker,
            "effect": self.effect,
        }
        if self.quote is not None:
            d["quote"] = self.quote
        if self.figure is not None:
            d["figure"] = self.figure
        return d


@dataclass(frozen=True)
class ItemScore:
    """The score of one rubric item, with the evidence behind it.

    ``applicable`` is ``False`` when the item could not arise in this call (no abusive language,
    no intensity information); such items are left out of ``overall``.
    """

    id: str
    label: str
    score: float
    max: float
    evidence: tuple[Evidence, ...]
    tip: str
    applicable: bool = True
    judged_by: str = "rules"

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the item."""
        return {
            "id": self.id,
            "label": self.label,
            "score": round(self.score, 1),
            "max": round(self.max, 1),
            "applicable": self.applicable,
            "judged_by": self.judged_by,
            "evidence": [e.to_dict() for e in self.evidence],
            "tip": self.tip,
        }


#: Verdicts of a silence that make it the trainee's dead air (it costs points).
DEAD_VERDICTS = ("dead_air", "hold_overrun")


@dataclass(frozen=True)
class JudgedSilence:
    """A silence of the call as the scorecard judged it (seconds).

    ``verdict``: ``dead_air`` (the trainee left the customer waiting), ``hold_overrun`` (a hold
    ran past what the notice bought), ``held`` (a hold notice covered it), ``patient`` (the
    trainee's, shorter than the customer's patience), ``theirs`` (the customer's to break) or
    ``pressure`` (the customer's deliberate pressure pause).
    """

    start_s: float
    duration_s: float
    verdict: str

    @property
    def dead(self) -> bool:
        """The trainee's dead air."""
        return self.verdict in DEAD_VERDICTS

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "start_s": round(self.start_s, 2),
            "duration_s": round(self.duration_s, 2),
            "verdict": self.verdict,
        }


def overall_of(items: Sequence[ItemScore]) -> float:
    """0-100: points won over points available, counting applicable items only."""
    avail = sum(it.max for it in items if it.applicable)
    if avail <= 0:
        return 0.0
    won = sum(it.score for it in items if it.applicable)
    return OVERALL_MAX * won / avail


@dataclass(frozen=True)
class Scorecard:
    """The scorecard of one call."""

    name: str
    overall: float
    items: tuple[ItemScore, ...]
    summary: str
    judge: str
    rubric: str
    duration_s: float
    persona: str | None = None
    recording: str | None = None
    warnings: tuple[str, ...] = ()
    schema_version: int = SCORECARD_SCHEMA_VERSION
    ended: str | None = None
    """Why the call ended (resolved, customer hung up, script ran out...); None if unknown."""
    end_intensity: float | None = None
    """The customer's intensity at the end, 0-10."""
    end_warning: str | None = None
    """What a coach should see at a glance about the ending; None when it ended well."""
    silences: tuple[JudgedSilence, ...] = ()
    """Every long silence of the call and whose it was; the dead ones are the call's dead air
    (the same rule as the escalation director's, ``personas.phrases.is_dead_air``)."""

    @property
    def dead_air(self) -> tuple[JudgedSilence, ...]:
        """The trainee's dead air."""
        return tuple(x for x in self.silences if x.dead)

    def item(self, item_id: str) -> ItemScore:
        """The item with this id (``KeyError`` if the rubric did not score it)."""
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``scorecard.json``)."""
        return {
            "schema_version": self.schema_version,
            "name": self.name,
            "persona": self.persona,
            "recording": self.recording,
            "duration_s": round(self.duration_s, 2),
            "judge": self.judge,
            "rubric": self.rubric,
            "overall": round(self.overall, 1),
            "ended": self.ended,
            "end_intensity": self.end_intensity,
            "end_warning": self.end_warning,
            "items": [it.to_dict() for it in self.items],
            "silences": [x.to_dict() for x in self.silences],
            "summary": self.summary,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class CallFigures:
    """Per-call trainee figures used for session patience items and drift charts.

    Units: Hz, dBFS, words per minute, count, seconds.
    """

    name: str
    overall: float
    pitch_hz_median: float | None
    loudness_dbfs_median: float | None
    wpm: float | None
    interruptions: int
    response_latency_s_median: float | None
    report: str | None = None
    start_intensity: float | None = None
    """The customer's intensity when the call started (0-10; None: not our recording)."""
    end_intensity: float | None = None
    """The customer's intensity at the end."""
    ended: str | None = None
    """Why the call ended: resolved, passed to a supervisor, customer hung up, script ran out..."""
    warning: str | None = None
    """What a coach should see at a glance: the script ran out, or the customer was still angry
    (or hung up) at the end; None when the call ended well."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form of one call row."""

        def r(v: float | None, nd: int = 2) -> float | None:
            return None if v is None else round(v, nd)

        return {
            "name": self.name,
            "overall": round(self.overall, 1),
            "pitch_hz_median": r(self.pitch_hz_median, 1),
            "loudness_dbfs_median": r(self.loudness_dbfs_median, 1),
            "wpm": r(self.wpm, 1),
            "interruptions": self.interruptions,
            "response_latency_s_median": r(self.response_latency_s_median),
            "report": self.report,
            "start_intensity": self.start_intensity,
            "end_intensity": self.end_intensity,
            "ended": self.ended,
            "warning": self.warning,
        }


@dataclass(frozen=True)
class SessionScorecard:
    """The scorecard of a back-to-back session: each call's overall and the patience items."""

    overall: float
    calls: tuple[CallFigures, ...]
    patience: tuple[ItemScore, ...]
    summary: str
    scorecards: tuple[Scorecard, ...] = field(default=(), compare=False)
    schema_version: int = SCORECARD_SCHEMA_VERSION
    calls_share: float = 1.0
    """Share of ``overall`` that is the mean of the call scores (the rest: the patience items)."""
    calls_mean: float | None = None
    """The mean of the call scores."""
    patience_score: float | None = None
    """The patience items' score, 0-100 (None when they do not apply: a single call)."""

    @property
    def weighting(self) -> str:
        """How ``overall`` is made, in words."""
        if self.patience_score is None or self.calls_share >= 1.0:
            return "the mean of the call scores (one call: no patience items)"
        return (
            f"{100 * self.calls_share:.0f}% the mean of the call scores, "
            f"{100 * (1 - self.calls_share):.0f}% the patience items"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``session_scorecard.json``)."""
        return {
            "schema_version": self.schema_version,
            "overall": round(self.overall, 1),
            "weighting": {
                "calls": round(self.calls_share, 3),
                "patience": round(1.0 - self.calls_share, 3),
                "calls_mean": None if self.calls_mean is None else round(self.calls_mean, 1),
                "patience_score": None
                if self.patience_score is None
                else round(self.patience_score, 1),
                "text": self.weighting,
            },
            "calls": [c.to_dict() for c in self.calls],
            "patience": [it.to_dict() for it in self.patience],
            "summary": self.summary,
        }
