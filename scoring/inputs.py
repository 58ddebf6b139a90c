"""Read ``analysis.json`` and ``events.jsonl`` into typed, frozen call inputs.

Only the fields the scorer uses are read; unknown fields are ignored so the analysis contract can
grow. Times are seconds from the start of the recording.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The analysis result types: scoring reads analysis.json into the very types audio_analysis
# writes it from, so the two packages cannot drift apart.
from audio_analysis import Backchannel, DeadAir, Gap, Interruption, Turn
from audio_analysis import Word as WordTime

from .errors import ScoringError
from .settings import ANALYSIS_SCHEMA_VERSION

SPEAKERS = ("trainee", "customer")


def _other(speaker: str) -> str:
    return "customer" if speaker == "trainee" else "trainee"


@dataclass(frozen=True)
class Drift:
    """Last third of a speaker's turns against the first third (semitones, dB, percent)."""

    pitch_st: float | None
    loudness_db: float | None
    wpm_pct: float | None


@dataclass(frozen=True)
class SpeakerStats:
    """Whole-call figures for one speaker."""

    talk_time_s: float
    wpm: float | None
    pitch_hz_median: float | None
    loudness_dbfs_median: float | None


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
    persona : str or None
        Persona id when known.
    abusive_persona : bool or None
        ``True`` when the persona is known to be abusive (the boundary item then applies).
    two_channels : bool
        ``False`` for a mono recording: nothing is known about the customer's side.
    """

    name: str
    duration_s: float
    turns: tuple[Turn, ...]
    interruptions: tuple[Interruption, ...]
    backchannels: tuple[Backchannel, ...]
    gaps: tuple[Gap, ...]
    dead_air: tuple[DeadAir, ...]
    drift: Mapping[str, Drift]
    speakers: Mapping[str, SpeakerStats]
    intensity: tuple[IntensityEvent, ...] = ()
    hangups: tuple[Hangup, ...] = ()
    persona: str | None = None
    abusive_persona: bool | None = None
    recording: Path | None = None
    source: str = ""
    warnings: tuple[str, ...] = ()
    two_channels: bool = True

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


def _req(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise ScoringError(f"{where}: missing field '{key}'")
    return mapping[key]


def _list(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ScoringError(f"{where}: '{key}' must be a list of objects")
    return value


def read_json(path: Path) -> Mapping[str, Any]:
    """Read a JSON object from ``path``; errors name the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScoringError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise ScoringError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScoringError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, Mapping):
        raise ScoringError(f"{path}: expected a JSON object")
    return data


def read_events(path: Path) -> list[Mapping[str, Any]]:
    """Read ``events.jsonl``; a line that is not a JSON object is an error naming the line.

    A torn last line (the call was killed mid-write) is skipped, since the file is appended live.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ScoringError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScoringError(f"{path}: cannot read: {exc}") from None
    events: list[Mapping[str, Any]] = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            if i == len(lines):
                continue
            raise ScoringError(f"{path}: line {i}: not valid JSON") from None
        if not isinstance(obj, Mapping) or not isinstance(obj.get("type"), str):
            raise ScoringError(f"{path}: line {i}: expected an object with a 'type'")
        events.append(obj)
    return events


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


def _fill_text_from_transcripts(
    turns: list[Turn], events: Sequence[Mapping[str, Any]]
) -> list[Turn]:
    """Give text to turns the analysis left empty, from the call's own transcript events."""
    transcripts = [e for e in events if e.get("type") == "transcript"]
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
            s = _num(e.get("start_s", e.get("t_s")), "transcript", optional=True)
            en = _num(e.get("end_s"), "transcript", optional=True)
            if s is None or e.get("speaker") != t.speaker:
                continue
            mid = s if en is None else (s + en) / 2.0
            if t.start_s - 0.25 <= mid <= t.end_s + 0.25:
                parts.append(str(e.get("text", "")).strip())
                words.extend(_word_times(e.get("words"), "transcript"))
        text = " ".join(p for p in parts if p)
        out.append(
            Turn(
                t.speaker,
                t.start_s,
                t.end_s,
                text,
                len(text.split()) or t.words,
                tuple(words) or t.word_times,
                t.wpm,
                t.pitch_hz_median,
                t.loudness_dbfs,
            )
        )
    return out


def call_inputs(
    analysis: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]] = (),
    *,
    source: str = "analysis.json",
    name: str | None = None,
    recording: Path | None = None,
    persona: str | None = None,
    abusive_persona: bool | None = None,
) -> CallInputs:
    """Validate an ``analysis.json`` document (and the call's events) into ``CallInputs``.

    Parameters
    ----------
    analysis : mapping
        The parsed ``analysis.json`` (schema_version 1).
    events : sequence of mapping
        The parsed ``events.jsonl`` lines, or empty for recordings that are not ours.
    source : str
        File name used in error messages.

    Raises
    ------
    ScoringError
        A newer ``schema_version``, a missing or mistyped field, or no trainee speech.
    """
    version = analysis.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ScoringError(f"{source}: missing or non-integer 'schema_version'")
    if version > ANALYSIS_SCHEMA_VERSION:
        raise ScoringError(
            f"{source}: schema_version {version} is newer than this scorer reads "
            f"({ANALYSIS_SCHEMA_VERSION}); upgrade voice-sim"
        )
    duration = _num(_req(analysis, "duration_s", source), f"{source}: duration_s")
    assert duration is not None
    turns: list[Turn] = []
    for i, raw in enumerate(_list(analysis, "turns", source)):
        where = f"{source}: turns[{i}]"
        speaker = _req(raw, "speaker", where)
        if speaker not in SPEAKERS:
            raise ScoringError(f"{where}.speaker: expected trainee or customer, got {speaker!r}")
        start = _num(_req(raw, "start_s", where), f"{where}.start_s")
        end = _num(_req(raw, "end_s", where), f"{where}.end_s")
        assert start is not None and end is not None
        text = raw.get("text") or ""
        if not isinstance(text, str):
            raise ScoringError(f"{where}.text: expected a string")
        wc = raw.get("words")
        turns.append(
            Turn(
                speaker=speaker,
                start_s=start,
                end_s=end,
                text=text,
                words=int(wc) if isinstance(wc, int | float) else len(text.split()),
                word_times=_word_times(raw.get("word_times"), where),
                wpm=_num(raw.get("wpm"), f"{where}.wpm", optional=True),
                pitch_hz_median=_num(raw.get("pitch_hz_median"), where, optional=True),
                loudness_dbfs=_num(raw.get("loudness_dbfs"), where, optional=True),
            )
        )
    turns.sort(key=lambda t: t.start_s)
    turns = _fill_text_from_transcripts(turns, events)
    if not any(t.speaker == "trainee" and t.end_s > t.start_s for t in turns):
        raise ScoringError(
            f"{source}: no trainee speech in the recording (no turn on the trainee channel); "
            "nothing to score - check the channel mapping or the microphone"
        )

    def items(key: str) -> list[Mapping[str, Any]]:
        return _list(analysis, key, source)

    interruptions = tuple(
        Interruption(
            str(_req(r, "by", f"{source}: interruptions[{i}]")),
            str(_req(r, "of", f"{source}: interruptions[{i}]")),
            _num(_req(r, "start_s", f"{source}: interruptions[{i}]"), source) or 0.0,
            _num(r.get("overlap_s"), source, optional=True) or 0.0,
        )
        for i, r in enumerate(items("interruptions"))
    )
    backchannels = tuple(
        Backchannel(
            str(r.get("by", "")),
            str(r.get("of") or _other(str(r.get("by", "")))),
            _num(_req(r, "start_s", f"{source}: backchannels[{i}]"), source) or 0.0,
            _num(r.get("duration_s"), source, optional=True) or 0.0,
        )
        for i, r in enumerate(items("backchannels"))
    )
    gaps = tuple(
        Gap(
            str(r.get("from", "")),
            str(r.get("to", "")),
            _num(_req(r, "start_s", f"{source}: gaps[{i}]"), source) or 0.0,
            _num(_req(r, "duration_s", f"{source}: gaps[{i}]"), source) or 0.0,
        )
        for i, r in enumerate(items("gaps"))
    )
    dead_air = tuple(
        DeadAir(
            _num(_req(r, "start_s", f"{source}: dead_air[{i}]"), source) or 0.0,
            _num(_req(r, "duration_s", f"{source}: dead_air[{i}]"), source) or 0.0,
        )
        for i, r in enumerate(items("dead_air"))
    )
    drift: dict[str, Drift] = {}
    raw_drift = analysis.get("tone_drift") or {}
    speakers_raw = analysis.get("speakers") or {}
    speakers: dict[str, SpeakerStats] = {}
    for spk in SPEAKERS:
        d = raw_drift.get(spk) if isinstance(raw_drift, Mapping) else None
        d = d if isinstance(d, Mapping) else {}
        drift[spk] = Drift(
            _num(d.get("pitch_st"), source, optional=True),
            _num(d.get("loudness_db"), source, optional=True),
            _num(d.get("wpm_pct"), source, optional=True),
        )
        s = speakers_raw.get(spk) if isinstance(speakers_raw, Mapping) else None
        s = s if isinstance(s, Mapping) else {}
        speakers[spk] = SpeakerStats(
            _num(s.get("talk_time_s"), source, optional=True) or 0.0,
            _num(s.get("wpm"), source, optional=True),
            _num(s.get("pitch_hz_median"), source, optional=True),
            _num(s.get("loudness_dbfs_median"), source, optional=True),
        )

    intensity: list[IntensityEvent] = []
    hangups: list[Hangup] = []
    for e in events:
        t = _num(e.get("t_s"), "events", optional=True) or 0.0
        if e.get("type") == "intensity":
            level = _num(e.get("level"), "events", optional=True)
            if level is None:
                continue
            intensity.append(
                IntensityEvent(
                    t,
                    level,
                    _num(e.get("previous"), "events", optional=True),
                    str(e.get("stage", "")),
                    str(e.get("reason", "")),
                )
            )
        elif e.get("type") == "hangup":
            hangups.append(Hangup(t, str(e.get("by", "")), str(e.get("reason", ""))))
        elif e.get("type") == "call_start" and persona is None and e.get("persona"):
            persona = str(e.get("persona"))
    intensity.sort(key=lambda ev: ev.t_s)
    if abusive_persona is None and persona and "abus" in persona.lower():
        abusive_persona = True
    warnings = analysis.get("warnings") or []
    return CallInputs(
        name=name or Path(source).parent.name or "call",
        duration_s=duration,
        turns=tuple(turns),
        interruptions=interruptions,
        backchannels=backchannels,
        gaps=gaps,
        dead_air=dead_air,
        drift=drift,
        speakers=speakers,
        intensity=tuple(intensity),
        hangups=tuple(hangups),
        persona=persona,
        abusive_persona=abusive_persona,
        recording=recording,
        source=source,
        warnings=tuple(str(w) for w in warnings) if isinstance(warnings, list) else (),
        two_channels=_has_customer_channel(analysis),
    )


def _has_customer_channel(analysis: Mapping[str, Any]) -> bool:
    """False for a mono recording (``channels`` names only the trainee)."""
    channels = analysis.get("channels")
    return not isinstance(channels, Mapping) or "customer" in channels
