"""``events.jsonl``: one JSON object per line, flushed as the call goes (see docs/contracts.md)."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


class EventLog:
    """Append-only, line-flushed event log timed by the call's clock.

    Parameters
    ----------
    path : Path
        The ``events.jsonl`` file (created or truncated).
    clock : callable
        Returns seconds from the start of the recording; stamps ``t_s`` when not given.
    """

    def __init__(self, path: Path, *, clock: Callable[[], float]) -> None:
        self.path = Path(path)
        self._clock = clock
        self._fh = self.path.open("w", encoding="utf-8")
        self._lock = threading.Lock()
        self.events: list[dict[str, Any]] = []
        """Every event written, in order (kept for the end-of-call summary and tests)."""
        self._listeners: list[Callable[[dict[str, Any]], None]] = []

    def subscribe(self, fn: Callable[[dict[str, Any]], None]) -> None:
        """Call ``fn(event)`` after each event is written."""
        self._listeners.append(fn)

    def emit(self, type_: str, *, t_s: float | None = None, **fields: Any) -> dict[str, Any]:
        """Write one event; ``t_s`` defaults to now on the call's clock, seconds."""
        t = self._clock() if t_s is None else t_s
        event: dict[str, Any] = {"type": type_, "t_s": round(max(0.0, t), 3)}
        for k, v in fields.items():
            if isinstance(v, float):
                v = None if not math.isfinite(v) else round(v, 4)
            event[k] = v
        line = json.dumps(event, ensure_ascii=False)
        with self._lock:
            if self._fh.closed:
                return event
            self._fh.write(line + "\n")
            self._fh.flush()
            self.events.append(event)
        for fn in self._listeners:
            fn(event)
        return event

    def close(self) -> None:
        with self._lock:
            self._fh.close()


def read_events(path: Path) -> list[dict[str, Any]]:
    """Read an ``events.jsonl``; a torn last line (from a hard kill) is skipped."""
    out: list[dict[str, Any]] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out
