"""Agreement of the rules judge with a coach, item by item, on the labelled trainee turns.

The labelled set is ``tests/scoring/labelled_turns.yaml`` (turns across the personas, each with
the outcome a coach gives it on each language item, and where the label comes from). Each turn
is read with the shared vocabulary exactly as the scorer reads an utterance
(``scoring.reading.read_turn``) and its outcomes compared with the labels. The case notes
(``labelled_notes.yaml``) are checked against the calls of the personas' good bots, and the items
measured around the words (active listening, pace matching, pressure pauses) on labelled
situations laid out as the scorer's own inputs (``labelled_calls.py``).

    .venv/bin/python bench/scoring_labels.py [--show-misses]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring.rubric import CALL_ITEM_IDS, LANGUAGE_ITEM_IDS

LABELS = Path(__file__).resolve().parents[1] / "tests" / "scoring" / "labelled_turns.yaml"
#: The language items a single turn is judged on, in report order (the case note is the call's).
ITEMS = tuple(i for i in CALL_ITEM_IDS if i in LANGUAGE_ITEM_IDS and i != "case_note")
DEFAULT = {"no_triggers": ()}


@dataclass
class Agreement:
    """Per item: turns where the reading matched the coach, turns judged, and the misses."""

    agree: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    misses: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    turns: int = 0
    personas: set[str] = field(default_factory=set)

    def share(self, item: str) -> float:
        return self.agree.get(item, 0) / max(1, self.total.get(item, 0))


def load(path: Path = LABELS) -> list[dict[str, Any]]:
    """The labelled turns, validated (known items and outcomes, a source for every label)."""
    from scoring.reading import OUTCOMES

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for i, t in enumerate(data):
        where = f"{path.name}[{i}]"
        assert {"persona", "say", "labels", "source"} <= set(t), f"{where}: fields"
        known = {"persona", "say", "labels", "source", "heard", "held_out", "first_reply_to_upset"}
        assert set(t) <= known, where
        assert str(t["source"]).strip(), f"{where}: no source"
        for item, value in t["labels"].items():
            assert item in ITEMS, f"{where}: unknown item {item}"
            if item != "no_triggers":
                assert value in OUTCOMES[item], f"{where}: {item}: {value!r}"
    return data


def agreement(turns: Sequence[dict[str, Any]]) -> Agreement:
    """Read every turn and compare its outcomes with the coach's labels."""
    from personas import get_persona
    from personas import phrases as vocab
    from scoring.reading import outcomes, read_turn

    out = Agreement()
    for t in turns:
        p = get_persona(t["persona"])
        say = " ".join(t["say"]) if isinstance(t["say"], list) else t["say"]
        heard = vocab.content_words(t.get("heard") or p.opening_line)
        if t.get("heard"):
            heard |= vocab.content_words(p.opening_line)
        got = outcomes(
            read_turn(say, failure=p.facts.issue_keywords, heard=heard),
            first_reply_to_upset=bool(t.get("first_reply_to_upset")),
        )
        out.turns += 1
        out.personas.add(p.id)
        for item in ITEMS:
            want = t["labels"].get(item, DEFAULT.get(item, "none"))
            if item == "no_triggers":
                want = tuple(sorted(want))
            have = got[item]
            out.total[item] = out.total.get(item, 0) + 1
            if have == want:
                out.agree[item] = out.agree.get(item, 0) + 1
            else:
                out.misses.append((item, say, want, have))
    return out


NOTES = Path(__file__).resolve().parents[1] / "tests" / "scoring" / "labelled_notes.yaml"
NOTE_FACTS = ("reference", "failure", "promise", "outcome")


def note_agreement(path: Path = NOTES) -> Agreement:
    """Agreement on the labelled case notes, per fact (each note checked against the call its
    persona's good-practice bot makes, played on the words alone)."""
    import scoring_calls

    from scoring import ScoringSettings
    from scoring.rules import case_note_facts

    out = Agreement()
    calls: dict[str, Any] = {}
    for n in yaml.safe_load(path.read_text(encoding="utf-8")):
        pid = n["persona"]
        assert str(n.get("source", "")).strip(), f"{path.name}: {pid}: no source"
        if pid not in calls:
            played = scoring_calls.play(pid, scoring_calls.script_path(pid, "good"), audio=False)
            calls[pid] = scoring_calls.score_played(played)[1]
        facts = {f.what: f for f in case_note_facts(calls[pid], n["note"], ScoringSettings())}
        out.turns += 1
        out.personas.add(pid)
        for what in NOTE_FACTS:
            f = facts.get(what)
            have = (
                "n/a"
                if f is None
                else ("contradicted" if f.contradiction else ("found" if f.found else "missed"))
            )
            want = n["labels"][what]
            out.total[what] = out.total.get(what, 0) + 1
            if have == want:
                out.agree[what] = out.agree.get(what, 0) + 1
            else:
                out.misses.append((what, n["note"], want, have))
    return out


#: The items judged from measured figures, with their labelled situation set.
SITUATION_ITEMS = {
    "active_listening": "listening",
    "pace_match": "pace",
    "pressure_pause": "pauses",
}


def situation_outcome(item: str, call: Any) -> Any:
    """The rules judge's outcome for one labelled situation, in the set's names."""
    from scoring import ScoringSettings, rules

    s = ScoringSettings()
    if item == "active_listening":
        heard = rules.listening(call, s)
        if not heard:
            return {"nods": "n/a", "confirm": "n/a"}
        x = heard[0]
        return {"nods": x.nods_outcome, "confirm": "confirmed" if x.confirm else "none"}
    if item == "pace_match":
        m = rules.pace_match(call, s)
        return "n/a" if m is None else m.verdict
    verdicts = rules.pause_verdicts(call, s)
    return verdicts[0].verdict if verdicts else "n/a"


def situation_agreement(item: str, *, held_out: bool | None = None) -> Agreement:
    """Agreement with the coach on one measured item's labelled situations (``held_out``:
    only those written after the rule was tuned, or only the others)."""
    import labelled_calls

    out = Agreement()
    for x, call in labelled_calls.situations(SITUATION_ITEMS[item]):
        if held_out is not None and bool(x.get("held_out")) != held_out:
            continue
        want = x.get("labels", x.get("label"))
        have = situation_outcome(item, call)
        out.turns += 1
        out.personas.add(x["persona"])
        out.total[item] = out.total.get(item, 0) + 1
        if have == want:
            out.agree[item] = out.agree.get(item, 0) + 1
        else:
            what = x.get("reply") or x.get("fill") or x.get("exchanges")
            out.misses.append((item, str(what), want, have))
    return out


#: The held-out sets of labelled turns: written after the detectors were tuned, never tuned on
#: (``held_out: true`` before issue 14's vocabulary work, ``held_out: second`` after it).
HELD_OUT = {"first held out": True, "second held out": "second"}


def held_out(turns: Sequence[dict[str, Any]], mark: object) -> list[dict[str, Any]]:
    """The turns of one held-out set (``True`` is not ``"second"``, nor 1)."""
    return [t for t in turns if type(t.get("held_out")) is type(mark) and t.get("held_out") == mark]


def table(a: Agreement, columns: dict[str, Agreement] | None = None) -> str:
    """Markdown table of agreement per item, on the whole set and on each held-out set."""
    columns = columns or {}

    def cell(x: Agreement, item: str) -> str:
        return f"{x.agree.get(item, 0)} / {x.total.get(item, 0)} ({100 * x.share(item):.0f}%)"

    head = "| item | all turns |" + "".join(f" {name} |" for name in columns)
    rule = "|---|---|" + "---|" * len(columns)
    rows = [
        f"| {item} | {cell(a, item)} |" + "".join(f" {cell(c, item)} |" for c in columns.values())
        for item in ITEMS
    ]
    notes = "".join(f", {c.turns} {name}" for name, c in columns.items())
    return "\n".join(
        [
            f"{a.turns} labelled turns across {len(a.personas)} personas{notes}:",
            "",
            head,
            rule,
            *rows,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args(argv)
    turns = load()
    a = agreement(turns)
    print(table(a, {name: agreement(held_out(turns, mark)) for name, mark in HELD_OUT.items()}))
    notes = note_agreement()
    print(f"\n{notes.turns} labelled case notes against {len(notes.personas)} calls:\n")
    print("| fact | agree |\n|---|---|")
    for what in NOTE_FACTS:
        print(
            f"| {what} | {notes.agree.get(what, 0)} / {notes.total[what]} "
            f"({100 * notes.share(what):.0f}%) |"
        )
    measured = {item: situation_agreement(item) for item in SITUATION_ITEMS}
    print("\nMeasured items, labelled situations built as the scorer's inputs:\n")
    print("| item | situations (personas) | all | tuned on | held out |\n|---|---|---|---|---|")
    for item, m in measured.items():
        parts = [m, situation_agreement(item, held_out=False)]
        parts.append(situation_agreement(item, held_out=True))
        cells = " | ".join(
            f"{x.agree.get(item, 0)} / {x.total.get(item, 0)} ({100 * x.share(item):.0f}%)"
            for x in parts
        )
        print(f"| {item} | {m.turns} ({len(m.personas)}) | {cells} |")
    if args.show_misses:
        extra = [miss for m in measured.values() for miss in m.misses]
        for item, say, want, have in [*a.misses, *notes.misses, *extra]:
            print(f"- {item}: coach {want!r}, scorer {have!r}: {say}")
    ok = (
        all(a.share(i) >= 0.9 for i in ITEMS)
        and all(notes.share(f) >= 0.9 for f in NOTE_FACTS)
        and all(m.share(i) >= 0.9 for i, m in measured.items())
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
