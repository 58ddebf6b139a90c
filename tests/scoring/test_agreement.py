"""The director and the scorer read the same transcript the same way, item by item.

Each transcript is played through the escalation director (turn by turn, as the call does) and
through the rules judge (the whole call, from an analysis.json holding the same turns, silences
and interruptions). For every rubric item that has a director trigger, the trainee turns the
director moved on are the turns the scorer's evidence points at. The persona's weights are all
set to 1 and the repeat limit lifted, so the director reports every move it detects.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from personas import Director, DirectorSettings, TraineeTurn, get_persona
from personas.vocabulary import DEESCALATORS, ESCALATORS
from scoring import RulesJudge, ScoringSettings, call_inputs, load_rubric
from scoring.scorecard import ItemScore

from .conftest import CallBuilder


@dataclass(frozen=True)
class Say:
    """A trainee line: said after ``silence_s`` of silence, or cutting in on the customer."""

    text: str
    silence_s: float = 0.6
    cuts_in: bool = False
    split: str | None = None
    """A second segment of the same turn (VAD split it at a short pause)."""


TRANSCRIPTS: dict[str, tuple[str, list[str | Say]]] = {
    "mistakes": (
        "angry-billing",
        [
            "You charged me forty nine ninety nine twice this month and nobody will fix it!",
            Say(
                "Okay, calm down. Unfortunately I can give you a credit on your next bill.",
                cuts_in=True,
            ),
            "A credit? I was charged twice!",
            Say(
                "Per our policy we don't refund duplicates. You should have checked your statement."
            ),
            "Are you serious right now?",
            Say("It should be sorted sometime soon.", silence_s=7.0),
            "That is not good enough.",
            Say("That's the bank's fault, not ours."),
            "Unbelievable.",
        ],
    ),
    "good practice": (
        "angry-billing",
        [
            "You charged me forty nine ninety nine twice this month and nobody will fix it!",
            Say(
                "I'm so sorry you were charged twice this month, that should not have happened. "
                "Can you tell me the dates of both charges?"
            ),
            "The third and the fourth. Both on my Visa.",
            Say("So you were charged twice, on the third and the fourth.", split="Is that right?"),
            "Yes, exactly.",
            Say("Let me check that for you, one moment."),
            "Okay.",
            Say(
                "I've issued a refund for the duplicate charge, and I'll email you the "
                "confirmation within ten minutes.",
                silence_s=8.0,
            ),
            "Thank you.",
        ],
    ),
    "abusive": (
        "abusive-caller",
        [
            "I took a whole damn day off and your technician never showed up. Useless!",
            Say("I want to help you, but I need us to keep the language respectful."),
            "Fine. Whatever. Fix it.",
            Say(
                "I'm sorry the technician never came after you took the day off. "
                "When was the appointment?"
            ),
            "Eight to twelve today.",
            Say("I don't know what happened.", silence_s=3.5),
            "Are you kidding me?",
            Say("I'll book you the first slot tomorrow, 8 to 10, and I'll call you by 5 pm today."),
        ],
    ),
}

#: Which rubric item answers for each director trigger.
ITEM_OF = {
    "interrupting": "let_finish",
    "calm_down": "no_triggers",
    "unfortunately": "no_triggers",
    "per_policy": "no_triggers",
    "flat_no": "no_triggers",
    "blaming": "no_triggers|ownership",
    "dead_air": "pace",
    "fix_before_diagnosis": "diagnose",
    "vague_timeline": "next_step",
    "acknowledge_specific": "acknowledge",
    "empathy": "acknowledge",
    "restate": "restate",
    "diagnostic_question": "diagnose",
    "next_step": "next_step",
    "boundary": "boundary",
}


def play(name: str) -> tuple[list[set[str]], list[float], list[ItemScore]]:
    """The director's moves per trainee turn, each turn's start, and the scorer's items."""
    pid, lines = TRANSCRIPTS[name]
    p = get_persona(pid)
    every = dataclasses.replace(
        p,
        escalates_on={t: 1 for t in ESCALATORS},
        de_escalates_on={t: 1 for t in DEESCALATORS},
        hang_up=None,
        supervisor=None,
        ceiling=10,
        floor=0,
    )
    director = Director(every, DirectorSettings(repeat_limit=99), start_level=5)
    b = CallBuilder()
    b.events.append({"type": "call_start", "t_s": 0.0, "persona": pid, "brain": "scripted"})
    moves: list[set[str]] = []
    starts: list[float] = []
    last_customer_start = 0.0
    for line in lines:
        if isinstance(line, str):
            last_customer_start = b.t_s + 0.6
            b.say("customer", line, gap_s=0.6)
            continue
        spoke_up: set[str] = set()
        if line.cuts_in:
            at = last_customer_start + 1.5
            b.interrupt(at, overlap_s=1.0)
            b.say("trainee", line.text, at_s=at)
            latency = None
        else:
            # the turn model: past the customer's patience (a hold notice buys the hold time),
            # the customer speaks up in the silence and the director hears the dead air
            patience = director.hold_s() if director.hold_announced else director.patience_s()
            if line.silence_s > patience:
                since = b.t_s
                b.silence(patience)
                _, v = director.silence(patience, hold=director.hold_announced)
                spoke_up = set(v.escalators)
                b.events.append(
                    {
                        "type": "silence",
                        "t_s": b.t_s,
                        "start_s": since,
                        "silence_s": patience,
                        "kind": "hold_check" if director.hold_announced else "dead_air",
                    }
                )
                b.say("customer", "Hello? Are you still there?", gap_s=0.0)
                b.say("trainee", line.text, gap_s=0.8)
            elif line.silence_s >= 3.0:
                b.silence(line.silence_s)
                b.say("trainee", line.text, gap_s=0.0)
            else:
                b.say("trainee", line.text, gap_s=line.silence_s)
            latency = line.silence_s
        starts.append(b.turns[-1]["start_s"])
        text = line.text
        if line.split:
            b.say("trainee", line.split, gap_s=0.7)
            text = f"{line.text} {line.split}"
        _, verdict = director.hear(
            TraineeTurn(text, response_latency_s=latency, interrupted_customer=line.cuts_in)
        )
        moves.append({*spoke_up, *verdict.escalators, *verdict.deescalators})
    meta = {"persona": pid, "archetype": p.archetype, "failure": p.scenario}
    meta["failure_keywords"] = list(p.facts.issue_keywords)
    call = call_inputs(b.analysis(), b.events, meta=meta)
    items = RulesJudge(ScoringSettings()).judge(call, load_rubric().items)
    return moves, starts, items


def turn_of(t_s: float | None, starts: list[float]) -> int | None:
    if t_s is None:
        return None
    k = max((i for i, s in enumerate(starts) if s <= t_s + 0.3), default=None)
    return k


def scorer_turns(item: ItemScore, starts: list[float], effect: str, words: str = "") -> set[int]:
    out = set()
    for e in item.evidence:
        if e.effect != effect or words not in f"{e.quote or ''} {e.figure or ''}":
            continue
        k = turn_of(e.start_s, starts)
        if k is not None:
            out.add(k)
    return out


def director_turns(moves: list[set[str]], *triggers: str) -> set[int]:
    return {k for k, m in enumerate(moves) if m & set(triggers)}


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
def test_director_and_scorer_agree_item_by_item(name: str) -> None:
    moves, starts, items = play(name)
    by_id = {it.id: it for it in items}
    # escalations: the same turns lose the item
    checks = {
        "let_finish": (
            director_turns(moves, "interrupting"),
            scorer_turns(by_id["let_finish"], starts, "lost"),
        ),
        "no_triggers": (
            director_turns(moves, "calm_down", "unfortunately", "per_policy", "flat_no")
            | {
                k
                for k in director_turns(moves, "blaming")
                if k in scorer_turns(by_id["no_triggers"], starts, "lost", "blaming the customer")
            },
            scorer_turns(by_id["no_triggers"], starts, "lost")
            - scorer_turns(by_id["no_triggers"], starts, "lost", "a hedge"),
        ),
        "pace": (
            director_turns(moves, "dead_air"),
            {k + 1 for k in scorer_turns(by_id["pace"], starts, "lost", "dead air")},
        ),
        "next_step (vague)": (
            director_turns(moves, "vague_timeline"),
            scorer_turns(by_id["next_step"], starts, "lost", "vague timeline"),
        ),
        "diagnose (fix first)": (
            director_turns(moves, "fix_before_diagnosis"),
            scorer_turns(by_id["diagnose"], starts, "lost", "offered a fix"),
        ),
        "ownership (blame)": (
            {k for k in director_turns(moves, "blaming")}
            - scorer_turns(by_id["no_triggers"], starts, "lost", "blaming the customer"),
            scorer_turns(by_id["ownership"], starts, "lost", "blamed someone else"),
        ),
    }
    # de-escalations: the first turn the director credits is the turn the scorer credits
    firsts = {
        "acknowledge": ("acknowledge_specific", "won"),
        "diagnose": ("diagnostic_question", "won"),
        "restate": ("restate", "won"),
        "next_step": ("next_step", "won"),
        "boundary": ("boundary", "won"),
    }
    for item_id, (trigger, effect) in firsts.items():
        d = sorted(director_turns(moves, trigger))[:1]
        s = sorted(scorer_turns(by_id[item_id], starts, effect))[:1]
        if item_id == "acknowledge":
            # the item judges the first reply only; the director credits any turn
            judged = scorer_turns(by_id[item_id], starts, "won") | scorer_turns(
                by_id[item_id], starts, "lost"
            )
            d = sorted(k for k in director_turns(moves, trigger) if k in judged)
        checks[item_id] = (set(d), set(s))
    disagree = {k: v for k, v in checks.items() if v[0] != v[1]}
    assert not disagree, f"director vs scorer turns: {disagree}; director moves {moves}"
    assert any(d for d, _ in checks.values())  # the transcript exercises something
