"""The one error type of the ``voice_sim`` package, and how any error is shown in one line."""

from __future__ import annotations


class VoiceSimError(Exception):
    """A problem the user can fix: the message names the file or setting and what is wrong."""


def one_line(exc: BaseException) -> str:
    """An exception as the one line a user is shown: its message's first line, else its type's
    name (an exception raised without a message)."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
