"""The offline scripted brain: line banks per persona, intensity band and stage.

Lines come from the persona file first and the shared bank (``common_lines.yaml``) second,
with ``{slots}`` filled from the persona's facts. A seeded random generator picks among them
and no line is said twice in one call.
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
from .vocabulary import band_of

COMMON_LINES = Path(__file__).resolve().parent / "common_lines.yaml"


@lru_cache(maxsize=1)
def common_lines() -> dict[str, Any]:
    """The shared line bank."""
    try:
        data = yaml.safe_load(COMMON_LINES.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PersonaError(f"{COMMON_LINES}: cannot load the shared line bank ({exc})") from None
    if not isinstance(data, dict):
        raise PersonaError(f"{COMMON_LINES}:1: must be a mapping")
    return data


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

    # ----------------------------------------------------------------------------------------
    def _fill(self, line: str) -> str:
        try:
            return line.format_map(self.slots)
        except (KeyError, ValueError, IndexError):
            return line

    def _pick(self, *pools: Sequence[str]) -> str | None:
        """First pool with an unused line wins; a random unused line from it, filled."""
        for pool in pools:
            fresh = [ln for ln in dict.fromkeys(self._fill(x) for x in pool) if ln not in self.used]
            if fresh:
                line = self.rng.choice(fresh)
                self.used.add(line)
                return line
        return None

    def _persona_stage(self, stage: str, band: str) -> list[str]:
        bank = self.persona.lines.get(stage, {})
        return [*bank.get(band, ()), *bank.get("any", ())]

    def _persona_stage_any_band(self, stage: str) -> list[str]:
        return [x for v in self.persona.lines.get(stage, {}).values() for x in v]

    def stage_line(self, stage: str, level: int) -> str:
        """A line for ``stage`` at ``level``: persona bank, then shared bank, then any band."""
        band = band_of(level)
        common = common_lines()
        st = "explaining" if stage == "opening" else stage
        line = self._pick(
            self._persona_stage(st, band),
            _banded(common["stages"].get(st), band),
            self._persona_stage_any_band(st),
            _all_bands(common["stages"].get(st)),
            self._persona_stage_any_band("explaining")
            + self._persona_stage_any_band("negotiating"),
            _all_bands(common["stages"].get("negotiating")),
            [str(x) for x in common.get("filler", [])],
        )
        return line or self._fill(self.rng.choice(common.get("filler", ["Well?"])))

    def compose(self, ctx: ReplyContext) -> str:
        """The next line for ``ctx`` (the director's verdict decides what it must do)."""
        v = ctx.verdict
        common = common_lines()
        band = band_of(ctx.level)
        parts: list[str] = []
        intent = v.intent if v else "stage"
        if intent in ("silence", "hold_check"):
            text = self.silence_line(ctx, hold=intent == "hold_check")
            return clean_profanity(text, ctx.persona.profanity) if ctx.clean else text
        if intent in ("hang_up", "supervisor", "transferred", "close"):
            stage = {"hang_up": "hanging_up", "close": "closing"}.get(intent, intent)
            pool_common = common["stages"].get(stage)
            if v and v.escalators and intent in ("hang_up", "supervisor"):
                r = self._pick(_banded(common["reactions"].get(v.escalators[0]), band))
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
                r = self._pick(common.get("in_character", []))
                if r:
                    parts.append(r)
            if v and v.escalators:
                r = self._pick(_banded(common["reactions"].get(v.escalators[0]), band))
                if r:
                    parts.append(r)
            elif v and v.deescalators and not v.new_topics:
                r = self._pick(_banded(common["positive"].get(v.deescalators[0]), band))
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
        bank = common_lines()
        band = band_of(ctx.level)
        key = "hold_check" if hold else "dead_air"
        line = self._pick(
            _banded(bank["silence"].get(key), band), _all_bands(bank["silence"].get(key))
        )
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
        common = common_lines()
        line = self._pick(
            list(ctx.persona.talk_over),
            _banded(common.get("talk_over"), "high" if band == "high" else "mid"),
            _all_bands(common.get("talk_over")),
        )
        text = line or "Wait, wait."
        return clean_profanity(text, ctx.persona.profanity) if ctx.clean else text
