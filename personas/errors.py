"""The one error type of the ``personas`` package."""

from __future__ import annotations


class PersonaError(Exception):
    """A problem the user can fix; the message names the file, line and field.

    Messages read ``personas/library/x.yaml:12: start_intensity: must be 0-10, got 14``.
    """
