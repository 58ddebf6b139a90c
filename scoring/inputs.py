"""Read ``analysis.json``, ``events.jsonl`` and ``meta.json`` into typed, frozen call inputs.

``analysis.json`` is read by its owner, ``audio_analysis`` (``CallAnalysis.from_dict``); the
events add the persona's intensity, hang-ups, how the call ended and, for our own calls, the
customer's exact words; ``meta.json`` says who called. Times are seconds from the start of the
recording.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from audio_analysis import (
    AnalysisError,
    Backchannel,
    CallAnalysis,
    Gap,
    Interruption,
    Silence,
    SpeakerStats,
    ToneDrift,
    Turn,
)
from audio_analysis import Word as WordTime
from personas import call_log
from personas.call_log import CallEvent
from personas.settings import DEAD_AIR_S, HOLD_MAX_S, RESOLVE_LEVEL

from .customer_words import exact_customer_turns
from .errors import ScoringError

SPEAKERS = ("trainee", "customer")
#: Figures of a speaker the analysis has none for (a mono recording's customer).
_NO_SPEECH = SpeakerStats(0.0, 0, 0, None, None, None, 0.0)


@dataclass(frozen=True)
class IntensityEvent:
    """The customer's intensity (0-10) from the persona director, at ``t_s``."""

    t_s: float
    level: float
    previous: float | None
    stage: str
    reason: str


@dataclass(frozen=True)
class Hangup:
    """Who hung up, when and why."""

    t_s: float
    by: str
    reason: str


@dataclass(frozen=True)
class PersonaInfo:
    """Who called, as the session recorded it (``meta.json``), for the items that depend on it.

    Attributes
    ----------
    id : str or None
        Persona id.
    archetype : str or None
        ``confused``, ``mistaken``, ``disappointed``, ``impatient``, ``angry`` or ``abusive``.
    failure : str or None
        What the caller calls about, in a coach's words ("Double charge on the monthly
        subscription").
    failure_keywords : tuple of str
        Words that name that failure (an acknowledgement or restatement that uses one is
        specific).
    """

    id: str | None = None
    archetype: str | None = None
    failure: str | None = None
    failure_keywords: tuple[str, ...] = ()

    @property
    def abusive(self) -> bool:
        """The persona is an abusive caller (the boundary item applies whatever is heard)."""
        return self.archetype == "abusive"


@dataclass(frozen=True)
class CallEnd:
    """How the call ended (``events.jsonl`` and ``meta.json``).

    Attributes
    ----------
    reason : str or None
        ``call_end`` reason: ``hangup``, ``ctrl-c``, ``script_done``, ``input_ended``,
        ``timeout`` or ``error``.
    outcome : str or None
        The customer's side: ``resolved``, ``transferred to a supervisor`` or ``hung up: ...``.
    final_intensity : float or None
        The customer's intensity at the end, 0-10.
    """

    reason: str | None = None
    outcome: str | None = None
    final_intensity: float | None = None

    @property
    def label(self) -> str:
        """Why the call ended, in a few words: resolved, supervisor, hung up, script done..."""
        o = (self.outcome or "").lower()
        # a customer this calm who ends the call with no reason given has said goodbye
        calm = self.final_intensity is not None and self.final_intensity <= RESOLVE_LEVEL
        if o == "hung up" and calm:
            # the call's bare fallback reason: a calm customer ending the call said goodbye
            return "customer said goodbye"
        if o.startswith("hung up") or (self.reason == "hangup" and not o):
            return "customer hung up"
        if "supervisor" in o:
            return "passed to a supervisor"
        if o == "resolved":
            return "resolved"
        return {
            "script_done": "script ran out",
            "input_ended": "trainee audio ran out",
            "ctrl-c": "stopped by the trainee",
            "timeout": "time limit reached",
            "error": "ended by an error",
            "hangup": "customer hung up",
        }.get(self.reason or "", self.reason or "unknown")

    @property
    def unresolved(self) -> bool:
        """Ended without the customer's problem being settled (script out, hung up, stopped)."""
        return self.label not in ("resolved", "passed to a supervisor", "customer said goodbye")


@dataclass(frozen=True)
class CallInputs:
    """Everything the judges look at for one call.

    Attributes
    ----------
    name : str
        Call name (the session folder or recording stem).
    duration_s : float
        Recording length in seconds.
    turns : tuple of Turn
        Both speakers' turns in start order.
    intensity : tuple of IntensityEvent
        Persona intensity events in time order (empty for recordings that are not ours).
    persona_info : PersonaInfo
        Who called (archetype, failure), from ``meta.json`` or the persona library.
    end : CallEnd
        How the call ended.
    two_channels : bool
        ``False`` for a mono recording: nothing is known about the customer's side.
    customer_words_exact : bool
        The customer's turns hold the words our simulated customer said (from events.jsonl),
        not Whisper's hearing of them.
    case_note : str or None
        The note the trainee wrote for the next agent (``case_note.md``), if any.
    backchannel_text : tuple of str
        The words of each backchannel ("mm-hmm", "I see"), in the order of ``backchannels``.
    silences : tuple of audio_analysis.Silence
        The analysis's silences longer than its dead-air threshold, with who spoke either side
        (``is_dead_air``: the customer's turn ended and the trainee spoke next).
    noticed_silences : tuple of personas.call_log.Silence
        The silences the customer noticed and spoke up in (the director's dead air).
    pressure_pauses : tuple of personas.call_log.PressurePause
        The customer's intentional silences after the trainee's answers (never dead air).
    ours : bool
        A call voice-sim recorded (its events say so): dead air is what the customer noticed.
    dead_air_s, hold_max_s : float
        The call's dead-air threshold and the longest silence a hold notice covers, seconds
        (the director's, from ``meta.json``; see :func:`personas.phrases.is_dead_air`).
    """

    name: str
    duration_s: float
    turns: tuple[Turn, ...]
    interruptions: tuple[Interruption, ...]
    backchannels: tuple[Backchannel, ...]
    gaps: tuple[Gap, ...]
    silences: tuple[Silence, ...]
    drift: Mapping[str, ToneDrift]
    speakers: Mapping[str, SpeakerStats]
    intensity: tuple[IntensityEvent, ...] = ()
    hangups: tuple[Hangup, ...] = ()
    persona_info: PersonaInfo = PersonaInfo()
    end: CallEnd = CallEnd()
    recording: Path | None = None
    source: str = ""
    warnings: tuple[str, ...] = ()
    two_channels: bool = True
    customer_words_exact: bool = False
    case_note: str | None = None
    backchannel_text: tuple[str, ...] = ()
    noticed_silences: tuple[call_log.Silence, ...] = ()
    pressure_pauses: tuple[call_log.PressurePause, ...] = ()
    ours: bool = False
    dead_air_s: float = DEAD_AIR_S
    hold_max_s: float = HOLD_MAX_S
    analysis: CallAnalysis | None = None
    """The analysis as read (series, speech segments: what the timeline draws)."""

    @property
    def persona(self) -> str | None:
        """Persona id when known."""
        return self.persona_info.id

    @property
    def start_intensity(self) -> float | None:
        """The customer's intensity when the call started, 0-10: before the first move (None
        without intensity events)."""
        if not self.intensity:
            return None
        first = self.intensity[0]
        return first.previous if first.previous is not None else first.level

    def turns_of(self, speaker: str) -> tuple[Turn, ...]:
        """Turns of one speaker in time order."""
        return tuple(t for t in self.turns if t.speaker == speaker)


def _num(value: Any, where: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        if optional:
            return None
        raise ScoringError(f"{where}: expected a number, got {value!r}")
    f = float(value)
    if math.isnan(f):
        if optional:
            return None
        raise ScoringError(f"{where}: expected a number, got NaN")
    return f


def load_json(path: str | Path) -> Any:
    """The parsed JSON of ``path``; a missing, unreadable or invalid file is a
    :class:`ScoringError` naming it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScoringError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise ScoringError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScoringError(f"{path}: cannot read: {exc}") from None


def read_json(path: Path) -> Mapping[str, Any]:
    """Read a JSON object from ``path``; errors name the file."""
    data = load_json(path)
    if not isinstance(data, Mapping):
        raise ScoringError(f"{path}: expected a JSON object")
    return data


#: What ``call_inputs`` takes as events: the typed events of ``personas.call_log`` (what
#: :func:`read_events` returns), or their JSON objects.
EventLike = CallEvent | Mapping[str, Any]


def read_events(path: Path) -> list[CallEvent]:
    """Read ``events.jsonl`` through its one reader (``personas.call_log``).

    Lenient only for a log cut off by a crash: a torn last line is dropped (the file is
    appended live); any other bad line is an error naming the file and the line.
    """
    try:
        return call_log.read_events(Path(path), lenient=True)
    except call_log.EventLogError as exc:
        raise ScoringError(str(exc)) from None


def typed_events(events: Sequence[EventLike], where: str = "events") -> list[CallEvent]:
    """Events as typed classes (JSON objects are read with the log's own parser)."""
    out: list[CallEvent] = []
    for i, e in enumerate(events):
        if isinstance(e, CallEvent):
            out.append(e)
            continue
        try:
            out.append(call_log.event_from_json(dict(e), f"{where}[{i}]"))
        except call_log.EventLogError as exc:
            raise ScoringError(str(exc)) from None
    return out


def _word_times(raw: Any, where: str) -> tuple[WordTime, ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for j, w in enumerate(raw):
        if not isinstance(w, Mapping):
            raise ScoringError(f"{where}.word_times[{j}]: expected an object")
        start = _num(w.get("start_s"), f"{where}.word_times[{j}].start_s")
        end = _num(w.get("end_s"), f"{where}.word_times[{j}].end_s")
        assert start is not None and end is not None
        out.append(WordTime(str(w.get("word", "")), start, end))
    return tuple(out)


def _fill_text_from_transcripts(turns: list[Turn], events: Sequence[CallEvent]) -> list[Turn]:
    """Give text to turns the analysis left empty, from the call's own transcript events."""
    transcripts = [e for e in events if isinstance(e, call_log.Transcript)]
    if not transcripts:
        return turns
    out = []
    for t in turns:
        if t.text.strip():
            out.append(t)
            continue
        parts: list[str] = []
        words: list[WordTime] = []
        for e in transcripts:
            mid = (e.start_s + e.end_s) / 2.0 if e.end_s >= e.start_s else e.start_s
            if e.speaker == t.speaker and t.start_s - 0.25 <= mid <= t.end_s + 0.25:
                parts.append(e.text.strip())
                words.extend(_word_times(list(e.words), "transcript"))
        text = " ".join(p for p in parts if p)
        out.append(
            replace(
                t,
                text=text,
                words=len(text.split()) or t.words,
                word_times=tuple(words) or t.word_times,
            )
        )
    return out


def call_inputs(
    analysis: Mapping[str, Any],
    events: Sequence[EventLike] = (),
    *,
    source: str = "analysis.json",
    name: str | None = None,
    recording: Path | None = None,
    persona: str | None = None,
    meta: Mapping[str, Any] | None = None,
    archetype: str | None = None,
    case_note: str | None = None,
) -> CallInputs:
    """Validate an ``analysis.json`` document (and the call's events) into ``CallInputs``.

    Parameters
    ----------
    analysis : mapping
        The parsed ``analysis.json`` (schema_version 1).
    events : sequence of CallEvent or mapping
        The call's events (:func:`read_events`, or their JSON objects), or empty for
        recordings that are not ours.
    source : str
        File name used in error messages.
    persona : str, optional
        Persona id (else from ``meta`` or the ``call_start`` event).
    meta : mapping, optional
        The session's ``meta.json`` (persona archetype and failure, director thresholds).
    archetype : str, optional
        The caller's archetype when there is no ``meta.json`` (``--persona`` on an outside
        recording is looked up in the library instead).
    case_note : str, optional
        The trainee's case note (``read_case_note(folder)``).

    Raises
    ------
    ScoringError
        A newer ``schema_version``, a missing or mistyped field, or no trainee speech.
    """
    try:
        a = CallAnalysis.from_dict(analysis, source=source)
    except AnalysisError as exc:
        raise ScoringError(str(exc)) from None
    events = typed_events(events)
    turns = _fill_text_from_transcripts(sorted(a.turns, key=lambda t: t.start_s), events)
    turns, exact = exact_customer_turns(turns, events)
    if not any(t.speaker == "trainee" and t.end_s > t.start_s for t in turns):
        raise ScoringError(
            f"{source}: no trainee speech in the recording (no turn on the trainee channel); "
            "nothing to score - check the channel mapping or the microphone"
        )
    intensity, hangups, end = _read_call_events(events, meta)
    meta = meta or {}
    pid = persona or _str(meta.get("persona")) or _started_persona(events)
    raw = meta.get("director")
    director: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    return CallInputs(
        name=name or Path(source).parent.name or "call",
        duration_s=a.duration_s,
        turns=tuple(turns),
        interruptions=a.interruptions,
        backchannels=a.backchannels,
        gaps=a.gaps,
        silences=a.silences,
        drift={r: a.tone_drift.get(r) or ToneDrift(None, None, None) for r in SPEAKERS},
        speakers={r: a.speakers.get(r) or _NO_SPEECH for r in SPEAKERS},
        intensity=intensity,
        hangups=hangups,
        persona_info=persona_info(pid, meta, archetype=archetype),
        end=end,
        recording=recording,
        source=source,
        warnings=a.warnings,
        two_channels="customer" in a.channels,
        customer_words_exact=exact,
        case_note=case_note.strip() if case_note and case_note.strip() else None,
        backchannel_text=a.backchannel_text,
        noticed_silences=tuple(e for e in events if isinstance(e, call_log.Silence)),
        pressure_pauses=tuple(e for e in events if isinstance(e, call_log.PressurePause)),
        ours=any(isinstance(e, call_log.CallStart) for e in events),
        dead_air_s=_num(director.get("dead_air_s"), "meta", optional=True) or DEAD_AIR_S,
        hold_max_s=_num(director.get("hold_max_s"), "meta", optional=True) or HOLD_MAX_S,
        analysis=a,
    )


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _read_call_events(
    events: Sequence[CallEvent], meta: Mapping[str, Any] | None
) -> tuple[tuple[IntensityEvent, ...], tuple[Hangup, ...], CallEnd]:
    """Intensity moves, hang-ups and how the call ended."""
    intensity = sorted(
        (
            IntensityEvent(
                e.t_s,
                float(e.level),
                None if e.previous is None else float(e.previous),
                e.stage,
                e.reason,
            )
            for e in events
            if isinstance(e, call_log.Intensity)
        ),
        key=lambda ev: ev.t_s,
    )
    hangups = tuple(Hangup(e.t_s, e.by, e.reason) for e in events if isinstance(e, call_log.Hangup))
    reason = next((e.reason for e in events if isinstance(e, call_log.CallEnd) and e.reason), None)
    meta = meta or {}
    reason = reason or _str(meta.get("end_reason"))
    outcome = next((h.reason for h in hangups if h.by == "customer" and h.reason), None)
    final = (
        intensity[-1].level
        if intensity
        else _num(meta.get("final_intensity"), "meta", optional=True)
    )
    return tuple(intensity), hangups, CallEnd(reason, outcome, final)


def _started_persona(events: Sequence[CallEvent]) -> str | None:
    return next((e.persona or None for e in events if isinstance(e, call_log.CallStart)), None)


def persona_info(
    persona_id: str | None, meta: Mapping[str, Any] | None = None, *, archetype: str | None = None
) -> PersonaInfo:
    """Who called: the archetype and failure ``meta.json`` recorded, else the library's persona
    of that id, else only what is given."""
    meta = meta or {}
    arch = _str(meta.get("archetype")) or archetype
    failure = _str(meta.get("failure"))
    raw_kw = meta.get("failure_keywords")
    keywords = tuple(str(k).lower() for k in raw_kw) if isinstance(raw_kw, list) else ()
    if persona_id and (arch is None or failure is None or not keywords):
        from personas import get_persona, persona_ids

        # only library ids: a persona id is never read as a path
        p = get_persona(persona_id) if persona_id in persona_ids() else None
        if p is not None:
            arch = arch or p.archetype
            failure = failure or p.scenario
            keywords = keywords or tuple(p.facts.issue_keywords)
    return PersonaInfo(persona_id, arch, failure, keywords)


def read_meta(path: Path) -> Mapping[str, Any]:
    """A session's ``meta.json`` (empty when missing or unreadable: it only adds context)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, Mapping) else {}
