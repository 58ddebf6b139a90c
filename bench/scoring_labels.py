"""Agreement of the rules judge with a coach, item by item, on the labelled trainee turns.

The labelled set is ``tests/scoring/labelled_turns.yaml`` (turns across the personas, each with
the outcome a coach gives it on each language item, and where the label comes from). Each turn
is read with the shared vocabulary exactly as the scorer reads an utterance
(``scoring.reading.read_turn``) and its outcomes compared with the labels.

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

LABELS = Path(__file__).resolve().parents[1] / "tests" / "scoring" / "labelled_turns.yaml"
ITEMS = ("acknowledge", "diagnose", "restate", "next_step", "no_triggers", "ownership", "boundary")
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
        assert set(t) <= {"persona", "say", "labels", "source", "heard", "held_out"}, where
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
        got = outcomes(read_turn(say, failure=p.facts.issue_keywords, heard=heard))
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


def table(a: Agreement, held: Agreement | None = None) -> str:
    """Markdown table of agreement per item (and on the held-out turns alone)."""

    def cell(x: Agreement, item: str) -> str:
        return f"{x.agree.get(item, 0)} / {x.total[item]} ({100 * x.share(item):.0f}%)"

    head = "| item | all turns |" + (" held out |" if held else "")
    rule = "|---|---|" + ("---|" if held else "")
    rows = [
        f"| {item} | {cell(a, item)} |" + (f" {cell(held, item)} |" if held else "")
        for item in ITEMS
    ]
    held_note = f", {held.turns} of them held out" if held else ""
    return "\n".join(
        [
            f"{a.turns} labelled turns across {len(a.personas)} personas{held_note}:",
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
    held = agreement([t for t in turns if t.get("held_out")])
    print(table(a, held))
    if args.show_misses:
        for item, say, want, have in a.misses:
            print(f"- {item}: coach {want!r}, scorer {have!r}: {say}")
    return 0 if all(a.share(i) >= 0.9 for i in ITEMS) else 1


if __name__ == "__main__":
    sys.exit(main())
