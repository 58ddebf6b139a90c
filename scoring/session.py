"""Score a back-to-back session: each call, plus patience from the first call to the last."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from statistics import mean, median

from .errors import ScoringError
from .inputs import CallInputs
from .judge import Judge
from .rubric import Rubric, load_rubric
from .rules import ItemResult, to_item_score
from .score import make_judge, score_inputs
from .scorecard import (
    CallFigures,
    Evidence,
    ItemScore,
    Scorecard,
    SessionScorecard,
    overall_of,
)
from .settings import ScoringSettings


def _med(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return median(vals) if vals else None


def call_figures(call: CallInputs, card: Scorecard, report: str | None = None) -> CallFigures:
    """Trainee figures of one call for the session charts (medians over the trainee's turns),
    and how the customer started and ended."""
    turns = call.turns_of("trainee")
    stats = call.speakers["trainee"]
    return CallFigures(
        name=call.name,
        overall=card.overall,
        pitch_hz_median=_med([t.pitch_hz_median for t in turns]) or stats.pitch_hz_median,
        loudness_dbfs_median=_med([t.loudness_dbfs for t in turns]) or stats.loudness_dbfs_median,
        wpm=stats.wpm if stats.wpm is not None else _med([t.wpm for t in turns]),
        interruptions=sum(
            1 for i in call.interruptions if i.by == "trainee" and i.of == "customer"
        ),
        response_latency_s_median=_med(
            [g.duration_s for g in call.gaps if g.to_speaker == "trainee"]
        ),
        report=report,
        start_intensity=call.start_intensity,
        end_intensity=card.end_intensity,
        ended=card.ended,
        warning=card.end_warning,
    )


def _patience_composure(figs: Sequence[CallFigures], s: ScoringSettings) -> ItemResult:
    a, b = figs[0], figs[-1]
    parts: list[tuple[str, float | None, float, str]] = []
    if a.pitch_hz_median and b.pitch_hz_median:
        parts.append(
            (
                "pitch",
                12.0 * math.log2(b.pitch_hz_median / a.pitch_hz_median),
                s.patience_pitch_st,
                "semitones",
            )
        )
    if a.loudness_dbfs_median is not None and b.loudness_dbfs_median is not None:
        parts.append(
            (
                "loudness",
                b.loudness_dbfs_median - a.loudness_dbfs_median,
                s.patience_loudness_db,
                "dB",
            )
        )
    if a.wpm and b.wpm:
        parts.append(("pace", 100.0 * (b.wpm - a.wpm) / a.wpm, s.patience_wpm_pct, "%"))
    if not parts:
        return ItemResult(
            1.0,
            (Evidence(None, "trainee", figure="no voice figures to compare", effect="note"),),
            applicable=False,
        )
    losses, ev = [], []
    for what, value, limit, unit in parts:
        assert value is not None
        loss = min(1.0, max(0.0, value) / limit)
        losses.append(loss)
        ev.append(
            Evidence(
                None,
                "trainee",
                figure=f"{what} {value:+.1f} {unit} in {b.name} against {a.name}",
                effect="lost" if loss > 0.34 else "won",
            )
        )
    return ItemResult(1.0 - mean(losses), tuple(ev))


def _patience_interruptions(figs: Sequence[CallFigures], s: ScoringSettings) -> ItemResult:
    a, b = figs[0], figs[-1]
    rise = b.interruptions - a.interruptions
    counts = ", ".join(f"{f.name} {f.interruptions}" for f in figs)
    frac = 1.0 if rise <= 0 else max(0.0, 1.0 - s.interruption_penalty_frac * rise)
    return ItemResult(
        frac,
        (
            Evidence(
                None,
                "trainee",
                figure=f"interruptions per call: {counts}",
                effect="won" if rise <= 0 else "lost",
            ),
        ),
    )


def _patience_latency(figs: Sequence[CallFigures], s: ScoringSettings) -> ItemResult:
    a, b = figs[0], figs[-1]
    if a.response_latency_s_median is None or b.response_latency_s_median is None:
        return ItemResult(
            1.0,
            (Evidence(None, "trainee", figure="no response gaps to compare", effect="note"),),
            applicable=False,
        )
    rise = b.response_latency_s_median - a.response_latency_s_median
    frac = 1.0 - min(1.0, max(0.0, rise) / s.patience_latency_rise_s)
    return ItemResult(
        frac,
        (
            Evidence(
                None,
                "trainee",
                figure=f"median response {a.response_latency_s_median:.2f} s in {a.name}, "
                f"{b.response_latency_s_median:.2f} s in {b.name}",
                effect="won" if rise <= 0.25 * s.patience_latency_rise_s else "lost",
            ),
        ),
    )


_PATIENCE = {
    "patience_composure": _patience_composure,
    "patience_interruptions": _patience_interruptions,
    "patience_latency": _patience_latency,
}


def _session_summary(
    overall: float,
    figs: Sequence[CallFigures],
    patience: Sequence[ItemScore],
    weighting: str,
) -> str:
    n = len(figs)
    scores = ", ".join(f"{f.overall:.0f}" for f in figs)
    first = f"Session scored {overall:.0f}/100 over {n} calls (per call: {scores}; {weighting})."
    trend = figs[-1].overall - figs[0].overall
    second = (
        f"The last call (call {n}) scored {abs(trend):.0f} points "
        f"{'higher' if trend >= 0 else 'lower'} than the first."
    )
    flagged = [(i, f) for i, f in enumerate(figs, start=1) if f.warning]
    if flagged:
        second += " Check " + "; ".join(f"call {i}: {f.warning}" for i, f in flagged[:3]) + "."
    weak = [it for it in patience if it.applicable and it.score < 0.75 * it.max]
    if weak:
        third = f"Patience slipped on {weak[0].label.lower()}: {weak[0].tip.strip()}"
    else:
        third = f"Patience held: call {n} sounded as calm and attentive as call 1."
    return f"{first} {second} {third}"


def _patience_items(
    figs: Sequence[CallFigures], rubric: Rubric, settings: ScoringSettings
) -> list[ItemScore]:
    """The rubric's session items, the last call against the first (not applicable to one)."""
    out = []
    for item in rubric.session_items:
        if len(figs) < 2:
            note = Evidence(None, "trainee", figure="one call: nothing to compare", effect="note")
            res = ItemResult(1.0, (note,), applicable=False)
        else:
            res = _PATIENCE[item.id](figs, settings)
            res = replace(res, tip_note=f"This session: call {len(figs)} against call 1.")
        out.append(to_item_score(item, res))
    return out


def score_session(
    calls: Sequence[CallInputs],
    *,
    rubric: Rubric | None = None,
    settings: ScoringSettings | None = None,
    judge: Judge | None = None,
    scorecards: Sequence[Scorecard] | None = None,
    reports: Sequence[str | None] | None = None,
) -> SessionScorecard:
    """Score a back-to-back session given in call order.

    Parameters
    ----------
    calls : sequence of CallInputs
        The calls in the order they were taken (first to last).
    scorecards : sequence of Scorecard, optional
        Already-computed per-call scorecards (else they are computed here).
    reports : sequence of str, optional
        Relative links to each call's report, for the session report.

    Returns
    -------
    SessionScorecard
        ``overall`` blends the mean call score with the patience items
        (``settings.session_patience_share``).
    """
    if not calls:
        raise ScoringError("session: no calls to score")
    settings = settings or ScoringSettings()
    rubric = rubric or load_rubric()
    judge = judge or make_judge(settings)
    cards = (
        list(scorecards)
        if scorecards is not None
        else [score_inputs(c, rubric=rubric, settings=settings, judge=judge) for c in calls]
    )
    links = list(reports) if reports is not None else [None] * len(calls)
    figs = [call_figures(c, card, link) for c, card, link in zip(calls, cards, links, strict=True)]
    patience = _patience_items(figs, rubric, settings)
    calls_mean = mean(c.overall for c in cards)
    patience_score: float | None = None
    share = 0.0
    if any(it.applicable for it in patience):
        share = settings.session_patience_share
        patience_score = overall_of(patience)
        overall = (1.0 - share) * calls_mean + share * patience_score
    else:
        overall = calls_mean
    out = SessionScorecard(
        overall=overall,
        calls=tuple(figs),
        patience=tuple(patience),
        summary="",
        scorecards=tuple(cards),
        calls_share=1.0 - share,
        calls_mean=calls_mean,
        patience_score=patience_score,
    )
    return replace(out, summary=_session_summary(overall, figs, patience, out.weighting))


__all__ = ["call_figures", "score_session"]
