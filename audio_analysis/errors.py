"""The one error type of the ``audio_analysis`` package."""

from __future__ import annotations


class AnalysisError(Exception):
    """A problem with an input the user can fix; the message names the file and the problem."""
