"""The brain protocol: what turns the director's verdict into the customer's next line."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

from .director import Verdict
from .schema import Persona


@dataclass(frozen=True)
class ReplyContext:
    """Everything a brain may use to write the next line."""

    persona: Persona
    level: int
    """Current intensity, 0-10."""
    stage: str
    """Current stage."""
    verdict: Verdict | None
    """The director's reading of the last trainee turn (None before any)."""
    history: tuple[tuple[str, str], ...]
    """The call so far: (``customer`` or ``trainee``, text)."""
    clean: bool
    """Replace profanity."""


class Brain(Protocol):
    """Writes the customer's lines."""

    name: str
    """``scripted`` or ``llm:<model>``."""

    def stream(
        self, ctx: ReplyContext, on_error: Callable[[str], None] | None = None
    ) -> AsyncIterator[str]:
        """Stream the next line as text chunks, ready for TTS."""
        ...

    def talk_over(self, ctx: ReplyContext) -> str:
        """A short line for cutting in on a trainee who talks too long."""
        ...
