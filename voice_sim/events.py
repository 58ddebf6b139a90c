"""The call's event log writer: typed events (:mod:`personas.call_log`) to ``events.jsonl``,
one line each, flushed as the call goes (see docs/contracts.md)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

from personas.call_log import CallEvent, read_events

__all__ = ["EventLog", "read_events"]


class EventLog:
    """Append-only, line-flushed event log.

    Parameters
    ----------
    path : Path
        The ``events.jsonl`` file (created or truncated).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fh = self.path.open("w", encoding="utf-8")
        self._lock = threading.Lock()
        self.events: list[CallEvent] = []
        """Every event written, in order (kept for the end-of-call summary and tests)."""
        self._listeners: list[Callable[[CallEvent], None]] = []

    def subscribe(self, fn: Callable[[CallEvent], None]) -> None:
        """Call ``fn(event)`` after each event is written."""
        self._listeners.append(fn)

    def emit(self, event: CallEvent) -> CallEvent:
        """Write one event (on disk when this returns)."""
        line = json.dumps(event.to_json(), ensure_ascii=False)
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
