"""The offline scripted brain: line banks per persona, intensity band and stage.

Lines come from the persona file first and its archetype's bank in ``common_lines.yaml`` second
(with the persona's own overrides there), with ``{slots}`` filled from the persona's facts. A
seeded random generator picks among them and no line is said twice in one call while fresh ones
remain. A caller only ever says lines in its own archetype's voice: :func:`line_bank_problems`
checks that (``voice-sim personas validate``).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .brain import ReplyContext
from .errors import PersonaError
from .sanitize import clean_profanity
from .schema import Persona
from .vocabulary import DEESCALATORS, ESCALATORS, LINE_STAGES, band_of

COMMON_LINES = Path(__file__).resolve().parent / "common_lines.yaml"


#: Every slot a bank must fill: what the director can ask the brain for.
BANK_SLOTS: tuple[tuple[str, ...], ...] = (
    *(("reactions", t) for t in ESCALATORS),
    *(("positive", t) for t in DEESCALATORS),
    *(("stages", st) for st in LINE_STAGES if st != "opening"),
    ("stages", "transferred"),
    ("silence", "dead_air"),
    ("silence", "hold_check"),
    ("talk_over",),
    ("in_character",),
    ("filler",),
)


@lru_cache(maxsize=1)
def common_lines() -> dict[str, Any]:
    """The line banks file: ``archetypes`` (one bank each) and ``personas`` (overrides)."""
    try:
        data = yaml.safe_load(COMMON_LINES.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PersonaError(f"{COMMON_LINES}: cannot load the line banks ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("archetypes"), dict):
        raise PersonaError(f"{COMMON_LINES}:1: must be a mapping with 'archetypes'")
    return data


def archetype_bank(archetype: str) -> dict[str, Any]:
    """The line bank of one archetype ({} when the file has none)."""
    return dict(common_lines()["archetypes"].get(archetype) or {})


def persona_bank(persona: Persona) -> dict[str, Any]:
    """The lines ``persona`` draws on: its archetype's bank with the persona's overrides (a
    slot given under ``personas.<id>`` replaces the archetype's slot)."""
    bank = {
        k: dict(v) if isinstance(v, dict) else v
        for k, v in archetype_bank(persona.archetype).items()
    }
    for key, value in ((common_lines().get("personas") or {}).get(persona.id) or {}).items():
        if isinstance(value, dict) and key in ("reactions", "positive", "stages", "silence"):
            bank[key] = {**(bank.get(key) or {}), **value}
        else:
            bank[key] = value
    return bank


def _slot(bank: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = bank
    for k in path:
        node = node.get(k) if isinstance(node, dict) else None
    return node


def _flatten(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [x for v in node.values() for x in _flatten(v)]
    if isinstance(node, list):
        return [x for v in node for x in _flatten(v)]
    return []


def sayable_lines(persona: Persona) -> set[str]:
    """Every scripted line ``persona`` can say, unfilled (its own lines and its bank)."""
    own = [x for bands in persona.lines.values() for ls in bands.values() for x in ls]
    return {*own, *persona.talk_over, *_flatten(persona_bank(persona))}


def line_bank_problems(persona: Persona) -> list[str]:
    """What is wrong with the lines ``persona`` can say, one sentence each (empty: fine).

    * a slot the director can ask for is empty in the persona's bank (the brain would fall back
      to a generic line);
    * a line it can say belongs to another archetype's bank and not to its own.
    """
    problems: list[str] = []
    bank = persona_bank(persona)
    for path in BANK_SLOTS:
        if not _flatten(_slot(bank, path)):
            problems.append(f"no {'.'.join(path)} lines for archetype {persona.archetype}")
    mine = set(_flatten(bank))
    for other, obank in common_lines()["archetypes"].items():
        if other == persona.archetype:
            continue
        for line in sorted((sayable_lines(persona) & set(_flatten(obank))) - mine):
            problems.append(f"line {line!r} belongs to the {other} archetype's bank")
    return problems


def _banded(entry: Any, band: str) -> list[str]:
    if isinstance(entry, list):
        return [str(x) for x in entry]
    if isinstance(entry, dict):
        return [str(x) for x in (entry.get(band) or [])] + [
            str(x) for x in (entry.get("any") or [])
        ]
    return []


def _all_bands(entry: Any) -> list[str]:
    if isinstance(entry, list):
        return [str(x) for x in entry]
    if isinstance(entry, dict):
        return [str(x) for v in entry.values() for x in (v or [])]
    return []


class ScriptedBrain:
    """Offline brain; deterministic for a given seed.

    Parameters
    ----------
    persona : Persona
        Supplies the line banks and slot values.
    seed : int
        Seed of the line choice.
    """

    name = "scripted"

    def __init__(self, persona: Persona, seed: int = 0) -> None:
        self.persona = persona
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        self.slots = persona.slot_values()
        self.bank = persona_bank(persona)
        """The archetype's line bank with this persona's overrides."""

    # ----------------------------------------------------------------------------------------
    def _fill(self, line: str) -> str:
        try:
            return line.format_map(self.slots)
        except (KeyError, ValueError, IndexError):
            return line

    def _pick(self, *pools: Sequence[str], reuse: bool = False) -> str | None:
        """First pool with an unused line wins; a random unused line from it, filled. With
        ``reuse``, when every line was said, one is said again ("Hello?" twice is natural)."""
        for pool in pools:
            fresh = [ln for ln in dict.fromkeys(self._fill(x) for x in pool) if ln not in self.used]
            if fresh:
                line = self.rng.choice(fresh)
                self.used.add(line)
                return line
        if reuse:
            for pool in pools:
                if pool:
                    return self._fill(self.rng.choice(list(pool)))
        return None

    def _persona_stage(self, stage: str, band: str) -> list[str]:
        bank = self.persona.lines.get(stage, {})
        return [*bank.get(band, ()), *bank.get("any", ())]

    def _persona_stage_any_band(self, stage: str) -> list[str]:
        return [x for v in self.persona.lines.get(stage, {}).values() for x in v]

    def stage_line(self, stage: str, level: int) -> str:
        """A line for ``stage`` at ``level``: persona bank, then shared bank, then any band."""
        band = band_of(level)
        stages = self.bank.get("stages") or {}
        st = "explaining" if stage == "opening" else stage
        line = self._pick(
            self._persona_stage(st, band),
            _banded(stages.get(st), band),
            self._persona_stage_any_band(st),
            _all_bands(stages.get(st)),
            self._persona_stage_any_band("explaining")
            + self._persona_stage_any_band("negotiating"),
            _all_bands(stages.get("negotiating")),
            [str(x) for x in self.bank.get("filler") or []],
            reuse=True,
        )
        return line or "Okay."

    def compose(self, ctx: ReplyContext) -> str:
        """The next line for ``ctx`` (the director's verdict decides what it must do)."""
        v = ctx.verdict
        bank = self.bank
        reactions, positive = bank.get("reactions") or {}, bank.get("positive") or {}
        band = band_of(ctx.level)
        parts: list[str] = []
        intent = v.intent if v else "stage"
        if intent in ("silence", "hold_check"):
            text = self.silence_line(ctx, hold=intent == "hold_check")
            return clean_profanity(text, ctx.persona.profanity) if ctx.clean else text
        if intent in ("hang_up", "supervisor", "transferred", "close"):
            stage = {"hang_up": "hanging_up", "close": "closing"}.get(intent, intent)
            pool_common = (bank.get("stages") or {}).get(stage)
            if v and v.escalators and intent in ("hang_up", "supervisor"):
                r = self._pick(_banded(reactions.get(v.escalators[0]), band))
                if r:
                    parts.append(r)
            line = self._pick(
                self._persona_stage(stage, band),
                _banded(pool_common, band),
                self._persona_stage_any_band(stage),
                _all_bands(pool_common),
            )
            parts.append(line or self.stage_line(ctx.stage, ctx.level))
        else:
            if intent == "in_character":
                r = self._pick([str(x) for x in bank.get("in_character") or []], reuse=True)
                if r:
                    parts.append(r)
            if v and v.escalators:
                r = self._pick(_banded(reactions.get(v.escalators[0]), band))
                if r:
                    parts.append(r)
            elif v and v.deescalators and not v.new_topics:
                r = self._pick(_banded(positive.get(v.deescalators[0]), band))
                if r:
                    parts.append(r)
            if v and v.new_topics:
                for i in v.new_topics[:2]:
                    parts.append(self._fill(ctx.persona.facts.must_ask[i].answer))
            else:
                parts.append(self.stage_line(ctx.stage, ctx.level))
        text = " ".join(p for p in parts if p)
        if ctx.clean:
            text = clean_profanity(text, ctx.persona.profanity)
        return text

    def silence_line(self, ctx: ReplyContext, *, hold: bool) -> str:
        """Speaking up in a silence (``hold``: checking in after a hold ran long)."""
        pool = (self.bank.get("silence") or {}).get("hold_check" if hold else "dead_air")
        band = band_of(ctx.level)
        line = self._pick(_banded(pool, band), _all_bands(pool), reuse=True)
        return line or "Hello?"

    async def stream(
        self, ctx: ReplyContext, on_error: Callable[[str], None] | None = None
    ) -> AsyncIterator[str]:
        """Yield the next line word by word (so TTS can start on the first sentence)."""
        words = self.compose(ctx).split(" ")
        for i, w in enumerate(words):
            yield w if i == len(words) - 1 else w + " "

    def talk_over(self, ctx: ReplyContext) -> str:
        """A short cut-in line, never repeated in the call while fresh ones remain."""
        band = band_of(ctx.level)
        pool = self.bank.get("talk_over")
        line = self._pick(
            list(ctx.persona.talk_over),
            _banded(pool, "high" if band == "high" else "mid"),
            _all_bands(pool),
            reuse=True,
        )
        text = line or "Sorry, can I say something?"
        return clean_profanity(text, ctx.persona.profanity) if ctx.clean else text
