"""The one error type of the store."""

from __future__ import annotations

from ..errors import VoiceSimError


class StoreError(VoiceSimError):
    """A store problem the user can fix; the message names the file, URL or field."""
