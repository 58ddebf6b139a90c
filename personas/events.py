"""What goes in and out of the customer at runtime: trainee turns and intensity changes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TraineeTurn:
    """What the trainee just said, and how, as measured by the live call."""

    text: str
    """Transcript of the turn."""
    start_s: float = 0.0
    """Start of the turn, seconds from the start of the recording."""
    end_s: float = 0.0
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
    """Conversation stage after the change (opening, venting, explaining, negotiating, ...)."""
    reason: str
    """Why it moved, in a coach's words."""
    trigger: str | None = None
    """Machine name of the rule that fired (``calm_down``, ``next_step``...); None for the start."""

    def to_event(self) -> dict[str, object]:
        """The ``intensity`` event fields of ``events.jsonl`` (without ``type`` and ``t_s``)."""
        out: dict[str, object] = {"level": self.level, "stage": self.stage, "reason": self.reason}
        if self.previous is not None:
            out["previous"] = self.previous
        if self.trigger is not None:
            out["trigger"] = self.trigger
        return out
