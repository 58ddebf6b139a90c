"""The customer at runtime: persona + escalation director + brain, behind one small API.

MINIMAL STAND-IN: the personas issue replaces the internals; keep the public signatures
(see docs/contracts.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TraineeTurn:
    """What the trainee just said, and how, as measured by the live call."""

    text: str
    """Transcript of the turn."""
    start_s: float
    """Start of the turn, seconds from the start of the recording."""
    end_s: float
    """End of the turn, seconds from the start of the recording."""
    interrupted_customer: bool = False
    """The trainee started speaking while the customer was still talking."""
    response_latency_s: float | None = None
    """Silence between the customer's last line and this turn, seconds (None if overlapped)."""
    loudness_vs_customer_db: float | None = None
    """Trainee RMS level in this turn minus the customer's last line, dB."""


@dataclass(frozen=True)
class IntensityChange:
    """One move of the customer's intensity, with the reason a coach will read."""

    level: int
    """New intensity, 0 (calm) to 10 (furious)."""
    previous: int | None
    """Intensity before the change; None for the starting level."""
    stage: str
    """Conversation stage after the change (opening, venting, negotiating, resolving, ...)."""
    reason: str
    """Why it moved, in a coach's words."""


@dataclass(frozen=True)
class VoiceStyle:
    """How the customer sounds at the current intensity (Piper settings and turn-taking)."""

    length_scale: float = 1.0
    """Piper length scale: above 1 speaks slower."""
    volume: float = 1.0
    """Linear gain applied to the synthesized audio."""
    pitch_shift_st: float = 0.0
    """Pitch shift, semitones."""
    noise_scale: float = 0.667
    """Piper noise scale (voice variation)."""
    noise_w: float = 0.8
    """Piper phoneme-duration noise."""
    reply_gap_s: float = 0.0
    """Extra pause before the customer answers, seconds."""
    talk_over_after_s: float | None = None
    """Cut in when the trainee has talked this long in one go, seconds; None = never."""


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible chat-completions endpoint."""

    base_url: str
    model: str
    api_key: str = "not-needed"
    timeout_s: float = 8.0


class Customer:
    """Stand-in customer: fixed lines, intensity that only moves on 'calm down'."""

    brain_name = "scripted"

    def __init__(self, persona_id: str = "angry-billing", *, seed: int = 0) -> None:
        self.persona_id = persona_id
        self.level = 6
        self.stage = "opening"
        self.ended = False
        self.end_reason: str | None = None
        self._n = 0
        self._lines = [
            "Yes, I was charged twice for my subscription this month and I want it fixed now.",
            "It's the same charge, forty nine ninety nine, on the third and again on the fourth.",
            "Fine. And when exactly will I see that money back?",
            "Okay. Please make sure it actually happens this time.",
        ]

    def begin(self) -> tuple[str, IntensityChange]:
        line = "Hi, I've been waiting on hold for twenty minutes and I've been charged twice."
        return line, IntensityChange(self.level, None, self.stage, "starting intensity")

    def hear(self, turn: TraineeTurn) -> list[IntensityChange]:
        if "calm down" in turn.text.lower():
            prev, self.level = self.level, min(10, self.level + 2)
            return [IntensityChange(self.level, prev, self.stage, 'trainee said "calm down"')]
        return []

    async def reply(self, on_error: Callable[[str], None] | None = None) -> AsyncIterator[str]:
        line = self._lines[min(self._n, len(self._lines) - 1)]
        self._n += 1
        for word in line.split(" "):
            yield word + " "

    def voice(self) -> VoiceStyle:
        return VoiceStyle(length_scale=1.0 - 0.02 * self.level, volume=0.8 + 0.03 * self.level)

    def talk_over_line(self) -> str:
        return "No, no, listen to me."


def make_customer(
    persona: str | None = None,
    *,
    llm: LLMConfig | None = None,
    seed: int = 0,
    clean: bool = False,
    start_level: int | None = None,
) -> Customer:
    """Build the customer for a call (stand-in)."""
    return Customer(persona or "angry-billing", seed=seed)
