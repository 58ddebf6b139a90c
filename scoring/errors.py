"""The one error type of the ``scoring`` package."""

from __future__ import annotations


class ScoringError(Exception):
    """A problem the user can fix: the message names the file and field and what is wrong."""
