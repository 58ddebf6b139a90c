"""The customer at runtime: persona + escalation director + brain, behind one small API.

See the "personas runtime API used by the call" section of ``docs/contracts.md``.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .brain import Brain, ReplyContext
from .director import Director
from .events import IntensityChange, TraineeTurn
from .library import get_persona
from .llm import LLMBrain, LLMConfig
from .sanitize import clean_profanity
from .schema import Persona
from .scripted import ScriptedBrain
from .settings import DirectorSettings
from .voice import VoiceStyle, style_at

__all__ = [
    "Checkpoint",
    "Customer",
    "IntensityChange",
    "LLMConfig",
    "TraineeTurn",
    "VoiceStyle",
    "make_customer",
]

#: Intents after which the customer's line is their last.
_FINAL_INTENTS = {"hang_up": "hangup", "close": "resolved", "transferred": "transferred"}


@dataclass(frozen=True)
class Checkpoint:
    """The customer's state at one moment (see :meth:`Customer.checkpoint`)."""

    director: dict[str, Any]
    brain: Any
    history_len: int
    ended: bool
    end_reason: str | None
    pending: bool


def _copy_state(obj: object, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Shallow copies of an object's attributes (containers copied, not shared)."""
    out: dict[str, Any] = {}
    for k, v in vars(obj).items():
        if k in skip:
            continue
        out[k] = v.copy() if isinstance(v, dict | set | list) else v
    return out


class Customer:
    """One customer for one call.

    Parameters
    ----------
    persona : Persona
        The validated persona.
    brain : Brain
        Writes the lines (scripted or LLM).
    director : Director
        Moves intensity and stage.
    clean : bool
        Replace profanity in everything the customer says.
    """

    def __init__(
        self, persona: Persona, brain: Brain, director: Director, *, clean: bool = False
    ) -> None:
        self.persona = persona
        self.brain = brain
        self.director = director
        self.clean = clean
        self.ended = False
        """True once the customer has said their last line (hung up, satisfied or transferred)."""
        self.end_reason: str | None = None
        """Why the call ended from the customer's side (``hung up: ...``, ``resolved``...)."""
        self.history: list[tuple[str, str]] = []
        """The call so far: (``customer`` or ``trainee``, text)."""
        self._pending = False
        self.pause_rng = random.Random(0)
        """Draws the persona's pressure pauses (seeded by :func:`make_customer`)."""

    # -- state --------------------------------------------------------------------------------
    @property
    def brain_name(self) -> str:
        """``scripted`` or ``llm:<model>``."""
        return self.brain.name

    @property
    def level(self) -> int:
        """Current intensity, 0 (calm) to 10 (furious)."""
        return self.director.level

    @property
    def stage(self) -> str:
        """Current conversation stage."""
        return self.director.stage

    @property
    def last_ttft_s(self) -> float | None:
        """Time to the first LLM token of the last reply, seconds (None for the scripted brain)."""
        return getattr(self.brain, "last_ttft_s", None)

    def _ctx(self) -> ReplyContext:
        return ReplyContext(
            self.persona,
            self.level,
            self.stage,
            self.director.last,
            tuple(self.history),
            self.clean,
        )

    # -- the call -----------------------------------------------------------------------------
    def begin(self) -> tuple[str, IntensityChange]:
        """The opening line and the starting-intensity event."""
        line = self.persona.opening_line.format_map(self.persona.slot_values())
        if self.clean:
            line = clean_profanity(line, self.persona.profanity)
        if isinstance(self.brain, ScriptedBrain):
            self.brain.used.add(line)
        elif isinstance(self.brain, LLMBrain):
            self.brain.fallback.used.add(line)
        self.history.append(("customer", line))
        return line, self.director.start()

    def hear(self, turn: TraineeTurn) -> list[IntensityChange]:
        """Take in one trainee turn; return the intensity changes it caused (maybe none)."""
        if self.ended:
            return []
        if turn.text.strip():
            self.history.append(("trainee", turn.text.strip()))
        changes, _ = self.director.hear(turn)
        self._pending = True
        return changes

    async def reply(self, on_error: Callable[[str], None] | None = None) -> AsyncIterator[str]:
        """Stream the customer's next line as text chunks.

        LLM failures call ``on_error(message)`` and fall back to a scripted line. A final line
        (hang-up, goodbye, transfer) sets ``ended`` and ``end_reason`` before its first chunk:
        the director decided it, so the customer has ended even if the line is cut off.
        """
        if self.ended:
            return
        v = self.director.last
        if self._pending and v is not None and v.intent in _FINAL_INTENTS:
            self.ended = True
            self.end_reason = self.director.end_reason or _FINAL_INTENTS[v.intent]
        self._pending = False
        parts: list[str] = []
        async for chunk in self.brain.stream(self._ctx(), on_error):
            parts.append(chunk)
            yield chunk
        text = "".join(parts).strip()
        if text:
            self.history.append(("customer", text))

    def silence(self, silence_s: float, *, hold: bool = False) -> list[IntensityChange]:
        """The trainee has been silent ``silence_s`` seconds while the customer waited (``hold``:
        past the hold time after a hold notice). The next :meth:`reply` speaks up."""
        if self.ended:
            return []
        changes, _ = self.director.silence(silence_s, hold=hold)
        self._pending = True
        return changes

    def patience_s(self) -> float:
        """Silence the customer sits through before speaking up now, seconds."""
        return self.director.patience_s()

    def pressure_pause_s(self) -> float | None:
        """After the turn just heard: how long the customer stays silent on purpose before
        answering (a pressure pause, seconds), or None.

        Only personas with ``pressure_pause`` use them, only after an answer (not after a
        question the customer must answer, a hold notice, or a final line), and more often at
        high intensity."""
        pp = self.persona.pressure_pause
        v = self.director.last
        if pp is None or v is None or self.ended or self.director.hold_announced:
            return None
        if v.intent not in ("stage", "react") or "diagnostic_question" in v.deescalators:
            return None
        if self.pause_rng.random() >= pp.chance_at(self.level):
            return None
        return round(self.pause_rng.uniform(pp.min_s, pp.max_s), 2)

    def hold_s(self) -> float | None:
        """When the last trainee turn was a hold notice: how long the customer waits quietly,
        seconds; else None."""
        return self.director.hold_s() if self.director.hold_announced else None

    # -- speculation: a reply prepared, then withdrawn ---------------------------------------
    def checkpoint(self) -> Checkpoint:
        """Everything :meth:`hear`, :meth:`silence` and :meth:`reply` change, so a reply that is
        withdrawn (the trainee went on talking) can be undone with :meth:`rollback`."""
        brain = self.brain
        scripted = brain if isinstance(brain, ScriptedBrain) else getattr(brain, "fallback", None)
        brain_state = (
            (scripted.rng.getstate(), set(scripted.used))
            if isinstance(scripted, ScriptedBrain)
            else None
        )
        return Checkpoint(
            _copy_state(self.director, skip=("persona", "settings")),
            brain_state,
            len(self.history),
            self.ended,
            self.end_reason,
            self._pending,
        )

    def rollback(self, cp: Checkpoint) -> None:
        """Return to ``cp``: the turns, silences and replies since never happened."""
        vars(self.director).update(cp.director)
        brain = self.brain
        scripted = brain if isinstance(brain, ScriptedBrain) else getattr(brain, "fallback", None)
        if cp.brain is not None and isinstance(scripted, ScriptedBrain):
            scripted.rng.setstate(cp.brain[0])
            scripted.used = set(cp.brain[1])
        del self.history[cp.history_len :]
        self.ended, self.end_reason, self._pending = cp.ended, cp.end_reason, cp.pending

    def voice(self) -> VoiceStyle:
        """How the customer sounds at the current intensity."""
        return style_at(self.persona.voice, self.level)

    def talk_over_line(self) -> str:
        """A short line for cutting in on a trainee who talks too long."""
        line = self.brain.talk_over(self._ctx())
        self.history.append(("customer", line))
        return line


def make_customer(
    persona: str | Path | Persona | None = None,
    *,
    llm: LLMConfig | None = None,
    seed: int = 0,
    clean: bool = False,
    start_level: int | None = None,
    settings: DirectorSettings | None = None,
) -> Customer:
    """Build the customer for a call.

    Parameters
    ----------
    persona : str, Path or Persona, optional
        Library id, path to a persona YAML file, or a loaded persona; None = ``angry-billing``.
    llm : LLMConfig, optional
        Endpoint for the LLM brain; None = the offline scripted brain.
    seed : int
        Seed of the scripted line choice (and of the fallback lines).
    clean : bool
        Replace profanity in everything the customer says.
    start_level : int, optional
        Starting intensity (0-10); None = the persona's own.
    settings : DirectorSettings, optional
        Director thresholds.

    Raises
    ------
    PersonaError
        Unknown persona id or invalid persona file.
    """
    p = persona if isinstance(persona, Persona) else get_persona(persona)
    scripted = ScriptedBrain(p, seed=seed)
    brain: Brain = LLMBrain(llm, scripted) if llm is not None else scripted
    director = Director(p, settings, start_level)
    customer = Customer(p, brain, director, clean=clean)
    customer.pause_rng = random.Random(seed * 7919 + 17)
    return customer
