"""The rubric: which items are scored, their weights, labels and tips, from an editable YAML file.

The default rubric ships as ``scoring/rubric.yaml``; a coach's own file replaces it whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import ScoringError
from .settings import OVERALL_MAX, WEIGHT_SUM_TOLERANCE

#: Call items the rules judge knows, in report order.
CALL_ITEM_IDS: tuple[str, ...] = (
    "let_finish",
    "acknowledge",
    "diagnose",
    "restate",
    "next_step",
    "no_triggers",
    "ownership",
    "boundary",
    "composure",
    "pace",
    "outcome",
    "active_listening",
    "pace_match",
    "thanks",
    "fillers",
    "pressure_pause",
    "case_note",
)
#: Items judged from the words said (an LLM judge may take these over).
LANGUAGE_ITEM_IDS: frozenset[str] = frozenset(
    {
        "acknowledge",
        "diagnose",
        "restate",
        "next_step",
        "no_triggers",
        "ownership",
        "boundary",
        "thanks",
        "case_note",
    }
)
#: Session (patience) items.
SESSION_ITEM_IDS: tuple[str, ...] = (
    "patience_composure",
    "patience_interruptions",
    "patience_latency",
)
RUBRIC_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class RubricItem:
    """One scored item.

    Attributes
    ----------
    id : str
        A known check (see ``CALL_ITEM_IDS`` and ``SESSION_ITEM_IDS``).
    label : str
        What a coach calls it.
    weight : float
        Points out of 100.
    tip : str
        What to do instead, shown when points are lost.
    phrases : tuple of str
        Extra phrases the rules judge listens for on this item.
    """

    id: str
    label: str
    weight: float
    tip: str
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rubric:
    """A validated rubric: call items and session items, each section summing to 100."""

    name: str
    items: tuple[RubricItem, ...]
    session_items: tuple[RubricItem, ...] = field(default=())
    source: str = "default"

    def item(self, item_id: str) -> RubricItem | None:
        """Return the call or session item with this id, or ``None``."""
        for it in (*self.items, *self.session_items):
            if it.id == item_id:
                return it
        return None


def _parse_items(
    raw: Any, section: str, known: Sequence[str], where: str, required: bool
) -> tuple[RubricItem, ...]:
    if raw is None:
        if required:
            raise ScoringError(f"{where}: missing '{section}' (a list of items)")
        return ()
    if not isinstance(raw, list) or (required and not raw):
        raise ScoringError(f"{where}: '{section}' must be a non-empty list of items")
    items: list[RubricItem] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        at = f"{where}: {section}[{i}]"
        if not isinstance(entry, Mapping):
            raise ScoringError(f"{at}: must be a mapping with id, weight, label, tip")
        item_id = entry.get("id")
        if not isinstance(item_id, str):
            raise ScoringError(f"{at}: missing 'id'")
        if item_id not in known:
            raise ScoringError(
                f"{at}: unknown item {item_id!r} (known {section}: {', '.join(known)})"
            )
        if item_id in seen:
            raise ScoringError(f"{at}: item {item_id!r} appears twice")
        seen.add(item_id)
        extra = set(entry) - {"id", "label", "weight", "tip", "phrases"}
        if extra:
            raise ScoringError(f"{at} ({item_id}): unknown field(s) {', '.join(sorted(extra))}")
        weight = entry.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise ScoringError(f"{at} ({item_id}): 'weight' must be a number >= 0, got {weight!r}")
        phrases = entry.get("phrases") or []
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise ScoringError(f"{at} ({item_id}): 'phrases' must be a list of strings")
        if phrases and item_id not in LANGUAGE_ITEM_IDS:
            raise ScoringError(
                f"{at} ({item_id}): 'phrases' only apply to items judged from words "
                f"({', '.join(i for i in CALL_ITEM_IDS if i in LANGUAGE_ITEM_IDS)})"
            )
        items.append(
            RubricItem(
                id=item_id,
                label=str(entry.get("label") or item_id.replace("_", " ").capitalize()),
                weight=float(weight),
                tip=str(entry.get("tip") or ""),
                phrases=tuple(p.lower() for p in phrases),
            )
        )
    if items:
        total = sum(it.weight for it in items)
        if abs(total - OVERALL_MAX) > WEIGHT_SUM_TOLERANCE:
            listing = " + ".join(f"{it.id} {it.weight:g}" for it in items)
            raise ScoringError(
                f"{where}: '{section}' weights sum to {total:g}, not {OVERALL_MAX:g} ({listing})"
            )
    return tuple(items)


def rubric_from_mapping(data: Any, where: str) -> Rubric:
    """Validate a parsed rubric document.

    Parameters
    ----------
    data : Any
        The parsed YAML.
    where : str
        File name used in error messages.

    Raises
    ------
    ScoringError
        Unknown items or fields, duplicate items, weights that are not numbers or do not sum to
        100, or a newer ``schema_version``.
    """
    if not isinstance(data, Mapping):
        raise ScoringError(f"{where}: a rubric must be a YAML mapping with 'items'")
    version = data.get("schema_version", RUBRIC_SCHEMA_VERSION)
    if not isinstance(version, int) or version > RUBRIC_SCHEMA_VERSION:
        raise ScoringError(
            f"{where}: schema_version {version!r} is newer than this scorer reads "
            f"({RUBRIC_SCHEMA_VERSION}); upgrade voice-sim"
        )
    extra = set(data) - {"schema_version", "name", "items", "session_items"}
    if extra:
        raise ScoringError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
    items = _parse_items(data.get("items"), "items", CALL_ITEM_IDS, where, required=True)
    session = _parse_items(
        data.get("session_items"), "session_items", SESSION_ITEM_IDS, where, required=False
    )
    return Rubric(
        name=str(data.get("name") or Path(where).stem),
        items=items,
        session_items=session,
        source=where,
    )


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load and validate a rubric YAML file; ``None`` loads the default one.

    A coach's file replaces the default whole. With no ``session_items`` in it, session
    scoring uses the default session items.

    Raises
    ------
    ScoringError
        The file is missing, not YAML, or fails validation (see ``rubric_from_mapping``).
    """
    if path is None:
        text = resources.files("scoring").joinpath("rubric.yaml").read_text(encoding="utf-8")
        return rubric_from_mapping(yaml.safe_load(text), "default rubric (scoring/rubric.yaml)")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScoringError(f"{p}: rubric file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScoringError(f"{p}: cannot read rubric: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ScoringError(f"{p}:{line} invalid YAML: {getattr(exc, 'problem', exc)}") from None
    rubric = rubric_from_mapping(data, str(p))
    if not rubric.session_items:
        rubric = Rubric(
            name=rubric.name,
            items=rubric.items,
            session_items=load_rubric(None).session_items,
            source=rubric.source,
        )
    return rubric
