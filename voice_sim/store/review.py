"""Coaches' review: comments pinned to a time, and score overrides with a reason."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy.orm import Session as OrmSession

from .errors import StoreError
from .models import Comment, Override, Session, utcnow

#: Longest comment or override reason, characters.
MAX_TEXT_CHARS = 4000


def _number(value: Any, field: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise StoreError(f"{field}: expected a number, got {value!r}") from None
    if not math.isfinite(x):
        raise StoreError(f"{field}: expected a finite number")
    return x


def _text(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise StoreError(f"{field}: must not be empty")
    if len(text) > MAX_TEXT_CHARS:
        raise StoreError(f"{field}: longer than {MAX_TEXT_CHARS} characters")
    return text


def add_comment(s: OrmSession, row: Session, user_id: int, t_s: Any, text: Any) -> Comment:
    """Pin a comment at ``t_s`` seconds (0 to the call's length)."""
    t = _number(t_s, "t_s")
    if not 0 <= t <= max(row.duration_s, 0.0) + 1.0:
        raise StoreError(f"t_s: expected 0 to {row.duration_s:.1f} s, got {t:g}")
    c = Comment(
        session_id=row.id,
        user_id=user_id,
        t_s=round(t, 2),
        text=_text(text, "text"),
        created_at=utcnow(),
    )
    s.add(c)
    s.flush()
    return c


def add_override(
    s: OrmSession, row: Session, user_id: int, item: Any, score: Any, reason: Any
) -> Override:
    """Record a coach's new score for ``item`` (0 to the item's max) with a reason; the scored
    original stays on the item."""
    item_id = str(item or "").strip()
    it = next((i for i in row.items if i.item == item_id), None)
    if it is None:
        known = ", ".join(i.item for i in row.items) or "none"
        raise StoreError(f"item: not an item of this session: {item_id!r} (items: {known})")
    x = _number(score, "score")
    if not 0 <= x <= it.max:
        raise StoreError(f"score: expected 0 to {it.max:g} for {item_id}, got {x:g}")
    o = Override(
        session_id=row.id,
        item=item_id,
        original_score=it.score,
        score=x,
        reason=_text(reason, "reason"),
        user_id=user_id,
        created_at=utcnow(),
    )
    s.add(o)
    s.flush()
    return o
