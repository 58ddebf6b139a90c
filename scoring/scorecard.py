"""Scorecard results (frozen dataclasses) and their JSON form (``scorecard.json``).

``scorecard.json`` (schema_version 1): ``overall`` (0-100), ``items[]`` (``id``, ``label``,
``score``, ``max``, ``evidence[]``, ``tip``), ``summary``; see ``docs/contracts.md``. Written by
``to_dict`` (``write_report``) and read back only by ``from_dict`` / :func:`read_scorecard` (and
the session's by :func:`read_session_scorecard`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import ScoringError
from .inputs import load_json
from .settings import OVERALL_MAX, SCORECARD_SCHEMA_VERSION

#: File names in a session folder (a gauntlet folder for the session scorecard).
SCORECARD_FILE = "scorecard.json"
SESSION_SCORECARD_FILE = "session_scorecard.json"

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
    silences: tuple[JudgedSilence, ...] | None = ()
    """Every long silence of the call and whose it was; the dead ones are the call's dead air
    (the same rule as the escalation director's, ``personas.phrases.is_dead_air``). None: not
    judged (a scorecard written before silences were)."""

    @property
    def dead_air(self) -> tuple[JudgedSilence, ...]:
        """The trainee's dead air."""
        return tuple(x for x in self.silences or () if x.dead)

    @classmethod
    def from_dict(cls, doc: Any, *, source: str = SCORECARD_FILE) -> Scorecard:
        """Read a ``scorecard.json`` document (parsed JSON) back; :meth:`to_dict` inverted.

        Required: ``overall``; items need an ``id``. Missing optional fields read as empty,
        unknown ones are ignored, a newer ``schema_version`` is refused.

        Raises
        ------
        ScoringError
            ``<source>: <field path>: <problem>``.
        """
        return _Reader(source).scorecard(doc)

    def item(self, item_id: str) -> ItemScore:
        """The item with this id (``KeyError`` if the rubric did not score it)."""
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``scorecard.json``)."""
        doc = {
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
            "summary": self.summary,
            "warnings": list(self.warnings),
        }
        if self.silences is not None:
            doc["silences"] = [x.to_dict() for x in self.silences]
        return doc


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

    @classmethod
    def from_dict(cls, doc: Any, *, source: str = SESSION_SCORECARD_FILE) -> SessionScorecard:
        """Read a ``session_scorecard.json`` document back (the per-call scorecards are not in
        it: ``scorecards`` is empty). Errors as :meth:`Scorecard.from_dict`."""
        return _Reader(source).session(doc)

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


# -- reading scorecard.json and session_scorecard.json back ---------------------------------------


class _Reader:
    """Walks a parsed scorecard document; every error names the source and the field path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> ScoringError:
        return ScoringError(f"{self.source}: {where}: {problem}")

    def obj(self, v: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(v, Mapping):
            raise self.fail(where, "expected an object")
        return v

    def arr(self, v: Any, where: str) -> list[Any]:
        if not isinstance(v, list):
            raise self.fail(where, "expected a list")
        return v

    def num(self, v: Any, where: str) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise self.fail(where, f"expected a number, got {v!r}")
        return float(v)

    def opt_num(self, v: Any, where: str) -> float | None:
        return None if v is None else self.num(v, where)

    def text(self, v: Any, where: str, default: str | None = None) -> str:
        if v is None and default is not None:
            return default
        if not isinstance(v, str):
            raise self.fail(where, f"expected text, got {v!r}")
        return v

    def opt_text(self, v: Any, where: str) -> str | None:
        return None if v is None else self.text(v, where)

    def version(self, doc: Mapping[str, Any]) -> int:
        v = doc.get("schema_version", SCORECARD_SCHEMA_VERSION)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise self.fail("schema_version", f"expected a whole number >= 1, got {v!r}")
        if v > SCORECARD_SCHEMA_VERSION:
            raise self.fail(
                "schema_version",
                f"{v} is newer than this version of voice-sim reads "
                f"({SCORECARD_SCHEMA_VERSION}); upgrade voice-sim",
            )
        return v

    def evidence(self, e: Any, where: str) -> Evidence:
        d = self.obj(e, where)
        effect = d.get("effect", "note")
        if effect not in ("won", "lost", "note"):
            raise self.fail(f"{where}.effect", f"expected won, lost or note, got {effect!r}")
        return Evidence(
            start_s=self.opt_num(d.get("start_s"), f"{where}.start_s"),
            speaker=self.text(d.get("speaker"), f"{where}.speaker", "call"),
            quote=self.opt_text(d.get("quote"), f"{where}.quote"),
            figure=self.opt_text(d.get("figure"), f"{where}.figure"),
            effect=effect,
        )

    def item(self, it: Any, where: str) -> ItemScore:
        d = self.obj(it, where)
        if "id" not in d:
            raise self.fail(where, "missing field 'id'")
        item_id = self.text(d["id"], f"{where}.id")
        applicable = d.get("applicable", True)
        if not isinstance(applicable, bool):
            raise self.fail(f"{where}.applicable", f"expected true or false, got {applicable!r}")
        return ItemScore(
            id=item_id,
            label=self.text(d.get("label"), f"{where}.label", item_id),
            score=self.num(d.get("score", 0.0), f"{where}.score"),
            max=self.num(d.get("max", 0.0), f"{where}.max"),
            evidence=tuple(
                self.evidence(e, f"{where}.evidence[{i}]")
                for i, e in enumerate(self.arr(d.get("evidence", []), f"{where}.evidence"))
            ),
            tip=self.text(d.get("tip"), f"{where}.tip", ""),
            applicable=applicable,
            judged_by=self.text(d.get("judged_by"), f"{where}.judged_by", "rules"),
        )

    def items(self, doc: Mapping[str, Any], key: str) -> tuple[ItemScore, ...]:
        raw = self.arr(doc.get(key, []), key)
        return tuple(self.item(it, f"{key}[{i}]") for i, it in enumerate(raw))

    def silence(self, x: Any, where: str) -> JudgedSilence:
        d = self.obj(x, where)
        return JudgedSilence(
            start_s=self.num(d.get("start_s"), f"{where}.start_s"),
            duration_s=self.num(d.get("duration_s"), f"{where}.duration_s"),
            verdict=self.text(d.get("verdict"), f"{where}.verdict"),
        )

    def scorecard(self, raw: Any) -> Scorecard:
        doc = self.obj(raw, "document")
        version = self.version(doc)
        silences = None
        if "silences" in doc:
            silences = tuple(
                self.silence(x, f"silences[{i}]")
                for i, x in enumerate(self.arr(doc["silences"], "silences"))
            )
        return Scorecard(
            name=self.text(doc.get("name"), "name", ""),
            overall=self.num(doc.get("overall"), "overall"),
            items=self.items(doc, "items"),
            summary=self.text(doc.get("summary"), "summary", ""),
            judge=self.text(doc.get("judge"), "judge", ""),
            rubric=self.text(doc.get("rubric"), "rubric", ""),
            duration_s=self.num(doc.get("duration_s", 0.0), "duration_s"),
            persona=self.opt_text(doc.get("persona"), "persona"),
            recording=self.opt_text(doc.get("recording"), "recording"),
            warnings=tuple(
                self.text(w, f"warnings[{i}]")
                for i, w in enumerate(self.arr(doc.get("warnings", []), "warnings"))
            ),
            schema_version=version,
            ended=self.opt_text(doc.get("ended"), "ended"),
            end_intensity=self.opt_num(doc.get("end_intensity"), "end_intensity"),
            end_warning=self.opt_text(doc.get("end_warning"), "end_warning"),
            silences=silences,
        )

    def call_figures(self, c: Any, where: str) -> CallFigures:
        d = self.obj(c, where)

        def n(key: str) -> float | None:
            return self.opt_num(d.get(key), f"{where}.{key}")

        count = d.get("interruptions", 0)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise self.fail(f"{where}.interruptions", f"expected a whole number, got {count!r}")
        return CallFigures(
            name=self.text(d.get("name"), f"{where}.name", ""),
            overall=self.num(d.get("overall"), f"{where}.overall"),
            pitch_hz_median=n("pitch_hz_median"),
            loudness_dbfs_median=n("loudness_dbfs_median"),
            wpm=n("wpm"),
            interruptions=count,
            response_latency_s_median=n("response_latency_s_median"),
            report=self.opt_text(d.get("report"), f"{where}.report"),
            start_intensity=n("start_intensity"),
            end_intensity=n("end_intensity"),
            ended=self.opt_text(d.get("ended"), f"{where}.ended"),
            warning=self.opt_text(d.get("warning"), f"{where}.warning"),
        )

    def session(self, raw: Any) -> SessionScorecard:
        doc = self.obj(raw, "document")
        version = self.version(doc)
        w = self.obj(doc.get("weighting", {}), "weighting")
        return SessionScorecard(
            overall=self.num(doc.get("overall"), "overall"),
            calls=tuple(
                self.call_figures(c, f"calls[{i}]")
                for i, c in enumerate(self.arr(doc.get("calls", []), "calls"))
            ),
            patience=self.items(doc, "patience"),
            summary=self.text(doc.get("summary"), "summary", ""),
            schema_version=version,
            calls_share=self.num(w.get("calls", 1.0), "weighting.calls"),
            calls_mean=self.opt_num(w.get("calls_mean"), "weighting.calls_mean"),
            patience_score=self.opt_num(w.get("patience_score"), "weighting.patience_score"),
        )


def read_scorecard(path: str | Path) -> Scorecard:
    """Read ``scorecard.json`` (the file, or a folder holding it); errors name file and field."""
    path = Path(path)
    if path.is_dir():
        path = path / SCORECARD_FILE
    return Scorecard.from_dict(load_json(path), source=str(path))


def read_session_scorecard(path: str | Path) -> SessionScorecard:
    """Read ``session_scorecard.json`` (the file, or a folder holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / SESSION_SCORECARD_FILE
    return SessionScorecard.from_dict(load_json(path), source=str(path))
