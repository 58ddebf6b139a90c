"""The rules judge: every rubric item scored offline from the analysis, transcript and events.

Each ``item_<id>`` function returns the fraction of the item won (0-1), the evidence, and
whether the item applies to this call. ``RulesJudge`` turns those into ``ItemScore``s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import median

from . import phrases as ph
from .inputs import CallInputs, Turn
from .rubric import LANGUAGE_ITEM_IDS, RubricItem
from .scorecard import Evidence, ItemScore
from .settings import ScoringSettings

_MAX_EVIDENCE = 10


@dataclass(frozen=True)
class ItemResult:
    """What a check found: the fraction of the item won, evidence, and whether it applies."""

    fraction: float
    evidence: tuple[Evidence, ...]
    applicable: bool = True


def mmss(t_s: float | None) -> str:
    """Format seconds as ``m:ss`` for evidence text."""
    if t_s is None:
        return "-"
    m, s = divmod(max(t_s, 0.0), 60.0)
    return f"{int(m)}:{int(s):02d}"


def _clip(text: str, n: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _pat(base: Sequence[str], item: RubricItem) -> re.Pattern[str]:
    return ph.compile_patterns((*base, *ph.literal_patterns(item.phrases)))


def _first_response(call: CallInputs, settings: ScoringSettings) -> list[Turn]:
    """The trainee's first real reply(ies) to the customer's opening complaint."""
    customer = call.turns_of("customer")
    if not customer:
        return []
    # The complaint is the first customer turn long enough to say what went wrong ("Hello?" and
    # "Hi" before it are not), so a greeting exchange does not count as the first response.
    first_c = next(
        (t for t in customer if len(t.text.split()) >= settings.complaint_min_words), customer[0]
    )
    replies = [
        t
        for t in call.turns_of("trainee")
        if t.start_s >= first_c.start_s and len(t.text.split()) > settings.greeting_max_words
    ]
    return replies[: settings.first_response_window]


def _customer_words_before(call: CallInputs, t_s: float) -> set[str]:
    words: set[str] = set()
    for t in call.turns_of("customer"):
        if t.start_s < t_s:
            words |= ph.content_words(t.text)
    return words


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


def _sentence_of(hit: ph.Hit) -> str:
    """The sentence of the turn that holds ``hit`` (what a coach would quote)."""
    for sent in reversed(ph.sentences(hit.turn)):
        if sent.char_start <= hit.char_start:
            return _clip(sent.text)
    return _clip(hit.turn.text)


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


def _acknowledging_words(hits: Sequence[ph.Hit]) -> set[str]:
    """Content words of the sentences that acknowledge, plus the statement right after one
    ("I'm sorry. Three dates for one order is not okay."); a question that follows is asking
    (for an order number, say), not acknowledging, so its words do not count."""
    words: set[str] = set()
    for h in hits:
        sents = ph.sentences(h.turn)
        for k, sent in enumerate(sents):
            if sent.char_start <= h.char_start < sent.char_start + len(sent.text):
                words |= ph.content_words(sent.text)
                if k + 1 < len(sents) and not sents[k + 1].is_question:
                    words |= ph.content_words(sents[k + 1].text)
    return words


def item_acknowledge(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """The first real reply names the customer's specific failure, with an acknowledgement."""
    first = _first_response(call, s)
    if not first:
        return ItemResult(
            0.0,
            (
                Evidence(
                    None, "trainee", figure="no reply to the customer's complaint", effect="lost"
                ),
            ),
        )
    pat = _pat(ph.ACKNOWLEDGE, item)
    hits = ph.find(pat, first)
    complaint = _customer_words_before(call, first[0].start_s)
    said = _acknowledging_words(hits)
    shared = sorted(complaint & said)
    specific = len(shared) >= s.specific_overlap_min_words
    t0 = first[0]
    if hits and specific:
        h = hits[0]
        return ItemResult(
            1.0,
            (
                Evidence(
                    h.start_s,
                    "trainee",
                    quote=_sentence_of(h),
                    figure=f"acknowledged and named the problem ({', '.join(shared[:4])})",
                    effect="won",
                ),
            ),
        )
    if hits:
        return ItemResult(
            0.5,
            (
                Evidence(
                    hits[0].start_s,
                    "trainee",
                    quote=_sentence_of(hits[0]),
                    figure="acknowledged the feelings but not the specific failure",
                    effect="lost",
                ),
            ),
        )
    return ItemResult(
        0.0,
        (
            Evidence(
                t0.start_s,
                "trainee",
                quote=_clip(t0.text),
                figure="first reply did not acknowledge what went wrong",
                effect="lost",
            ),
        ),
    )


def _questions(call: CallInputs) -> list[ph.Sentence]:
    not_diag = ph.compile_patterns(ph.NOT_DIAGNOSTIC)
    out = []
    for turn in call.turns_of("trainee"):
        for sent in ph.sentences(turn):
            if sent.is_question and not not_diag.search(ph.normalise(sent.text)):
                out.append(sent)
    return out


def item_diagnose(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """At least one diagnostic question before any fix, discount or apology-only answer."""
    questions = _questions(call)
    offers = ph.find(_pat(ph.OFFER, item), call.turns_of("trainee"))
    apology = ph.compile_patterns(ph.APOLOGY)
    q_t = questions[0].start_s if questions else None
    ev: list[Evidence] = []
    if offers and (q_t is None or offers[0].start_s < q_t):
        o = offers[0]
        ev.append(
            Evidence(
                o.start_s,
                "trainee",
                quote=_sentence_of(o),
                figure=f"offered a fix ('{o.phrase}') before asking what happened",
                effect="lost",
            )
        )
        return ItemResult(0.0, tuple(ev))
    if q_t is None:
        ev.append(Evidence(None, "trainee", figure="asked no diagnostic question", effect="lost"))
        return ItemResult(0.0, tuple(ev))
    before = [
        t
        for t in call.turns_of("trainee")
        if t.end_s <= q_t and len(t.text.split()) > s.greeting_max_words
    ]
    sorry_only = [t for t in before if apology.search(ph.normalise(t.text))]
    q = questions[0]
    if len(sorry_only) >= 2:
        ev.append(
            Evidence(
                sorry_only[0].start_s,
                "trainee",
                quote=_clip(sorry_only[0].text),
                figure=f"apologised {len(sorry_only)} times before asking anything",
                effect="lost",
            )
        )
        ev.append(Evidence(q.start_s, "trainee", quote=_clip(q.text), effect="won"))
        return ItemResult(0.5, tuple(ev))
    ev.append(
        Evidence(
            q.start_s,
            "trainee",
            quote=_clip(q.text),
            figure=f"asked before answering (first question at {mmss(q.start_s)})",
            effect="won",
        )
    )
    return ItemResult(1.0, tuple(ev))


def item_restate(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """The trainee says the problem back in the customer's terms."""
    cue = _pat(ph.RESTATE_CUE, item)
    check_back = ph.compile_patterns(ph.CHECK_BACK)
    # Ranked by score, then a cue in the sentence itself, then details shared with the customer.
    best: tuple[tuple[float, bool, int], Evidence] | None = None
    for turn in call.turns_of("trainee"):
        complaint = _customer_words_before(call, turn.start_s)
        checked = bool(check_back.search(ph.normalise(turn.text)))
        for sent in ph.sentences(turn):
            shared = complaint & ph.content_words(sent.text)
            own_cue = bool(cue.search(ph.normalise(sent.text)))
            has_cue = checked or own_cue
            has_you = bool(re.search(r"\byou(?:r|'re|'ve)?\b", ph.normalise(sent.text)))
            if has_cue and len(shared) >= 2:
                frac, fig = 1.0, f"restated the problem ({', '.join(sorted(shared)[:4])})"
            elif has_cue or (has_you and len(shared) >= 3):
                frac, fig = (
                    0.5,
                    "partly restated (a cue without the details, or details without checking back)",
                )
            else:
                continue
            e = Evidence(
                sent.start_s,
                "trainee",
                quote=_clip(sent.text),
                figure=fig,
                effect="won" if frac == 1.0 else "lost",
            )
            rank = (frac, own_cue, len(shared))
            if best is None or rank > best[0]:
                best = (rank, e)
        if best is not None and best[0][0] == 1.0:
            break
    if best is None:
        return ItemResult(
            0.0,
            (
                Evidence(
                    None, "trainee", figure="never restated the customer's problem", effect="lost"
                ),
            ),
        )
    return ItemResult(best[0][0], (best[1],))


def item_next_step(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """A concrete next step: an owner ("I will") and a time in the same sentence."""
    owner = _pat(ph.OWNER, item)
    time_ = ph.compile_patterns(ph.TIME)
    we = ph.compile_patterns(
        (r"we(?:'ll| will| are going to)", r"someone will", r"they(?:'ll| will)")
    )
    partial: Evidence | None = None
    vague: Evidence | None = None
    for turn in call.turns_of("trainee"):
        for sent in ph.sentences(turn):
            norm = ph.normalise(sent.text)
            o, tm = owner.search(norm), time_.search(norm)
            if o and tm:
                return ItemResult(
                    1.0,
                    (
                        Evidence(
                            sent.start_s,
                            "trainee",
                            quote=_clip(sent.text),
                            figure=f"owner and time: '{o.group(0)}' ... '{tm.group(0)}'",
                            effect="won",
                        ),
                    ),
                )
            if partial is None and (
                tm
                or (
                    o
                    and re.search(
                        r"\b(?:call|email|text|send|update|follow up|check|escalate|refund|ship)",
                        norm,
                    )
                )
            ):
                what = "a time but no owner" if tm else "an owner but no time"
                partial = Evidence(
                    sent.start_s,
                    "trainee",
                    quote=_clip(sent.text),
                    figure=f"next step with {what}",
                    effect="lost",
                )
            if vague is None and we.search(norm):
                vague = Evidence(
                    sent.start_s,
                    "trainee",
                    quote=_clip(sent.text),
                    figure="vague next step: no one named, no time",
                    effect="lost",
                )
    if partial is not None:
        return ItemResult(0.5, (partial,))
    ev = vague or Evidence(None, "trainee", figure="no next step committed to", effect="lost")
    return ItemResult(0.0, (ev,))


def item_no_triggers(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Trigger and hedge phrases said by the trainee ("I don't know" with a follow-up is fine)."""
    hits = ph.find(_pat(ph.TRIGGER, item), call.turns_of("trainee"))
    dont_know = ph.compile_patterns(ph.DONT_KNOW)
    follow = ph.compile_patterns(ph.FOLLOW_UP)
    counted = []
    for h in hits:
        if dont_know.fullmatch(ph.normalise(h.phrase)):
            rest = ph.normalise(h.turn.text)[h.char_start :]
            if follow.search(rest):
                continue
        counted.append(h)
    if not counted:
        return ItemResult(
            1.0, (Evidence(None, "trainee", figure="no trigger or hedge phrases", effect="won"),)
        )
    ev = tuple(
        Evidence(
            h.start_s,
            "trainee",
            quote=h.phrase,
            figure=f"said '{h.phrase}' at {mmss(h.start_s)}",
            effect="lost",
        )
        for h in counted[:_MAX_EVIDENCE]
    )
    return ItemResult(max(0.0, 1.0 - s.trigger_penalty_frac * len(counted)), ev)


def item_ownership(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Share of "I will / let me" against "we / they" commitments."""
    turns = call.turns_of("trainee")
    own = ph.find(_pat(ph.OWNER, item), turns)
    we = [h for h in ph.find(ph.compile_patterns(ph.WE_DEFLECT), turns)]
    if not own and not we:
        return ItemResult(
            0.5,
            (
                Evidence(
                    None, "trainee", figure="neither 'I will' nor 'we' commitments", effect="lost"
                ),
            ),
        )
    frac = len(own) / (len(own) + len(we))
    ev = [Evidence(h.start_s, "trainee", quote=h.phrase, effect="won") for h in own[:3]] + [
        Evidence(h.start_s, "trainee", quote=h.phrase, effect="lost") for h in we[:3]
    ]
    ev.insert(
        0,
        Evidence(
            None,
            "trainee",
            figure=f"{len(own)} 'I' commitment(s) against {len(we)} 'we/they'",
            effect="won" if frac >= 0.75 else "lost",
        ),
    )
    return ItemResult(frac, tuple(ev))


def item_boundary(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """With an abusive caller: warn before ending the call; never retaliate."""
    trainee = call.turns_of("trainee")
    retaliation = ph.find(ph.compile_patterns(ph.RETALIATE), trainee)
    abuse = ph.find(ph.compile_patterns(ph.ABUSE), call.turns_of("customer"))
    abusive_events = [
        e for e in call.intensity if re.search(r"abus|insult|profan|swear", e.reason, re.I)
    ]
    abusive = bool(abuse or abusive_events or call.abusive_persona)
    ev: list[Evidence] = []
    if retaliation:
        ev.extend(
            Evidence(
                h.start_s,
                "trainee",
                quote=h.phrase,
                figure="retaliated against the customer",
                effect="lost",
            )
            for h in retaliation[:3]
        )
        return ItemResult(0.0, tuple(ev))
    if not abusive:
        return ItemResult(
            1.0,
            (Evidence(None, "customer", figure="no abusive language in this call", effect="note"),),
            applicable=False,
        )
    first_abuse = abuse[0] if abuse else None
    if first_abuse is not None:
        ev.append(
            Evidence(
                first_abuse.start_s,
                "customer",
                quote=first_abuse.phrase,
                figure="abusive language from the customer",
                effect="note",
            )
        )
    warnings = ph.find(_pat(ph.BOUNDARY, item), trainee)
    ended_by_trainee = [h for h in call.hangups if h.by == "trainee"]
    if ended_by_trainee:
        end = ended_by_trainee[0]
        if warnings and warnings[0].start_s < end.t_s:
            w = warnings[0]
            ev.append(
                Evidence(
                    w.start_s,
                    "trainee",
                    quote=_clip(w.turn.text),
                    figure="warned before ending the call",
                    effect="won",
                )
            )
            return ItemResult(1.0, tuple(ev))
        ev.append(
            Evidence(end.t_s, "trainee", figure="ended the call without a warning", effect="lost")
        )
        return ItemResult(0.0, tuple(ev))
    if warnings:
        w = warnings[0]
        ev.append(
            Evidence(
                w.start_s,
                "trainee",
                quote=_clip(w.turn.text),
                figure="set a respectful boundary",
                effect="won",
            )
        )
        return ItemResult(1.0, tuple(ev))
    ev.append(
        Evidence(None, "trainee", figure="abuse went unaddressed (no boundary set)", effect="lost")
    )
    return ItemResult(0.5, tuple(ev))


def _peak_turn(call: CallInputs, what: str) -> Turn | None:
    """The trainee turn in the last third of the call's trainee turns where ``what`` peaks."""
    turns = call.turns_of("trainee")
    last = turns[-max(1, len(turns) // 3) :]

    def value(t: Turn) -> float | None:
        return {"pitch": t.pitch_hz_median, "loudness": t.loudness_dbfs, "pace": t.wpm}[what]

    scored = [(v, t) for t in last if (v := value(t)) is not None]
    return max(scored, key=lambda vt: vt[0])[1] if scored else None


def item_composure(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Trainee pitch, loudness and pace steady or calming; no mirroring of a louder customer."""
    d = call.drift["trainee"]
    ev: list[Evidence] = []
    lost = 0.0
    checks = (
        ("pitch", d.pitch_st, s.composure_pitch_rise_st, "semitones"),
        ("loudness", d.loudness_db, s.composure_loudness_rise_db, "dB"),
        ("pace", d.wpm_pct, s.composure_wpm_rise_pct, "%"),
    )
    measured = 0
    for what, value, limit, unit in checks:
        if value is None:
            continue
        measured += 1
        sign = "+" if value >= 0 else ""
        fig = f"{what} {sign}{value:.1f} {unit} from the first third of your turns to the last"
        if value > limit:
            lost += 1.0 / 3.0
            peak = _peak_turn(call, what)
            at = None if peak is None else peak.start_s
            where = "" if peak is None else f"; highest at {mmss(peak.start_s)}"
            ev.append(Evidence(at, "trainee", figure=f"{fig} (rising{where})", effect="lost"))
        else:
            ev.append(Evidence(None, "trainee", figure=f"{fig} (steady)", effect="won"))
    # Mirroring: the customer gets loud, and the trainee's next turn gets loud with them.
    cust = [t for t in call.turns_of("customer") if t.loudness_dbfs is not None]
    train = [t for t in call.turns_of("trainee") if t.loudness_dbfs is not None]
    mirrored = 0
    if len(cust) >= 2 and len(train) >= 2:
        c_med = median(t.loudness_dbfs for t in cust if t.loudness_dbfs is not None)
        t_med = median(t.loudness_dbfs for t in train if t.loudness_dbfs is not None)
        for c in cust:
            assert c.loudness_dbfs is not None
            if c.loudness_dbfs - c_med < s.mirroring_customer_rise_db:
                continue
            nxt = next((t for t in train if t.start_s >= c.start_s), None)
            if nxt is None or nxt.loudness_dbfs is None:
                continue
            rise = nxt.loudness_dbfs - t_med
            if rise >= s.mirroring_trainee_rise_db:
                mirrored += 1
                lost += 1.0 / 3.0
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
    cd = call.drift["customer"]
    if cd.loudness_db is not None and cd.loudness_db > s.composure_loudness_rise_db and lost == 0:
        ev.append(
            Evidence(
                None,
                "customer",
                figure=f"customer got {cd.loudness_db:.1f} dB louder; you held steady",
                effect="won",
            )
        )
    if measured == 0 and mirrored == 0:
        return ItemResult(
            1.0,
            (
                Evidence(
                    None, "trainee", figure="no pitch, loudness or pace figures", effect="note"
                ),
            ),
            applicable=False,
        )
    return ItemResult(max(0.0, 1.0 - lost), tuple(ev))


def _trainee_owes_silence(call: CallInputs, gap_start_s: float, gap_end_s: float) -> bool:
    """Whether a silence is the trainee's: the trainee breaks it, or the customer breaks it by
    checking the line ("Hello? Are you still there?"). A silence the customer ends with an
    ordinary answer is the customer's own pause."""
    after = next((t for t in call.turns if t.start_s >= gap_end_s - 0.3), None)
    if after is None:
        return False
    if after.speaker == "trainee":
        return True
    return bool(ph.compile_patterns(ph.LINE_CHECK).search(ph.normalise(after.text)))


def item_pace(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Half for a calm overall pace, half for dead air that was announced with a hold notice."""
    ev: list[Evidence] = []
    wpm = call.speakers["trainee"].wpm
    pace_frac = 1.0
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
            pace_frac = max(0.0, 1.0 - off / s.pace_zero_beyond_wpm)
            how = "too fast" if wpm > s.calm_wpm_high else "very slow"
            ev.append(
                Evidence(
                    None,
                    "trainee",
                    figure=f"{wpm:.0f} words per minute ({how}; {band})",
                    effect="lost",
                )
            )
    for t in call.turns_of("trainee"):
        if t.words >= s.rushed_turn_min_words and t.wpm is not None and t.wpm > s.rushed_turn_wpm:
            ev.append(
                Evidence(
                    t.start_s,
                    "trainee",
                    quote=_clip(t.text, 80),
                    figure=f"rushed turn at {t.wpm:.0f} words per minute",
                    effect="lost",
                )
            )
            pace_frac = max(0.0, pace_frac - s.rushed_turn_penalty_frac)
    hold = ph.compile_patterns(ph.HOLD_NOTICE)
    unexplained = 0
    for gap in call.dead_air:
        end_s = gap.start_s + gap.duration_s
        if not _trainee_owes_silence(call, gap.start_s, end_s):
            ev.append(
                Evidence(
                    gap.start_s,
                    "customer",
                    figure=f"{gap.duration_s:.1f} s pause before the customer answered "
                    "(theirs, not counted)",
                    effect="note",
                )
            )
            continue
        before = [
            t
            for t in call.turns_of("trainee")
            if t.start_s < gap.start_s + 0.25
            and t.end_s >= gap.start_s - s.dead_air_excuse_window_s
        ]
        notice = next((h for t in reversed(before) for h in ph.find(hold, [t])), None)
        if notice is not None:
            ev.append(
                Evidence(
                    notice.start_s,
                    "trainee",
                    quote=_sentence_of(notice),
                    figure=f"{gap.duration_s:.1f} s silence announced with a hold notice",
                    effect="won",
                )
            )
        else:
            unexplained += 1
            ev.append(
                Evidence(
                    gap.start_s,
                    "call",
                    figure=f"{gap.duration_s:.1f} s of unexplained dead air at {mmss(gap.start_s)}",
                    effect="lost",
                )
            )
    air_frac = max(0.0, 1.0 - 0.5 * unexplained)
    if not call.dead_air:
        ev.append(Evidence(None, "call", figure="no dead air", effect="won"))
    return ItemResult(0.5 * pace_frac + 0.5 * air_frac, tuple(ev))


def item_outcome(call: CallInputs, item: RubricItem, s: ScoringSettings) -> ItemResult:
    """Customer intensity at the end against the start (persona events), else loudness drift."""
    if call.intensity:
        first, last = call.intensity[0], call.intensity[-1]
        start = first.previous if first.previous is not None else first.level
        drop = start - last.level
        frac = min(1.0, max(0.0, 0.5 + 0.5 * drop / s.outcome_full_drop_levels))
        ev = [
            Evidence(
                last.t_s,
                "customer",
                figure=f"customer intensity {start:g} -> {last.level:g} (0-10 scale)",
                effect="won" if drop > 0 else "lost",
            )
        ]
        peaks = [e for e in call.intensity if e.previous is not None and e.level > e.previous]
        for e in peaks[:3]:
            reason = f": {e.reason}" if e.reason else ""
            ev.append(
                Evidence(
                    e.t_s,
                    "customer",
                    figure=f"intensity rose to {e.level:g}{reason}",
                    effect="lost",
                )
            )
        hung = [h for h in call.hangups if h.by == "customer"]
        if hung and drop <= 0:
            frac = 0.0
            ev.append(
                Evidence(
                    hung[0].t_s,
                    "customer",
                    figure=f"customer hung up ({hung[0].reason or 'no reason given'})",
                    effect="lost",
                )
            )
        return ItemResult(frac, tuple(ev))
    cd = call.drift["customer"].loudness_db
    if cd is None:
        return ItemResult(
            1.0,
            (
                Evidence(
                    None,
                    "customer",
                    figure="no intensity events or customer figures",
                    effect="note",
                ),
            ),
            applicable=False,
        )
    frac = min(1.0, max(0.0, 0.5 - 0.5 * cd / 6.0))
    return ItemResult(
        frac,
        (
            Evidence(
                None,
                "customer",
                figure=f"customer loudness {cd:+.1f} dB from the start of the "
                "call to the end (no persona events; loudness used instead)",
                effect="won" if cd < 0 else "lost",
            ),
        ),
    )


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
}


def to_item_score(item: RubricItem, result: ItemResult, judged_by: str = "rules") -> ItemScore:
    """Scale a check's fraction by the item's weight."""
    frac = min(1.0, max(0.0, result.fraction))
    return ItemScore(
        id=item.id,
        label=item.label,
        score=item.weight * frac,
        max=item.weight,
        evidence=result.evidence,
        tip=item.tip,
        applicable=result.applicable,
        judged_by=judged_by,
    )


#: Items that compare the trainee with what the customer said or did.
NEEDS_CUSTOMER_CHANNEL = frozenset({"let_finish", "acknowledge", "restate", "outcome"})


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
