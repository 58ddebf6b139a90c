"""``events.jsonl``, the call's event log: one typed class per event, one writer, one reader.

The call (``voice_sim``) writes these events as they happen; scoring and the web app read them.
This module sits in ``personas`` so that ``scoring`` can read the log without importing the
call. Every event is a frozen dataclass with ``t_s`` (seconds from the start of the recording);
on disk it is one JSON object per line, ``{"type": ..., "t_s": ..., <fields>}`` (the contract is
in ``docs/contracts.md``).

:func:`read_events` is strict by default: a line that is not a known, well-formed event is an
error naming the file and the line. ``lenient=True`` is for a log cut off by a crash: a torn last
line is dropped, and nothing else is forgiven.
"""

from __future__ import annotations

import json
import math
import types
import typing
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar, Literal

from .errors import PersonaError

Speaker = Literal["trainee", "customer"]


class EventLogError(PersonaError):
    """An ``events.jsonl`` line that is not a valid event (the message names file and line)."""


@dataclass(frozen=True)
class CallEvent:
    """Base of every event."""

    TYPE: ClassVar[str] = ""
    #: Fields written even when None (readers expect the key).
    KEEP_NONE: ClassVar[tuple[str, ...]] = ()
    t_s: float
    """When it happened, seconds from the start of the recording."""

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this event (floats rounded, non-finite floats as null)."""
        out: dict[str, Any] = {"type": self.TYPE}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is None and f.name not in self.KEEP_NONE:
                continue
            out[f.name] = _clean(v, digits=3 if f.name.endswith("_s") else 4)
        return out


def _clean(v: Any, *, digits: int) -> Any:
    if isinstance(v, float):
        return round(v, digits) if math.isfinite(v) else None
    if isinstance(v, tuple | list):
        return [_clean(x, digits=digits) for x in v]
    if isinstance(v, dict):
        return {k: _clean(x, digits=3) for k, x in v.items()}
    return v


@dataclass(frozen=True)
class CallStart(CallEvent):
    """The call started."""

    TYPE: ClassVar[str] = "call_start"
    persona: str = ""
    """Persona id."""
    brain: str = ""
    """``scripted`` or ``llm:<model>``."""


@dataclass(frozen=True)
class SpeechStart(CallEvent):
    """A speaker's turn (trainee) or line (customer) began; ``t_s`` is its first sound."""

    TYPE: ClassVar[str] = "speech_start"
    speaker: Speaker = "trainee"


@dataclass(frozen=True)
class SpeechEnd(CallEvent):
    """A speaker's turn or line ended; ``t_s`` is its last sound."""

    TYPE: ClassVar[str] = "speech_end"
    speaker: Speaker = "trainee"
    interrupted: bool | None = None
    """Customer lines: cut off before the end."""


@dataclass(frozen=True)
class Transcript(CallEvent):
    """What a speaker said in one turn; ``t_s`` = ``start_s``."""

    TYPE: ClassVar[str] = "transcript"
    speaker: Speaker = "trainee"
    text: str = ""
    start_s: float = 0.0
    """First sound of the turn, seconds."""
    end_s: float = 0.0
    """Last sound of the turn, seconds."""
    words: tuple[dict[str, Any], ...] = ()
    """``{"word", "start_s", "end_s"}`` per word (trainee: Whisper's times)."""
    word_times: str | None = None
    """``"estimated"`` when the word times are spread over the played audio (customer)."""


@dataclass(frozen=True)
class Interruption(CallEvent):
    """``by`` started talking while ``of`` was talking; ``t_s`` is when ``by`` started."""

    TYPE: ClassVar[str] = "interruption"
    by: Speaker = "trainee"
    of: Speaker = "customer"
    stopped_customer_s: float | None = None
    """A trainee barge-in: when the customer's audio stopped, seconds."""


@dataclass(frozen=True)
class Backchannel(CallEvent):
    """A verbal nod ("mm-hmm", "I see") said over the other's line, which went on: listening,
    not a turn and not an interruption; ``t_s`` = ``start_s``."""

    TYPE: ClassVar[str] = "backchannel"
    by: Speaker = "trainee"
    of: Speaker = "customer"
    start_s: float = 0.0
    """First sound, seconds."""
    duration_s: float = 0.0
    """How long it lasted, seconds."""
    text: str = ""
    """What was said, as transcribed ("" when nothing was recognised: a cough, a hum)."""
    resumed_after_s: float | None = None
    """How long the other's line was held before it went on, seconds."""


@dataclass(frozen=True)
class Intensity(CallEvent):
    """The customer's intensity or stage moved (or its starting value, ``previous`` absent)."""

    TYPE: ClassVar[str] = "intensity"
    level: int = 0
    """New intensity, 0-10."""
    stage: str = ""
    reason: str = ""
    """Why, in a coach's words."""
    previous: int | None = None
    trigger: str | None = None
    """Machine name of the rule (``calm_down``, ``dead_air``...)."""
    silence_start_s: float | None = None
    """Dead air: when the silence started, seconds."""
    silence_s: float | None = None
    """Dead air: how long it had lasted when the customer spoke up, seconds."""


@dataclass(frozen=True)
class Silence(CallEvent):
    """The customer noticed the trainee's silence and spoke up; ``t_s`` = when."""

    TYPE: ClassVar[str] = "silence"
    start_s: float = 0.0
    """When the silence started, seconds."""
    silence_s: float = 0.0
    """Its length when the customer spoke up, seconds."""
    kind: str = "dead_air"
    """``dead_air`` or ``hold_check`` (a hold that ran past the customer's patience)."""


@dataclass(frozen=True)
class PressurePause(CallEvent):
    """The customer stays silent on purpose after the trainee's answer (a pressure pause, not
    the trainee's dead air); ``t_s`` = ``start_s``."""

    TYPE: ClassVar[str] = "pressure_pause"
    start_s: float = 0.0
    """When the silence starts (the end of the trainee's turn), seconds."""
    duration_s: float = 0.0
    """How long the customer means to stay silent, seconds."""


@dataclass(frozen=True)
class Latency(CallEvent):
    """How fast one customer reply came (seconds; any may be null)."""

    TYPE: ClassVar[str] = "latency"
    KEEP_NONE: ClassVar[tuple[str, ...]] = (
        "voice_to_voice_s",
        "eou_s",
        "stt_s",
        "llm_ttft_s",
        "tts_ttfb_s",
        "persona_pause_s",
    )
    voice_to_voice_s: float | None = None
    """End of the trainee's speech to the customer's first audio, on the recording's clock."""
    eou_s: float | None = None
    """End of speech to the end of turn being declared."""
    stt_s: float | None = None
    """End of speech to the turn's final transcript."""
    llm_ttft_s: float | None = None
    """End of turn to the brain's first text."""
    tts_ttfb_s: float | None = None
    """First text to the first synthesized audio."""
    persona_pause_s: float | None = None
    """The persona's thinking pause: the shortest voice-to-voice it allows."""


@dataclass(frozen=True)
class CustomerLine(CallEvent):
    """A line the customer said (``t_s`` = its first audio, or when it was dropped)."""

    TYPE: ClassVar[str] = "customer_line"
    KEEP_NONE: ClassVar[tuple[str, ...]] = ("played_s",)
    text: str = ""
    interrupted: bool = False
    played_s: float | None = None
    """How much of it was heard, seconds."""
    kind: str = "reply"
    """``opening``, ``reply``, ``prompt`` (speaking up in a silence), ``talk_over``, or
    ``taken_back``: a reply that had just gone on the air when the trainee went on with their
    turn, so it was withdrawn (``played_s`` of it was heard; it has no transcript)."""


@dataclass(frozen=True)
class Hangup(CallEvent):
    """The customer ended the call."""

    TYPE: ClassVar[str] = "hangup"
    by: Speaker = "customer"
    reason: str = ""


@dataclass(frozen=True)
class Error(CallEvent):
    """Something failed and the call went on."""

    TYPE: ClassVar[str] = "error"
    message: str = ""
    source: str = ""
    """``llm``, ``stt``, ``tts``, ``audio``."""


@dataclass(frozen=True)
class CallEnd(CallEvent):
    """The call ended."""

    TYPE: ClassVar[str] = "call_end"
    reason: str = ""
    duration_s: float = 0.0


EVENT_TYPES: dict[str, type[CallEvent]] = {
    c.TYPE: c
    for c in (
        CallStart,
        SpeechStart,
        SpeechEnd,
        Transcript,
        Interruption,
        Backchannel,
        Intensity,
        Silence,
        PressurePause,
        Latency,
        CustomerLine,
        Hangup,
        Error,
        CallEnd,
    )
}

#: Each event type's fields and their types, resolved once (the annotations are strings here).
_FIELD_TYPES = {kind: typing.get_type_hints(cls) for kind, cls in EVENT_TYPES.items()}


def event_from_json(obj: Any, where: str = "event") -> CallEvent:
    """The typed event of one JSON object; unknown extra keys are ignored (newer writers).

    Raises
    ------
    EventLogError
        Not an object, unknown ``type``, or a field of the wrong type (the message names the
        event type and the field: ``<where>: intensity.level: expected a whole number``).
    """
    if not isinstance(obj, dict):
        raise EventLogError(f"{where}: expected a JSON object")
    kind = obj.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise EventLogError(f"{where}: unknown event type {kind!r}")
    hints = _FIELD_TYPES[cls.TYPE]
    kw: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in obj:
            if f.name == "t_s":
                raise EventLogError(f"{where}: {kind} has no t_s")
            continue
        kw[f.name] = _field_value(obj[f.name], hints[f.name], f"{where}: {kind}.{f.name}")
    return cls(**kw)


def _field_value(v: Any, hint: Any, where: str) -> Any:
    """``v`` read as a field of type ``hint``; ``where`` (file, line, event.field) names it in
    the error."""
    args = typing.get_args(hint)
    if v is None and type(None) in args:
        return None
    if typing.get_origin(hint) is types.UnionType:  # X | None with a value: read as X
        hint = next(a for a in args if a is not type(None))
        args = typing.get_args(hint)
    if typing.get_origin(hint) is Literal:
        if v not in args:
            raise EventLogError(f"{where}: expected {' or '.join(map(repr, args))}, got {v!r}")
        return v
    if hint is bool:
        if not isinstance(v, bool):
            raise EventLogError(f"{where}: expected true or false, got {v!r}")
        return v
    if hint is int:
        if isinstance(v, bool) or not isinstance(v, int | float) or not float(v).is_integer():
            raise EventLogError(f"{where}: expected a whole number, got {v!r}")
        return int(v)
    if hint is float:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise EventLogError(f"{where}: expected a number, got {v!r}")
        return float(v)
    if hint is str:
        if not isinstance(v, str):
            raise EventLogError(f"{where}: expected text, got {v!r}")
        return v
    # the one container: a transcript's words, {"word", "start_s", "end_s"} each
    if not isinstance(v, list) or not all(isinstance(w, dict) for w in v):
        raise EventLogError(f"{where}: expected a list of objects")
    return tuple(v)


def read_events(path: Path, *, lenient: bool = False) -> list[CallEvent]:
    """Read an ``events.jsonl``.

    Parameters
    ----------
    path : Path
        The file.
    lenient : bool
        Accept a log cut off by a crash: a torn (unparseable) last line is dropped. Everything
        else must still be valid.

    Raises
    ------
    EventLogError
        The file cannot be read, or a line is not a valid event (message: ``file: line N: ...``).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EventLogError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EventLogError(f"{path}: cannot read: {exc}") from None
    out: list[CallEvent] = []
    last = max((i for i, ln in enumerate(lines) if ln.strip()), default=-1)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            if lenient and i == last:
                break
            raise EventLogError(f"{path}: line {i + 1}: not valid JSON") from None
        out.append(event_from_json(obj, f"{path}: line {i + 1}"))
    return out


__all__ = [
    "EVENT_TYPES",
    "Backchannel",
    "CallEnd",
    "CallEvent",
    "CallStart",
    "CustomerLine",
    "Error",
    "EventLogError",
    "Hangup",
    "Intensity",
    "Interruption",
    "Latency",
    "PressurePause",
    "Silence",
    "SpeechEnd",
    "SpeechStart",
    "Transcript",
    "event_from_json",
    "read_events",
]
