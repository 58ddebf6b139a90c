"""The judge interface: anything that turns call inputs and rubric items into item scores."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .inputs import CallInputs
from .rubric import RubricItem
from .scorecard import ItemScore


@runtime_checkable
class Judge(Protocol):
    """A scoring backend (``RulesJudge``, ``LLMJudge``).

    Attributes
    ----------
    name : str
        Short name recorded in the scorecard (``rules``, ``llm:<model>``).
    warnings : list of str
        Problems met while judging (e.g. the endpoint failed and rules served instead).
    """

    name: str
    warnings: list[str]

    def judge(self, call: CallInputs, items: Sequence[RubricItem]) -> list[ItemScore]:
        """Return one ``ItemScore`` per rubric item, in the given order."""
        ...
