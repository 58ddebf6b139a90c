"""The rules judge: every rubric item scored offline from the analysis, transcript and events.

The language items read the trainee's utterances with the vocabulary the escalation director
uses during the call (:mod:`personas.phrases`, through :mod:`scoring.reading`), so a phrase that
moved the customer is the phrase that wins or loses the item. Each ``item_<id>`` function
returns the fraction of the item won (0-1), the evidence, and whether the item applies to this
call. ``RulesJudge`` turns those into ``ItemScore``s.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import median

from audio_analysis import Backchannel, Silence
from personas import call_log
from personas import phrases as vocab

from .case_note import NoteFact, Promise, check_note, note_fraction
from .inputs import CallInputs, Turn
from .reading import CoachPhrases, TurnReading, read_turn, thanks_outcome
from .rubric import LANGUAGE_ITEM_IDS, RubricItem
from .scorecard import Effect, Evidence, ItemScore, JudgedSilence
from .settings import FILLER_RECALL, FILLER_RECALL_MIN, ScoringSettings
from .transcript import Hit, Utterance, find, hit, time_at, utterances, words_of

_MAX_EVIDENCE = 10

#: What each trigger kind is, for the evidence line.
_TRIGGER_WHAT = {
    "calm_down": "telling them to calm down",
    "unfortunately": "leading with bad news",
    "per_policy": "hiding behind policy",
    "deflect": "deflecting",
    "flat_no": "a flat no with no alternative",
    "blame_customer": "blaming the customer",
    "hedge": "a hedge",
    "coach": "a phrase your coach flagged",
}


@dataclass(frozen=True)
class ItemResult:
    """What a check found: the fraction of the item won, evidence, and whether it applies.

    ``tip_note`` adds a call-specific sentence to the rubric's tip (the caller's own failure).
    """

    fraction: float
    evidence: tuple[Evidence, ...]
    applicable: bool = True
    tip_note: str | None = None


def mmss(t_s: float | None) -> str:
    """Format seconds as ``m:ss`` for evidence text."""
    if t_s is None:
        return "-"
    m, s = divmod(max(t_s, 0.0), 60.0)
    return f"{int(m)}:{int(s):02d}"


def _clip(text: str, n: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


@dataclass(frozen=True)
class _Read:
    """A trainee utterance and its reading."""

    u: Utterance
    r: TurnReading

    def at(self, offset: int) -> float:
        return self.u.time_at(offset)

    def quote(self, offset: int) -> str:
        return _clip(self.u.sentence_at(offset))


def _coach(item: RubricItem) -> CoachPhrases:
    return CoachPhrases.of({item.id: item.phrases}) if item.phrases else CoachPhrases()


def trainee_utterances(call: CallInputs, s: ScoringSettings) -> list[Utterance]:
    """The trainee's utterances (split VAD turns joined)."""
    return utterances(call.turns, "trainee", merge_s=s.utterance_merge_s)


def readings(call: CallInputs, s: ScoringSettings, item: RubricItem | None = None) -> list[_Read]:
    """Every trainee utterance read with the shared vocabulary, in time order."""
    coach = _coach(item) if item is not None else CoachPhrases()
    failure = call.persona_info.failure_keywords
    customer = call.turns_of("customer")
    out = []
    for u in trainee_utterances(call, s):
        heard = words_of(t for t in customer if t.start_s < u.start_s)
        out.append(_Read(u, read_turn(u.text, failure=failure, heard=heard, coach=coach)))
    return out


def _complaint(call: CallInputs, s: ScoringSettings) -> Turn | None:
    """The customer's complaint: their first turn long enough to say what went wrong ("Hello?"
    and "Hi" before it are not)."""
    customer = call.turns_of("customer")
    if not customer:
        return None
    return next((t for t in customer if len(t.text.split()) >= s.complaint_min_words), customer[0])


def _first_response(reads: Sequence[_Read], call: CallInputs, s: ScoringSettings) -> list[_Read]:
    """The trainee's first real reply to the customer's complaint."""
    complaint = _complaint(call, s)
    if complaint is None:
        return []
    replies = [
        x
        for x in reads
        if x.u.end_s > complaint.start_s
        and len(x.u.text.split()) > s.greeting_max_words
        # a boundary on abuse may come before the acknowledgement; the reply after it counts
        and not (x.r.boundary is not None and x.r.acknowledgement is None)
    ]
    return replies[: s.first_response_window]


def _words_near(call: CallInputs, speaker: str, t_s: float, span_s: float = 2.5) -> str:
    """What ``speaker`` said from ``t_s`` for ``span_s`` seconds (quote for an interruption)."""
    for turn in call.turns_of(speaker):
        if turn.start_s - 0.5 <= t_s <= turn.end_s + 0.5:
            if turn.word_times:
                ws = [w.word for w in turn.word_times if t_s - 0.3 <= w.start_s <= t_s + span_s]
                if ws:
                    return _clip(" ".join(ws))
            return _clip(turn.text, 80)
    return ""


# -- items ----------------------------------------------------------------------------------


def item_let_finish(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Interruptions of the customer by the trainee (backchannels do not count)."""
    cuts = [i for i in call.interruptions if i.by == "trainee" and i.of == "customer"]
    ev: list[Evidence] = []
    for cut in cuts[:_MAX_EVIDENCE]:
        said = _words_near(call, "trainee", cut.start_s)
        ev.append(
            Evidence(
                cut.start_s,
                "trainee",
                quote=said or None,
                figure=f"interrupted the customer at {mmss(cut.start_s)} "
                f"(talked over them for {cut.overlap_s:.1f} s)",
                effect="lost",
            )
        )
    if not cuts:
        bc = sum(1 for b in call.backchannels if b.by == "trainee")
        extra = f"; {bc} short listening cue(s) kept them talking" if bc else ""
        ev.append(
            Evidence(None, "trainee", figure=f"never talked over the customer{extra}", effect="won")
        )
    return ItemResult(max(0.0, 1.0 - s.interruption_penalty_frac * len(cuts)), tuple(ev))


def item_acknowledge(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """The first real reply names the customer's specific failure, with an acknowledgement."""
    failure = call.persona_info.failure
    note = f"This call: {failure.rstrip('.')}." if failure else None
    first = _first_response(readings(call, s, item), call, s)
    if not first:
        ev = Evidence(None, "trainee", figure="no reply to the customer's complaint", effect="lost")
        return ItemResult(0.0, (ev,), tip_note=note)
    x = first[0]
    ack = x.r.acknowledgement
    if ack is not None and ack.specific:
        return ItemResult(
            1.0,
            (
                Evidence(
                    x.at(ack.phrase.start),
                    "trainee",
                    quote=x.quote(ack.phrase.start),
                    figure=f"acknowledged and named the problem ({', '.join(ack.named[:4])})",
                    effect="won",
                ),
            ),
        )
    if ack is not None:
        return ItemResult(
            0.5,
            (
                Evidence(
                    x.at(ack.phrase.start),
                    "trainee",
                    quote=x.quote(ack.phrase.start),
                    figure="acknowledged the feelings but not the specific failure",
                    effect="lost",
                ),
            ),
            tip_note=note,
        )
    return ItemResult(
        0.0,
        (
            Evidence(
                x.u.start_s,
                "trainee",
                quote=_clip(x.u.text),
                figure="first reply did not acknowledge what went wrong",
                effect="lost",
            ),
        ),
        tip_note=note,
    )


def item_diagnose(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """At least one diagnostic question before any fix, discount or apology-only answer."""
    reads = readings(call, s, item)
    asked = [(x, q) for x in reads for q in x.r.questions]
    q_t = None
    if asked:
        x_q, q = asked[0]
        q_t = x_q.at(q.start)
    for x in reads:
        if x.r.fix is None:
            continue
        fix_t = x.at(x.r.fix.start)
        if q_t is None or fix_t < q_t:
            return ItemResult(
                0.0,
                (
                    Evidence(
                        fix_t,
                        "trainee",
                        quote=x.quote(x.r.fix.start),
                        figure=f"offered a fix ('{x.r.fix.text}') before asking what happened",
                        effect="lost",
                    ),
                ),
            )
        break
    if not asked:
        return ItemResult(
            0.0, (Evidence(None, "trainee", figure="asked no diagnostic question", effect="lost"),)
        )
    x_q, q = asked[0]
    before = [
        x
        for x in reads
        if x.u.end_s <= x_q.u.start_s
        and len(x.u.text.split()) > s.greeting_max_words
        and x.r.apology is not None
    ]
    won = Evidence(
        q_t,
        "trainee",
        quote=_clip(q.text),
        figure=f"asked before answering (first question at {mmss(q_t)})",
        effect="won",
    )
    if len(before) >= 2:
        lost = Evidence(
            before[0].u.start_s,
            "trainee",
            quote=_clip(before[0].u.text),
            figure=f"apologised {len(before)} times before asking anything",
            effect="lost",
        )
        return ItemResult(0.5, (lost, won))
    return ItemResult(1.0, (won,))


def item_restate(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """The trainee says the problem back in the customer's terms (and lets them correct it)."""
    best: tuple[tuple[bool, bool, int], Evidence] | None = None
    for x in readings(call, s, item):
        r = x.r.restatement
        if r is None:
            continue
        if r.full:
            fig = f"restated the problem ({', '.join(r.details[:4])})"
        else:
            fig = "partly restated (a cue without the details, or details without checking back)"
        e = Evidence(
            x.at(r.sentence.start),
            "trainee",
            quote=_clip(r.sentence.text),
            figure=fig,
            effect="won" if r.full else "lost",
        )
        rank = (r.full, r.cue, len(r.details))
        if best is None or rank > best[0]:
            best = (rank, e)
        if r.full:
            break
    if best is None:
        ev = Evidence(
            None, "trainee", figure="never restated the customer's problem", effect="lost"
        )
        return ItemResult(0.0, (ev,))
    return ItemResult(1.0 if best[0][0] else 0.5, (best[1],))


def item_next_step(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """A concrete next step: an owner ("I will") and a time in the same sentence; vague
    timelines ("sometime soon", "we're looking into it") cost a quarter each."""
    concrete: Evidence | None = None
    partial: Evidence | None = None
    vague: list[Evidence] = []
    unowned: Evidence | None = None
    for x in readings(call, s, item):
        st = x.r.step
        if st is not None and st.concrete and concrete is None:
            assert st.owner is not None and st.time is not None
            concrete = Evidence(
                x.at(st.sentence.start),
                "trainee",
                quote=_clip(st.sentence.text),
                figure=f"owner and time: '{st.owner.text}' ... '{st.time.text}'",
                effect="won",
            )
        elif st is not None and not st.concrete and partial is None:
            what = "a time but no owner" if st.time else "an owner but no time"
            partial = Evidence(
                x.at(st.sentence.start),
                "trainee",
                quote=_clip(st.sentence.text),
                figure=f"next step with {what}",
                effect="lost",
            )
        if x.r.vague is not None:
            vague.append(
                Evidence(
                    x.at(x.r.vague.start),
                    "trainee",
                    quote=x.quote(x.r.vague.start),
                    figure=f"vague timeline ('{x.r.vague.text}') instead of a time",
                    effect="lost",
                )
            )
        we = next((d for d in x.r.deflections if d.kind == "we_they"), None)
        if unowned is None and we is not None:
            unowned = Evidence(
                x.at(we.start),
                "trainee",
                quote=x.quote(we.start),
                figure="vague next step: no one named, no time",
                effect="lost",
            )
    penalty = 0.25 * len(vague)
    if concrete is not None:
        return ItemResult(max(0.5, 1.0 - penalty), (concrete, *vague[:3]))
    if partial is not None:
        return ItemResult(max(0.0, 0.5 - penalty), (partial, *vague[:3]))
    if vague:
        return ItemResult(0.0, tuple(vague[:3]))
    ev = unowned or Evidence(None, "trainee", figure="no next step committed to", effect="lost")
    return ItemResult(0.0, (ev,))


def item_no_triggers(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Trigger and hedge phrases: calm down, unfortunately, policy, deflections, flat noes,
    blaming the customer, hedges ("I don't know" followed by how you will find out is fine)."""
    counted = [(x, p) for x in readings(call, s, item) for p in x.r.triggers]
    if not counted:
        return ItemResult(
            1.0, (Evidence(None, "trainee", figure="no trigger or hedge phrases", effect="won"),)
        )
    ev = tuple(
        Evidence(
            x.at(p.start),
            "trainee",
            quote=p.text,
            figure=f"said '{p.text}' at {mmss(x.at(p.start))} ({_TRIGGER_WHAT[p.kind]})",
            effect="lost",
        )
        for x, p in counted[:_MAX_EVIDENCE]
    )
    return ItemResult(max(0.0, 1.0 - s.trigger_penalty_frac * len(counted)), ev)


def item_ownership(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Share of "I will / let me" commitments against "we / they will" and blame put on others
    ("that's the warehouse's fault"), which counts double."""
    reads = readings(call, s, item)
    own = [(x, p) for x in reads for p in x.r.owners]
    away = [(x, p) for x in reads for p in x.r.deflections]
    if not own and not away:
        none = Evidence(
            None, "trainee", figure="neither 'I will' nor 'we' commitments", effect="lost"
        )
        return ItemResult(0.5, (none,))
    weight = sum(2 if p.kind == "blame_other" else 1 for _, p in away)
    frac = len(own) / (len(own) + weight)
    blamed = sum(1 for _, p in away if p.kind == "blame_other")
    also = f"; blamed someone else {blamed} time(s)" if blamed else ""
    ev = [
        Evidence(
            None,
            "trainee",
            figure=f"{len(own)} 'I' commitment(s) against {len(away) - blamed} 'we/they'{also}",
            effect="won" if frac >= 0.75 else "lost",
        )
    ]
    ev += [Evidence(x.at(p.start), "trainee", quote=p.text, effect="won") for x, p in own[:3]]
    ev += [
        Evidence(
            x.at(p.start),
            "trainee",
            quote=p.text,
            figure="blamed someone else" if p.kind == "blame_other" else None,
            effect="lost",
        )
        for x, p in away[:3]
    ]
    return ItemResult(frac, tuple(ev))


def item_boundary(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """With an abusive caller: a respectful boundary, a warning before ending the call; never
    retaliate."""
    reads = readings(call, s, item)
    retaliation = [(x, p) for x in reads for p in x.r.retaliation]
    if retaliation:
        return ItemResult(
            0.0,
            tuple(
                Evidence(
                    x.at(p.start),
                    "trainee",
                    quote=p.text,
                    figure="retaliated against the customer",
                    effect="lost",
                )
                for x, p in retaliation[:3]
            ),
        )
    abuse = find(vocab.ABUSE, utterances(call.turns, "customer", merge_s=s.utterance_merge_s))
    abusive_events = [
        e for e in call.intensity if re.search(r"abus|insult|profan|swear", e.reason, re.I)
    ]
    if not (abuse or abusive_events or call.persona_info.abusive):
        note = Evidence(None, "customer", figure="no abusive language in this call", effect="note")
        return ItemResult(1.0, (note,), applicable=False)
    ev: list[Evidence] = []
    if abuse:
        fig = "abusive language from the customer"
        ev.append(Evidence(abuse[0].start_s, "customer", quote=abuse[0].quote, figure=fig))
    frac, said = _boundary_set(call, reads)
    return ItemResult(frac, (*ev, said))


def _boundary_set(call: CallInputs, reads: Sequence[_Read]) -> tuple[float, Evidence]:
    """How the trainee met abuse: a warning before ending the call (1) or none (0), else a
    boundary set (1) or the abuse left unaddressed (0.5)."""
    warned = [(x, x.r.boundary) for x in reads if x.r.boundary is not None]
    end = next((h for h in call.hangups if h.by == "trainee"), None)
    if end is not None:
        first = next(((x, p) for x, p in warned if x.at(p.start) < end.t_s), None)
        if first is None:
            fig = "ended the call without a warning"
            return 0.0, Evidence(end.t_s, "trainee", figure=fig, effect="lost")
        x, p = first
        fig = "warned before ending the call"
        return 1.0, Evidence(
            x.at(p.start), "trainee", quote=x.quote(p.start), figure=fig, effect="won"
        )
    if warned:
        x, p = warned[0]
        fig = "set a respectful boundary"
        return 1.0, Evidence(
            x.at(p.start), "trainee", quote=x.quote(p.start), figure=fig, effect="won"
        )
    fig = "abuse went unaddressed (no boundary set)"
    return 0.5, Evidence(None, "trainee", figure=fig, effect="lost")


def _peak_turn(call: CallInputs, what: str) -> Turn | None:
    """The trainee turn in the last third of the call's trainee turns where ``what`` peaks."""
    turns = call.turns_of("trainee")
    last = turns[-max(1, len(turns) // 3) :]

    def value(t: Turn) -> float | None:
        return {"pitch": t.pitch_hz_median, "loudness": t.loudness_dbfs, "pace": t.wpm}[what]

    scored = [(v, t) for t in last if (v := value(t)) is not None]
    return max(scored, key=lambda vt: vt[0])[1] if scored else None


def _drift_checks(call: CallInputs, s: ScoringSettings) -> tuple[int, int, list[Evidence]]:
    """The trainee's pitch, loudness and pace drift against their limits: how many were
    measured, how many rose past their limit, and a line of evidence for each."""
    d = call.drift["trainee"]
    checks = (
        ("pitch", d.pitch_st, s.composure_pitch_rise_st, "semitones"),
        ("loudness", d.loudness_db, s.composure_loudness_rise_db, "dB"),
        ("pace", d.wpm_pct, s.composure_wpm_rise_pct, "%"),
    )
    measured, rose = 0, 0
    ev: list[Evidence] = []
    for what, value, limit, unit in checks:
        if value is None:
            continue
        measured += 1
        sign = "+" if value >= 0 else ""
        fig = f"{what} {sign}{value:.1f} {unit} from the first third of your turns to the last"
        if value > limit:
            rose += 1
            peak = _peak_turn(call, what)
            at = None if peak is None else peak.start_s
            where = "" if peak is None else f"; highest at {mmss(peak.start_s)}"
            ev.append(Evidence(at, "trainee", figure=f"{fig} (rising{where})", effect="lost"))
        else:
            ev.append(Evidence(None, "trainee", figure=f"{fig} (steady)", effect="won"))
    return measured, rose, ev


def _mirroring(call: CallInputs, s: ScoringSettings) -> tuple[int, list[Evidence]]:
    """How often the customer got loud and the trainee's next turn got loud with them (dB over
    each speaker's median turn), with evidence for the first three."""
    cust = [t for t in call.turns_of("customer") if t.loudness_dbfs is not None]
    train = [t for t in call.turns_of("trainee") if t.loudness_dbfs is not None]
    if len(cust) < 2 or len(train) < 2:
        return 0, []
    c_med = median(t.loudness_dbfs for t in cust if t.loudness_dbfs is not None)
    t_med = median(t.loudness_dbfs for t in train if t.loudness_dbfs is not None)
    mirrored = 0
    ev: list[Evidence] = []
    for c in cust:
        assert c.loudness_dbfs is not None
        if c.loudness_dbfs - c_med < s.mirroring_customer_rise_db:
            continue
        nxt = next((t for t in train if t.start_s >= c.start_s), None)
        if nxt is None or nxt.loudness_dbfs is None:
            continue
        rise = nxt.loudness_dbfs - t_med
        if rise < s.mirroring_trainee_rise_db:
            continue
        mirrored += 1
        if mirrored <= 3:
            ev.append(
                Evidence(
                    nxt.start_s,
                    "trainee",
                    quote=_clip(nxt.text, 80),
                    figure=f"matched the customer's volume: {rise:+.1f} dB over "
                    f"your usual level right after they got loud",
                    effect="lost",
                )
            )
    return mirrored, ev


def item_composure(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Trainee pitch, loudness and pace steady or calming; no mirroring of a louder customer.
    Each drift past its limit and each mirrored turn loses a third."""
    measured, rose, ev = _drift_checks(call, s)
    mirrored, mirror_ev = _mirroring(call, s)
    ev += mirror_ev
    if measured == 0 and mirrored == 0:
        note = Evidence(None, "trainee", figure="no pitch, loudness or pace figures", effect="note")
        return ItemResult(1.0, (note,), applicable=False)
    cd = call.drift["customer"].loudness_db
    if cd is not None and cd > s.composure_loudness_rise_db and rose + mirrored == 0:
        fig = f"customer got {cd:.1f} dB louder; you held steady"
        ev.append(Evidence(None, "customer", figure=fig, effect="won"))
    return ItemResult(max(0.0, 1.0 - (rose + mirrored) / 3.0), tuple(ev))


def _trainee_owes(call: CallInputs, silence: Silence) -> bool:
    """Whether a silence is the trainee's to break.

    The analysis says so for the customer's turn ended and the trainee spoke next
    (:attr:`audio_analysis.Silence.is_dead_air`); words tell the rest: a silence after the
    trainee put the customer on hold is the trainee's, and so is one the customer breaks by
    checking the line ("Hello? Are you still there?"). Any other silence is the customer's (a
    pressure pause, the customer thinking or pausing mid-turn)."""
    end_s = silence.start_s + silence.duration_s
    if silence.to_speaker == "customer":
        after = next((t for t in call.turns_of("customer") if t.start_s >= end_s - 0.3), None)
        return after is not None and bool(vocab.LINE_CHECK.search(vocab.normalise(after.text)))
    if silence.is_dead_air:
        return True
    if silence.from_speaker != "trainee":
        return False
    last = max(
        (t for t in call.turns_of("trainee") if t.end_s <= silence.start_s + 0.3),
        key=lambda t: t.end_s,
        default=None,
    )
    return last is not None and vocab.hold_notice(last.text) is not None


@dataclass(frozen=True)
class SilenceVerdict(JudgedSilence):
    """A silence as judged (see :class:`~scoring.scorecard.JudgedSilence` for the verdicts),
    with the hold notice that covered it, if one did."""

    notice: Hit | None = None


def dead_air_verdicts(call: CallInputs, s: ScoringSettings) -> list[SilenceVerdict]:
    """Every long silence of the call with the verdict the director gave it.

    For a call voice-sim recorded, dead air is what the customer noticed and spoke up in
    (``silence`` events: the persona's patience, never under the dead-air threshold). For any
    other recording, the same rule with the threshold for patience
    (:func:`personas.phrases.is_dead_air`): the trainee owes the silence and it is longer than
    ``dead_air_s``, or than ``hold_max_s`` after a hold notice. The analysis's silences say who
    spoke either side; only what words and the call's events tell is decided here.
    """
    out = [
        SilenceVerdict(
            e.start_s, e.silence_s, "dead_air" if e.kind == "dead_air" else "hold_overrun"
        )
        for e in call.noticed_silences
    ]
    trainee = trainee_utterances(call, s)
    for gap in call.silences:
        end_s = gap.start_s + gap.duration_s
        if gap.duration_s <= call.dead_air_s or any(
            gap.start_s - 0.5 <= e.t_s <= end_s + 0.5 for e in call.noticed_silences
        ):
            continue
        if any(
            p.start_s - 0.5 <= gap.start_s <= p.start_s + p.duration_s for p in call.pressure_pauses
        ):
            out.append(SilenceVerdict(gap.start_s, gap.duration_s, "pressure"))
            continue
        if not _trainee_owes(call, gap):
            out.append(SilenceVerdict(gap.start_s, gap.duration_s, "theirs"))
            continue
        last = max(
            (u for u in trainee if u.start_s < gap.start_s + 0.25),
            key=lambda u: u.end_s,
            default=None,
        )
        notice = vocab.hold_notice(last.text) if last is not None else None
        h = hit(last, notice) if last is not None and notice is not None else None
        if call.ours:
            verdict = "held" if h is not None else "patient"
        else:
            dead = vocab.is_dead_air(
                gap.duration_s,
                held=h is not None,
                dead_air_s=call.dead_air_s,
                hold_max_s=call.hold_max_s,
            )
            verdict = "dead_air" if dead else "held"
        out.append(SilenceVerdict(gap.start_s, gap.duration_s, verdict, h))
    return sorted(out, key=lambda v: v.start_s)


def judged_silences(call: CallInputs, s: ScoringSettings) -> tuple[JudgedSilence, ...]:
    """The call's silences as the scorecard keeps them (:func:`dead_air_verdicts`)."""
    return tuple(
        JudgedSilence(v.start_s, v.duration_s, v.verdict) for v in dead_air_verdicts(call, s)
    )


def _calm_pace(call: CallInputs, s: ScoringSettings) -> tuple[float, list[Evidence]]:
    """The pace half: the whole call's words per minute against the calm band, less a share
    per rushed turn."""
    ev: list[Evidence] = []
    frac = 1.0
    wpm = call.speakers["trainee"].wpm
    if wpm is not None and wpm > 0:
        band = f"calm is {s.calm_wpm_low:.0f}-{s.calm_wpm_high:.0f}"
        if s.calm_wpm_low <= wpm <= s.calm_wpm_high:
            ev.append(
                Evidence(
                    None, "trainee", figure=f"{wpm:.0f} words per minute ({band})", effect="won"
                )
            )
        else:
            off = wpm - s.calm_wpm_high if wpm > s.calm_wpm_high else s.calm_wpm_low - wpm
            frac = max(0.0, 1.0 - off / s.pace_zero_beyond_wpm)
            how = "too fast" if wpm > s.calm_wpm_high else "very slow"
            fig = f"{wpm:.0f} words per minute ({how}; {band})"
            ev.append(Evidence(None, "trainee", figure=fig, effect="lost"))
    for t in call.turns_of("trainee"):
        if t.words >= s.rushed_turn_min_words and t.wpm is not None and t.wpm > s.rushed_turn_wpm:
            fig = f"rushed turn at {t.wpm:.0f} words per minute"
            ev.append(
                Evidence(t.start_s, "trainee", quote=_clip(t.text, 80), figure=fig, effect="lost")
            )
            frac = max(0.0, frac - s.rushed_turn_penalty_frac)
    return frac, ev


#: How each kind of silence is told to the trainee (verdict -> words, evidence effect).
_SILENCE_WORDS: dict[str, tuple[str, Effect]] = {
    "pressure": ("pressure pause: the customer's own silence (not dead air)", "note"),
    "theirs": ("pause after your words (the customer's to break; not dead air)", "note"),
    "patient": ("before you answered; the customer waited without noticing (not dead air)", "note"),
    "hold_overrun": ("of a hold that ran past what the notice bought", "lost"),
    "dead_air": ("of unexplained dead air", "lost"),
}


def _silence_evidence(v: SilenceVerdict) -> Evidence:
    if v.verdict == "held":
        assert v.notice is not None
        return Evidence(
            v.notice.start_s,
            "trainee",
            quote=_clip(v.notice.sentence),
            figure=f"{v.duration_s:.1f} s silence announced with a hold notice",
            effect="won",
        )
    words, effect = _SILENCE_WORDS[v.verdict]
    who = "customer" if v.verdict in ("pressure", "theirs") else "call"
    at = f" at {mmss(v.start_s)}" if effect == "lost" else ""
    return Evidence(v.start_s, who, figure=f"{v.duration_s:.1f} s {words}{at}", effect=effect)


def item_pace(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Half for a calm overall pace, half for dead air that was announced with a hold notice."""
    pace_frac, ev = _calm_pace(call, s)
    verdicts = dead_air_verdicts(call, s)
    ev += [_silence_evidence(v) for v in verdicts]
    unexplained = sum(1 for v in verdicts if v.dead)
    if not verdicts:
        ev.append(Evidence(None, "call", figure="no dead air", effect="won"))
    return ItemResult(0.5 * pace_frac + 0.5 * max(0.0, 1.0 - 0.5 * unexplained), tuple(ev))


def item_outcome(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Customer intensity at the end against the start (persona events), else loudness drift."""
    start = call.start_intensity
    if start is not None:
        return _outcome_by_intensity(call, start, s)
    cd = call.drift["customer"].loudness_db
    if cd is None:
        note = Evidence(
            None, "customer", figure="no intensity events or customer figures", effect="note"
        )
        return ItemResult(1.0, (note,), applicable=False)
    frac = min(1.0, max(0.0, 0.5 - 0.5 * cd / s.outcome_full_loudness_db))
    fig = (
        f"customer loudness {cd:+.1f} dB from the start of the call to the end "
        "(no persona events; loudness used instead)"
    )
    return ItemResult(
        frac, (Evidence(None, "customer", figure=fig, effect="won" if cd < 0 else "lost"),)
    )


def _outcome_by_intensity(call: CallInputs, start: float, s: ScoringSettings) -> ItemResult:
    """Half the item at no change, the whole of it for a drop of ``outcome_full_drop_levels``;
    nothing when the customer hung up without calming."""
    last = call.intensity[-1]
    drop = start - last.level
    frac = min(1.0, max(0.0, 0.5 + 0.5 * drop / s.outcome_full_drop_levels))
    ev = [
        Evidence(
            last.t_s,
            "customer",
            figure=f"customer intensity {start:g} -> {last.level:g} (0-10 scale); "
            f"call ended: {call.end.label}",
            effect="won" if drop > 0 else "lost",
        )
    ]
    peaks = [e for e in call.intensity if e.previous is not None and e.level > e.previous]
    for e in peaks[:3]:
        reason = f": {e.reason}" if e.reason else ""
        fig = f"intensity rose to {e.level:g}{reason}"
        ev.append(Evidence(e.t_s, "customer", figure=fig, effect="lost"))
    hung = [
        h
        for h in call.hangups
        if h.by == "customer" and not h.reason.startswith(("resolved", "transferred"))
    ]
    if hung and drop <= 0:
        frac = 0.0
        fig = f"customer hung up ({hung[0].reason or 'no reason given'})"
        ev.append(Evidence(hung[0].t_s, "customer", figure=fig, effect="lost"))
    return ItemResult(frac, tuple(ev))


# -- after-call work, listening, pace matching and thanks (issue 14) ------------------------


def _promises(call: CallInputs, s: ScoringSettings) -> list[Promise]:
    """The next steps the trainee gave with a time (committed: with an owner too)."""
    out = []
    for u in trainee_utterances(call, s):
        for sent in vocab.sentences(u.text):
            if vocab.concrete_time(sent.text) is None:
                continue
            st = vocab.next_step(sent.text)
            owner = st.owner.text if st is not None and st.owner is not None else ""
            done = bool(re.match(r"i(?:'ve| have|'m| am)\b", vocab.normalise(owner)))
            times = "; ".join(
                sent.text[m.start() : m.end()]
                for m in vocab.CONCRETE_TIME.finditer(vocab.normalise(sent.text))
            )
            committed = st is not None and st.concrete
            out.append(Promise(_clip(sent.text), times, done, u.time_at(sent.start), committed))
    return out


def _accepted(call: CallInputs, s: ScoringSettings) -> bool | None:
    """Whether the customer accepted what was offered, as far as the call shows."""
    label, level = call.end.label, call.end.final_intensity
    if label == "resolved":
        return True
    if label == "customer hung up":
        return False
    if level is None:
        return None
    if level >= s.still_angry_level:
        return False
    return True if level <= s.accepted_level else None


def _persona_facts(call: CallInputs) -> list[str]:
    """The library persona's account facts and must-ask answers (references the trainee may
    have looked up rather than heard)."""
    from personas import get_persona, persona_ids

    pid = call.persona_info.id
    if not pid or pid not in persona_ids():
        return []
    facts = get_persona(pid).facts
    return [*facts.account.values(), *(m.answer for m in facts.must_ask)]


def case_note_facts(call: CallInputs, note: str, s: ScoringSettings) -> list[NoteFact]:
    """What ``note`` does with each fact of ``call``: found, missed or contradicted."""
    complaint = _complaint(call, s)
    return check_note(
        note,
        customer_words=[t.text for t in call.turns_of("customer")],
        known=_persona_facts(call),
        failure=call.persona_info.failure_keywords,
        complaint=vocab.content_words(complaint.text) if complaint else set(),
        promises=_promises(call, s),
        outcome=call.end.label if call.ours else None,
        accepted=_accepted(call, s) if call.ours else None,
    )


def item_case_note(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """The note for the next agent carries the reference, the failure, the promise (who, what,
    by when) and where the customer stands, and contradicts nothing that happened."""
    if call.case_note is None:
        if not call.ours:
            note = Evidence(
                None, "trainee", figure="no case note (a recording from outside voice-sim)"
            )
            return ItemResult(1.0, (note,), applicable=False)
        lost = Evidence(
            None, "trainee", figure="no case note written after the call", effect="lost"
        )
        return ItemResult(0.0, (lost,))
    facts = case_note_facts(call, call.case_note, s)
    ev: list[Evidence] = []
    for f in facts:
        if f.contradiction:
            ev.append(
                Evidence(
                    None,
                    "trainee",
                    figure=f"contradicts the call: {f.contradiction}",
                    effect="lost",
                )
            )
        elif f.found:
            ev.append(
                Evidence(
                    None,
                    "trainee",
                    quote=None,
                    figure=f'note carries the {f.what} ("{f.found}")',
                    effect="won",
                )
            )
        else:
            ev.append(
                Evidence(
                    None, "trainee", figure=f"note misses the {f.what}: {f.expected}", effect="lost"
                )
            )
    return ItemResult(note_fraction(facts), tuple(ev))


@dataclass(frozen=True)
class Listened:
    """One long customer turn and how the trainee listened through it.

    ``nods`` are the trainee's verbal nods inside it (sounds that tried to take the turn are
    left out); ``longest_quiet_s`` the longest stretch of the turn without one (the whole turn
    when there is none); ``confirm`` the time and words with which the reply confirmed what was
    heard, if it did.
    """

    turn: Turn
    nods: tuple[tuple[Backchannel, str], ...]
    longest_quiet_s: float
    nod_credit: float
    confirm: tuple[float, str] | None

    @property
    def nods_outcome(self) -> str:
        """``enough``, ``too_few`` or ``none`` (the labelled set's names)."""
        if not self.nods:
            return "none"
        return "enough" if self.nod_credit >= 1.0 else "too_few"


def _longest_quiet(turn: Turn, nods: Sequence[Backchannel]) -> float:
    """The longest stretch of ``turn`` with no nod in it, seconds."""
    edges = [turn.start_s, *sorted(b.start_s for b in nods), turn.end_s]
    return max(b - a for a, b in itertools.pairwise(edges))


def _confirmation(x: _Read) -> tuple[float, str] | None:
    """How the reply opens by confirming what was heard: a confirming phrase in its first
    sentence ("I see.", "Got it, ...") or the problem said back in its first two."""
    sents = vocab.sentences(x.u.text)
    if not sents:
        return None
    said = vocab.CONFIRMING.search(vocab.normalise(sents[0].text))
    if said is not None:
        at = sents[0].start + said.start()
        return x.at(at), x.u.text[at : sents[0].start + said.end()]
    r = x.r.restatement
    if r is not None and r.sentence.start <= sents[min(1, len(sents) - 1)].start:
        return x.at(r.sentence.start), _clip(r.sentence.text)
    return None


def listening(call: CallInputs, s: ScoringSettings) -> list[Listened]:
    """Every customer turn of at least ``long_customer_turn_s``: the trainee's nods in it and
    how the reply after it opened."""
    nods = [
        (b, call.backchannel_text[i] if i < len(call.backchannel_text) else "")
        for i, b in enumerate(call.backchannels)
        if b.by == "trainee"
    ]
    nods = [(b, w) for b, w in nods if vocab.listening_cue(w)]
    reads = readings(call, s)
    out = []
    for t in call.turns_of("customer"):
        if t.end_s - t.start_s < s.long_customer_turn_s:
            continue
        inside = tuple((b, w) for b, w in nods if t.start_s <= b.start_s <= t.end_s)
        quiet = _longest_quiet(t, [b for b, _ in inside])
        credit = min(1.0, s.nod_gap_max_s / quiet) if inside and quiet > 0 else float(bool(inside))
        reply = next((x for x in reads if x.u.start_s >= t.end_s - 0.3), None)
        confirm = _confirmation(reply) if reply is not None else None
        out.append(Listened(t, inside, quiet, credit, confirm))
    return out


def item_active_listening(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Verbal nods while the customer talks at length (no stretch of more than
    ``nod_gap_max_s`` without one; more nods earn nothing more) and a reply that opens by
    confirming what was heard."""
    heard = listening(call, s)
    if not heard:
        note = Evidence(
            None, "customer", figure="the customer never spoke at length", effect="note"
        )
        return ItemResult(1.0, (note,), applicable=False)
    ev: list[Evidence] = []
    for x in heard:
        t = x.turn
        dur = t.end_s - t.start_s
        words = ", ".join(f'"{w}"' for _, w in x.nods[:3] if w)
        if x.nods:
            gap = (
                f"never more than {x.longest_quiet_s:.0f} s without one"
                if x.nod_credit >= 1.0
                else f"then {x.longest_quiet_s:.0f} s without one (up to "
                f"{s.nod_gap_max_s:.0f} s reads as listening)"
            )
            ev.append(
                Evidence(
                    x.nods[0][0].start_s,
                    "trainee",
                    figure=f"{len(x.nods)} nod(s) {words} during the customer's {dur:.0f} s turn "
                    f"at {mmss(t.start_s)}, {gap}",
                    effect="won" if x.nod_credit >= 1.0 else "lost",
                )
            )
        else:
            ev.append(
                Evidence(
                    t.start_s,
                    "customer",
                    figure=f"silent through the customer's {dur:.0f} s turn at {mmss(t.start_s)}",
                    effect="lost",
                )
            )
        if x.confirm is not None:
            ev.append(
                Evidence(
                    x.confirm[0],
                    "trainee",
                    quote=x.confirm[1],
                    figure="confirmed what you heard before answering",
                    effect="won",
                )
            )
    n = len(heard)
    nod_credit = sum(x.nod_credit for x in heard)
    confirm_credit = sum(1.0 for x in heard if x.confirm is not None)
    return ItemResult(0.5 * nod_credit / n + 0.5 * confirm_credit / n, tuple(ev))


#: Archetypes whose callers are agitated: the trainee should speak slower than they do.
_AGITATED = frozenset({"angry", "abusive", "impatient"})


@dataclass(frozen=True)
class PacedTurn:
    """One trainee turn's pace against the caller's pace just before it, wpm."""

    turn: Turn
    you_wpm: float
    them_wpm: float
    target_wpm: float
    floor_wpm: float | None
    fraction: float

    @property
    def verdict(self) -> str:
        """``too_fast``, ``too_slow`` or ``matched``."""
        if self.you_wpm > self.target_wpm:
            return "too_fast"
        if self.floor_wpm is not None and self.you_wpm < self.floor_wpm:
            return "too_slow"
        return "matched"


@dataclass(frozen=True)
class PaceMatch:
    """The trainee's pace against the caller's over the call: the fraction of the item won,
    the verdict (``matched``, ``too_fast`` or ``too_slow``) and the turns behind it."""

    fraction: float
    verdict: str
    turns: tuple[PacedTurn, ...]
    you_wpm: float
    them_wpm: float
    why: str


def _pace_target(
    arch: str | None, them: float, s: ScoringSettings
) -> tuple[float, float | None, str]:
    """The fastest and slowest pace that matches a caller at ``them`` wpm, and why."""
    if arch == "confused":
        target = min(them + s.pace_match_slack_wpm, s.confused_wpm_max)
        return target, None, "a confused caller: unhurried and clear"
    cap = min(them + s.pace_match_slack_wpm, s.calm_wpm_high)
    if arch == "impatient":
        floor = min(them - s.pace_too_slow_gap_wpm, s.impatient_wpm_min)
        return cap, floor, "an impatient caller: brisk, a little slower"
    if arch in _AGITATED:
        return cap, None, f"an {arch} caller: no faster than them, calm"
    return cap, None, "close to the caller's own pace"


def _paced_turn(
    t: Turn, you: float, them: float, arch: str | None, s: ScoringSettings
) -> PacedTurn:
    """One trainee turn at ``you`` wpm after a caller at ``them``: its share of the item."""
    target, floor, _ = _pace_target(arch, them, s)
    off = (
        you - target if you > target else (floor - you if floor is not None and you < floor else 0)
    )
    frac = max(0.0, 1.0 - off / s.pace_match_zero_beyond_wpm)
    return PacedTurn(t, you, them, target, floor, frac)


def _paced_turns(call: CallInputs, s: ScoringSettings) -> list[PacedTurn]:
    """Each trainee turn long enough for a pace against the customer's last such turn before
    it (the customer's whole-call pace when there is none); the whole call's figures as one
    turn when no trainee turn is long enough."""
    you_all, them_all = call.speakers["trainee"].wpm or 0.0, call.speakers["customer"].wpm or 0.0
    arch = call.persona_info.archetype
    enough = s.rushed_turn_min_words
    customer = [t for t in call.turns_of("customer") if t.wpm and t.words >= enough]
    paced = []
    for t in call.turns_of("trainee"):
        if t.wpm and t.words >= enough:
            before = [c.wpm for c in customer if c.start_s < t.start_s]
            them = before[-1] if before and before[-1] else them_all
            paced.append(_paced_turn(t, t.wpm, them, arch, s))
    if paced:
        return paced
    whole = Turn(
        speaker="trainee",
        start_s=0.0,
        end_s=0.0,
        text="",
        words=call.speakers["trainee"].words,
        word_times=(),
        wpm=you_all,
        pitch_hz_median=None,
        loudness_dbfs=None,
    )
    return [_paced_turn(whole, you_all, them_all, arch, s)]


def pace_match(call: CallInputs, s: ScoringSettings) -> PaceMatch | None:
    """How the trainee's pace matched the caller's, turn by turn (weighted by words): matched
    from ``pace_match_ok_frac`` of the item, else too fast or too slow as most words were;
    None without both speakers' paces."""
    you_all, them_all = call.speakers["trainee"].wpm, call.speakers["customer"].wpm
    if not you_all or not them_all:
        return None
    paced = _paced_turns(call, s)
    words = [max(1, p.turn.words) for p in paced]
    frac = sum(p.fraction * w for p, w in zip(paced, words, strict=True)) / sum(words)
    fast = sum(w for p, w in zip(paced, words, strict=True) if p.verdict == "too_fast")
    slow = sum(w for p, w in zip(paced, words, strict=True) if p.verdict == "too_slow")
    if frac >= s.pace_match_ok_frac:
        verdict = "matched"
    else:
        verdict = "too_fast" if fast >= slow else "too_slow"
    why = _pace_target(call.persona_info.archetype, them_all, s)[2]
    return PaceMatch(frac, verdict, tuple(paced), you_all, them_all, why)


def item_pace_match(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """The trainee's pace against the caller's, turn by turn: no faster than an agitated
    caller, brisk with an impatient one, unhurried and clear for a confused one."""
    m = pace_match(call, s)
    if m is None:
        note = Evidence(None, "trainee", figure="no pace figures for both speakers", effect="note")
        return ItemResult(1.0, (note,), applicable=False)
    off = [p for p in m.turns if p.verdict != "matched"]
    head = (
        f"you {m.you_wpm:.0f} wpm, the customer {m.them_wpm:.0f} wpm over the call ({m.why}); "
        f"{len(m.turns) - len(off)} of {len(m.turns)} turn(s) matched the caller"
    )
    ev = [
        Evidence(None, "trainee", figure=head, effect="won" if m.verdict == "matched" else "lost")
    ]
    for p in off[:_MAX_EVIDENCE]:
        how = (
            f"faster than {p.target_wpm:.0f}"
            if p.verdict == "too_fast"
            else f"slower than {p.floor_wpm or 0:.0f}"
        )
        ev.append(
            Evidence(
                p.turn.start_s if p.turn.end_s > 0 else None,
                "trainee",
                quote=_clip(p.turn.text, 80) or None,
                figure=f"you {p.you_wpm:.0f} wpm after the customer's {p.them_wpm:.0f} ({how})",
                effect="lost",
            )
        )
    return ItemResult(m.fraction, tuple(ev))


def item_thanks(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Thanking the customer at the right moment (the T of LAST); a thank-you as the first
    words to an angry caller is not the right moment."""
    reads = readings(call, s, item)
    first = _first_response(reads, call, s)
    start = call.start_intensity
    agitated = call.persona_info.archetype in _AGITATED or (
        start is not None and start >= s.still_angry_level - 1
    )
    ev: list[Evidence] = []
    for x in reads:
        said = x.r.thanks
        if said is None:
            continue
        upset = agitated and bool(first) and x is first[0]
        if thanks_outcome(x.r, first_reply_to_upset=upset) == "wrong_moment":
            ev.append(
                Evidence(
                    x.at(said.start),
                    "trainee",
                    quote=said.text,
                    figure="a thank-you as the first words to an upset caller sounds scripted",
                    effect="lost",
                )
            )
            continue
        ev.append(
            Evidence(
                x.at(said.start),
                "trainee",
                quote=said.text,
                figure="thanked the customer",
                effect="won",
            )
        )
        return ItemResult(1.0, tuple(ev))
    if not ev:
        ev.append(Evidence(None, "trainee", figure="never thanked the customer", effect="lost"))
    return ItemResult(0.0, tuple(ev))


def item_fillers(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Fillers ("um", "uh", "like", "you know") per minute of the trainee's speech; scored only
    on a verbatim transcript and when the transcription's filler recall is good enough."""
    turns = call.turns_of("trainee")
    minutes = sum(t.end_s - t.start_s for t in turns) / 60.0
    found = [(t, p) for t in turns for p in vocab.fillers(t.text)]
    rate = len(found) / minutes if minutes > 0 else 0.0
    recall = s.filler_recall if s.filler_recall is not None else FILLER_RECALL
    if recall < FILLER_RECALL_MIN or minutes <= 0:
        note = Evidence(
            None,
            "trainee",
            figure=f"{len(found)} filler(s) heard, {rate:.1f} per minute; not scored: the "
            f"transcription finds {recall:.0%} of fillers (scored from {FILLER_RECALL_MIN:.0%})",
            effect="note",
        )
        return ItemResult(1.0, (note,), applicable=False)
    span = s.fillers_zero_per_min - s.fillers_ok_per_min
    frac = max(0.0, min(1.0, 1.0 - (rate - s.fillers_ok_per_min) / span))
    counts: dict[str, int] = {}
    for _, p in found:
        key = p.text.lower()
        counts[key] = counts.get(key, 0) + 1
    kinds = ", ".join(f'"{k}" x{n}' for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    ev = [
        Evidence(
            None,
            "trainee",
            figure=f"{len(found)} filler(s) in {minutes:.1f} min of your speech: {rate:.1f} per "
            f"minute{f' ({kinds})' if kinds else ''}; up to {s.fillers_ok_per_min:g} is normal",
            effect="won" if frac >= 1.0 else "lost",
        )
    ]
    if frac < 1.0:
        ev += [
            Evidence(time_at(t, p.start), "trainee", quote=p.text, effect="lost")
            for t, p in found[:5]
        ]
    return ItemResult(frac, tuple(ev))


@dataclass(frozen=True)
class PauseVerdict:
    """What the trainee did in one pressure pause: ``composed`` (1), ``partial`` (0.5) or
    ``crumbled`` (0), with the evidence."""

    pause: call_log.PressurePause
    verdict: str
    evidence: Evidence

    @property
    def fraction(self) -> float:
        return {"composed": 1.0, "partial": 0.5}.get(self.verdict, 0.0)


#: Trigger kinds that, said into the customer's silence, are defensive (a repeated no is not).
_PAUSE_TRIGGERS = frozenset(
    {"calm_down", "unfortunately", "per_policy", "deflect", "blame_customer", "coach"}
)


def pause_fill(text: str, n_words: int, s: ScoringSettings) -> tuple[str, str]:
    """What filling a pressure pause with ``text`` (``n_words`` words) was: the verdict and
    why, in a few words.

    Crumbling: a ramble, giving ground on what was just refused, a defensive question, a
    trigger phrase, or a hedge with no question. Composure: questions only (clarifying or
    checking back), or one short statement that takes a moment, acknowledges the customer or
    hands the floor back. Anything else breaks the silence to no purpose (half).
    """
    norm = vocab.normalise(text)
    hedged = vocab.hedges(text)
    if n_words > s.pause_ramble_words:
        also = f" and a hedge ('{hedged[0].text}')" if hedged else ""
        return "crumbled", f"{n_words} words (a ramble){also}"
    gave = min(
        (m for m in (vocab.GIVE_IN.search(norm), vocab.FIX_OFFER.search(norm)) if m is not None),
        key=lambda m: m.start(),
        default=None,
    )
    if gave is not None:
        return "crumbled", f"giving ground ('{text[gave.start() : gave.end()]}')"
    rhetorical = vocab.RHETORICAL.search(norm)
    if rhetorical is not None or vocab.retaliation(text):
        return "crumbled", "a defensive question" if rhetorical else "hitting back"
    trig = [p for p in vocab.triggers(text) if p.kind in _PAUSE_TRIGGERS]
    if trig:
        return "crumbled", f"'{trig[0].text}' ({_TRIGGER_WHAT[trig[0].kind]})"
    sents = vocab.sentences(text)
    questions = [x for x in sents if x.is_question]
    line_check = vocab.LINE_CHECK.search(norm) is not None
    if hedged:
        if questions and not line_check and n_words <= s.pause_fill_max_words:
            return "partial", f"a hedge ('{hedged[0].text}') before the question"
        return "crumbled", f"a hedge ('{hedged[0].text}')"
    if line_check:
        return "partial", "checking the line"
    if questions and len(questions) == len(sents):
        return "composed", "a short question"
    purposeful = (
        vocab.hold_notice(text) is not None
        or vocab.acknowledgement(text) is not None
        or vocab.YIELD_FLOOR.search(norm) is not None
    )
    if purposeful and n_words <= s.pause_fill_max_words:
        return "composed", "a short, calm line"
    return "partial", "words before the customer answered"


def pause_verdicts(call: CallInputs, s: ScoringSettings) -> list[PauseVerdict]:
    """Each of the customer's pressure pauses and what the trainee did in it."""
    out = []
    trainee = call.turns_of("trainee")
    for p in call.pressure_pauses:
        end = p.start_s + p.duration_s
        if not any(p.start_s + 0.2 <= w.start_s <= end for t in trainee for w in t.word_times):
            fig = f"waited through the customer's {p.duration_s:.1f} s silence"
            ev = Evidence(p.start_s, "trainee", figure=fig, effect="won")
            out.append(PauseVerdict(p, "composed", ev))
            continue
        # what the trainee said from the start of the silence until the customer spoke again
        nxt = next((t.start_s for t in call.turns_of("customer") if t.start_s > p.start_s), None)
        words = [
            w
            for t in trainee
            for w in t.word_times
            if w.start_s >= p.start_s + 0.2 and (nxt is None or w.start_s < nxt)
        ]
        text = " ".join(w.word for w in words)
        verdict, why = pause_fill(text, len(words), s)
        fig = {
            "composed": f"used the customer's silence well: {why}",
            "partial": f"broke the customer's silence: {why}",
            "crumbled": f"filled the customer's silence with {why}",
        }[verdict]
        effect: Effect = "won" if verdict == "composed" else "lost"
        ev = Evidence(words[0].start_s, "trainee", quote=_clip(text), figure=fig, effect=effect)
        out.append(PauseVerdict(p, verdict, ev))
    return out


def item_pressure_pause(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """In the customer's intentional silences: waiting, or a short clarifying question, is
    composure; filling the silence with a hedge, a concession or a ramble is not."""
    verdicts = pause_verdicts(call, s)
    if not verdicts:
        note = Evidence(None, "customer", figure="no pressure pauses in this call", effect="note")
        return ItemResult(1.0, (note,), applicable=False)
    total = sum(v.fraction for v in verdicts)
    return ItemResult(total / len(verdicts), tuple(v.evidence for v in verdicts))


CHECKS: dict[str, Callable[[CallInputs, RubricItem, ScoringSettings], ItemResult]] = {
    "let_finish": item_let_finish,
    "acknowledge": item_acknowledge,
    "diagnose": item_diagnose,
    "restate": item_restate,
    "next_step": item_next_step,
    "no_triggers": item_no_triggers,
    "ownership": item_ownership,
    "boundary": item_boundary,
    "composure": item_composure,
    "pace": item_pace,
    "outcome": item_outcome,
    "case_note": item_case_note,
    "active_listening": item_active_listening,
    "pace_match": item_pace_match,
    "thanks": item_thanks,
    "fillers": item_fillers,
    "pressure_pause": item_pressure_pause,
}


def to_item_score(item: RubricItem, result: ItemResult, judged_by: str = "rules") -> ItemScore:
    """Scale a check's fraction by the item's weight."""
    frac = min(1.0, max(0.0, result.fraction))
    tip = f"{item.tip} {result.tip_note}".strip() if result.tip_note else item.tip
    return ItemScore(
        id=item.id,
        label=item.label,
        score=item.weight * frac,
        max=item.weight,
        evidence=result.evidence,
        tip=tip,
        applicable=result.applicable,
        judged_by=judged_by,
    )


#: Items that compare the trainee with what the customer said or did.
NEEDS_CUSTOMER_CHANNEL = frozenset(
    {"let_finish", "acknowledge", "restate", "outcome", "active_listening", "pace_match"}
)


class RulesJudge:
    """Offline judge: phrase rules on the transcript, thresholds on the measured figures."""

    name = "rules"

    def __init__(self, settings: ScoringSettings | None = None) -> None:
        self.settings = settings or ScoringSettings()
        self.warnings: list[str] = []

    def judge(self, call: CallInputs, items: Sequence[RubricItem]) -> list[ItemScore]:
        """Score ``items`` for ``call`` in rubric order.

        With no trainee words at all (analysis run without transcription), the language items
        cannot be judged: they are marked not applicable and a warning says why.
        """
        words = any(t.text.strip() for t in call.turns_of("trainee"))
        out = []
        for it in items:
            if not call.two_channels and it.id in NEEDS_CUSTOMER_CHANNEL:
                note = Evidence(
                    None,
                    "customer",
                    figure="needs the customer's channel (mono recording)",
                    effect="note",
                )
                out.append(to_item_score(it, ItemResult(1.0, (note,), applicable=False)))
            elif not words and it.id in LANGUAGE_ITEM_IDS:
                note = Evidence(
                    None, "trainee", figure="no trainee words transcribed", effect="note"
                )
                out.append(to_item_score(it, ItemResult(1.0, (note,), applicable=False)))
            else:
                out.append(to_item_score(it, CHECKS[it.id](call, it, self.settings)))
        if not words and any(it.id in LANGUAGE_ITEM_IDS for it in items):
            self.warnings.append(
                f"{call.source}: no trainee words in the transcript; language items were not "
                "scored (run the analysis with transcription)"
            )
        return out
