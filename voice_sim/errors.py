"""The one error type of the ``voice_sim`` package."""

from __future__ import annotations


class VoiceSimError(Exception):
    """A problem the user can fix: the message names the file or setting and what is wrong."""
