"""The result of analysing one call, and ``analysis.json``: written and read here, nowhere else.

:meth:`CallAnalysis.to_dict` gives the document and :meth:`CallAnalysis.from_dict` reads one
back (ours, or one another tool wrote to the same contract). The contract is the JSON Schema
``analysis.schema.json`` in this package (:func:`analysis_schema`); ``audio_analysis/README.md``
explains each field. Times are seconds from the start of the recording.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .drift import ToneDrift
from .errors import AnalysisError
from .fileio import write_json_atomic
from .gaps import DeadAir, Gap, Silence, dead_air_in, find_silences
from .overlap import Backchannel, Interruption
from .settings import DEAD_AIR_S
from .transcribe import Word
from .turns import Span

#: Version of the ``analysis.json`` layout written here; older documents are read, newer refused.
SCHEMA_VERSION = 1
#: The JSON Schema of ``analysis.json``, shipped in this package.
SCHEMA_FILE = "analysis.schema.json"
ROLES = ("trainee", "customer")
#: Decimals kept for seconds, Hz, dB and wpm in the file (a millisecond, a thousandth of a dB).
DECIMALS = 3

T = TypeVar("T")


@dataclass(frozen=True)
class Turn:
    """One speaker's turn.

    Attributes
    ----------
    speaker : str
        ``"trainee"`` or ``"customer"``.
    start_s, end_s : float
        Seconds from the start of the recording.
    text : str
        Words recognised in the turn ("" without transcription).
    words : int
        Word count.
    word_times : tuple of Word
        Each word with its start and end, seconds.
    wpm : float or None
        Words per minute of the turn's duration.
    pitch_hz_median : float or None
        Octave-robust median F0 over voiced frames, Hz.
    loudness_dbfs : float or None
        RMS level over the turn's speech frames, dBFS.
    """

    speaker: str
    start_s: float
    end_s: float
    text: str
    words: int
    word_times: tuple[Word, ...]
    wpm: float | None
    pitch_hz_median: float | None
    loudness_dbfs: float | None

    @property
    def duration_s(self) -> float:
        """Turn length, seconds."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class SpeakerStats:
    """One speaker over the call (seconds, words, Hz, dBFS)."""

    talk_time_s: float
    turns: int
    words: int
    wpm: float | None
    pitch_hz_median: float | None
    loudness_dbfs_median: float | None
    overtalk_s: float


@dataclass(frozen=True)
class Series:
    """Pitch (Hz) and loudness (dBFS) every ``hop_s`` seconds; None where the speaker is silent."""

    hop_s: float
    pitch_hz: tuple[float | None, ...]
    loudness_dbfs: tuple[float | None, ...]


@dataclass(frozen=True)
class CallAnalysis:
    """Everything measured in one call; :meth:`to_dict` gives ``analysis.json``."""

    source: str
    duration_s: float
    sample_rate: int
    channels: Mapping[str, int]
    warnings: tuple[str, ...]
    speakers: Mapping[str, SpeakerStats | None]
    turns: tuple[Turn, ...]
    interruptions: tuple[Interruption, ...]
    backchannels: tuple[Backchannel, ...]
    backchannel_text: tuple[str, ...]
    gaps: tuple[Gap, ...]
    dead_air: tuple[DeadAir, ...]
    """The trainee's dead air (:attr:`Silence.is_dead_air`), a subset of ``silences``."""
    tone_drift: Mapping[str, ToneDrift | None]
    series: Mapping[str, Series]
    speech: Mapping[str, tuple[tuple[float, float], ...]]
    models: Mapping[str, str]
    timings_s: Mapping[str, float] = field(default_factory=dict)
    silences: tuple[Silence, ...] = ()
    """Every silence of both speakers longer than the dead-air threshold, with who spoke either
    side (for readers that can tell whose it is from more than audio: hold notices, words)."""

    def turns_of(self, speaker: str) -> list[Turn]:
        """The speaker's turns in order."""
        return [t for t in self.turns if t.speaker == speaker]

    def to_dict(self) -> dict[str, Any]:
        """The ``analysis.json`` object (schema_version 1); NaN becomes null."""
        return {
            "schema_version": SCHEMA_VERSION,
            "source": self.source,
            "duration_s": round(self.duration_s, DECIMALS),
            "sample_rate": self.sample_rate,
            "channels": dict(self.channels),
            "warnings": list(self.warnings),
            "models": dict(self.models),
            "speakers": {r: _fields(self.speakers.get(r)) for r in ROLES},
            "turns": [_turn_dict(t) for t in self.turns],
            "interruptions": [
                {"by": i.by, "of": i.of, "start_s": i.start_s, "overlap_s": i.overlap_s}
                for i in self.interruptions
            ],
            "backchannels": [
                {"by": b.by, "of": b.of, "start_s": b.start_s, "duration_s": b.duration_s}
                | {"text": text}
                for b, text in zip(self.backchannels, self.backchannel_text, strict=True)
            ],
            "gaps": [_between_dict(g) for g in self.gaps],
            "silences": [_between_dict(g) for g in self.silences],
            "dead_air": [{"start_s": d.start_s, "duration_s": d.duration_s} for d in self.dead_air],
            "tone_drift": {r: _fields(self.tone_drift.get(r)) for r in ROLES},
            "speech": {r: [list(s) for s in segs] for r, segs in self.speech.items()},
            "series": {
                r: {
                    "hop_s": s.hop_s,
                    "pitch_hz": list(s.pitch_hz),
                    "loudness_dbfs": list(s.loudness_dbfs),
                }
                for r, s in self.series.items()
            },
            "timings_s": {k: round(v, DECIMALS) for k, v in self.timings_s.items()},
        }

    @classmethod
    def from_dict(cls, doc: Any, *, source: str = "analysis.json") -> CallAnalysis:
        """Read an ``analysis.json`` document (parsed JSON) back into a :class:`CallAnalysis`.

        Required: ``schema_version`` (1 up to :data:`SCHEMA_VERSION`), ``duration_s`` and
        ``turns``; every other field may be missing and then reads as empty (no interruptions,
        no series...), so documents from other tools that hold only what they measured work.
        Unknown fields are ignored: the contract can grow. A document without ``silences``
        (written before they were, when ``dead_air`` counted any silence of both speakers) gets
        its silences and dead air from its speech (or its turns) at :data:`DEAD_AIR_S`.

        Raises
        ------
        AnalysisError
            ``<source>: <field path>: <problem>`` for a missing or mistyped field, a negative
            time, a turn that ends before it starts, or a newer schema_version.
        """
        return _Reader(source).analysis(doc)


def _num(x: Any) -> Any:
    if isinstance(x, float | np.floating):
        return None if not math.isfinite(float(x)) else round(float(x), DECIMALS)
    return x


def _fields(obj: Any) -> dict[str, Any] | None:
    """A result dataclass as a dict with its floats rounded (None stays None)."""
    return None if obj is None else {k: _num(v) for k, v in obj.__dict__.items()}


def _between_dict(g: Gap | Silence) -> dict[str, Any]:
    """A gap or a silence: whose turns it lies between, when and how long."""
    return {
        "from": g.from_speaker,
        "to": g.to_speaker,
        "start_s": g.start_s,
        "duration_s": g.duration_s,
    }


def _turn_dict(t: Turn) -> dict[str, Any]:
    d = _fields(t)
    assert d is not None
    d["word_times"] = [
        {"word": w.word, "start_s": w.start_s, "end_s": w.end_s} for w in t.word_times
    ]
    return d


class _Reader:
    """Walks a parsed ``analysis.json``; every error names the source and the field path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> AnalysisError:
        return AnalysisError(f"{self.source}: {where}: {problem}")

    # -- leaves -----------------------------------------------------------------------------
    def obj(self, v: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(v, Mapping):
            raise self.fail(where, f"expected an object, got {_kind(v)}")
        return v

    def arr(self, v: Any, where: str) -> list[Any]:
        if not isinstance(v, list):
            raise self.fail(where, f"expected a list, got {_kind(v)}")
        return v

    def req(self, m: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in m:
            raise self.fail(where, f"missing field '{key}'")
        return m[key]

    def num(self, v: Any, where: str, *, minimum: float | None = None) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.fail(where, f"expected a number, got {_kind(v)}")
        if not math.isfinite(v):
            raise self.fail(where, f"expected a finite number, got {v}")
        if minimum is not None and v < minimum:
            raise self.fail(where, f"must be at least {minimum:g}, got {v}")
        return float(v)

    def opt_num(self, v: Any, where: str) -> float | None:
        return None if v is None else self.num(v, where)

    def time(self, v: Any, where: str) -> float:
        return self.num(v, where, minimum=0.0)

    def count(self, v: Any, where: str) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise self.fail(where, f"expected a whole number >= 0, got {_kind(v)}")
        return v

    def text(self, v: Any, where: str) -> str:
        if not isinstance(v, str):
            raise self.fail(where, f"expected text, got {_kind(v)}")
        return v

    def speaker(self, v: Any, where: str) -> str:
        if v not in ROLES:
            raise self.fail(where, f"expected 'trainee' or 'customer', got {v!r}")
        return str(v)

    def items(
        self,
        doc: Mapping[str, Any],
        key: str,
        read: Callable[[Mapping[str, Any], str], T],
        where: str = "",
    ) -> tuple[T, ...]:
        at = f"{where}.{key}" if where else key
        raw = self.arr(doc.get(key, []), at)
        return tuple(read(self.obj(x, f"{at}[{i}]"), f"{at}[{i}]") for i, x in enumerate(raw))

    def per_role(
        self, doc: Mapping[str, Any], key: str, read: Callable[[Any, str], T]
    ) -> dict[str, T]:
        raw = self.obj(doc.get(key, {}), key)
        return {r: read(raw[r], f"{key}.{r}") for r in ROLES if r in raw}

    # -- records ----------------------------------------------------------------------------
    def word(self, w: Mapping[str, Any], where: str) -> Word:
        start = self.time(self.req(w, "start_s", where), f"{where}.start_s")
        end = self.time(self.req(w, "end_s", where), f"{where}.end_s")
        return Word(self.text(self.req(w, "word", where), f"{where}.word"), start, end)

    def turn(self, t: Mapping[str, Any], where: str) -> Turn:
        start = self.time(self.req(t, "start_s", where), f"{where}.start_s")
        end = self.time(self.req(t, "end_s", where), f"{where}.end_s")
        if end < start:
            raise self.fail(f"{where}.end_s", f"{end} is before start_s {start}")
        text = self.text(t.get("text", ""), f"{where}.text")
        words = t.get("words")
        return Turn(
            speaker=self.speaker(self.req(t, "speaker", where), f"{where}.speaker"),
            start_s=start,
            end_s=end,
            text=text,
            words=len(text.split()) if words is None else self.count(words, f"{where}.words"),
            word_times=self.items(t, "word_times", self.word, where),
            wpm=self.opt_num(t.get("wpm"), f"{where}.wpm"),
            pitch_hz_median=self.opt_num(t.get("pitch_hz_median"), f"{where}.pitch_hz_median"),
            loudness_dbfs=self.opt_num(t.get("loudness_dbfs"), f"{where}.loudness_dbfs"),
        )

    def interruption(self, i: Mapping[str, Any], where: str) -> Interruption:
        return Interruption(
            by=self.speaker(self.req(i, "by", where), f"{where}.by"),
            of=self.speaker(self.req(i, "of", where), f"{where}.of"),
            start_s=self.time(self.req(i, "start_s", where), f"{where}.start_s"),
            overlap_s=self.time(i.get("overlap_s", 0.0), f"{where}.overlap_s"),
        )

    def backchannel(self, b: Mapping[str, Any], where: str) -> tuple[Backchannel, str]:
        by = self.speaker(self.req(b, "by", where), f"{where}.by")
        other = ROLES[1 - ROLES.index(by)]
        return (
            Backchannel(
                by=by,
                of=self.speaker(b.get("of", other), f"{where}.of"),
                start_s=self.time(self.req(b, "start_s", where), f"{where}.start_s"),
                duration_s=self.time(b.get("duration_s", 0.0), f"{where}.duration_s"),
            ),
            self.text(b.get("text", ""), f"{where}.text"),
        )

    def between(self, g: Mapping[str, Any], where: str) -> tuple[str, str, float, float]:
        """A gap's or a silence's fields: from, to, start_s, duration_s."""
        return (
            self.speaker(self.req(g, "from", where), f"{where}.from"),
            self.speaker(self.req(g, "to", where), f"{where}.to"),
            self.time(self.req(g, "start_s", where), f"{where}.start_s"),
            self.time(self.req(g, "duration_s", where), f"{where}.duration_s"),
        )

    def gap(self, g: Mapping[str, Any], where: str) -> Gap:
        return Gap(*self.between(g, where))

    def silence(self, g: Mapping[str, Any], where: str) -> Silence:
        return Silence(*self.between(g, where))

    def dead_air(self, d: Mapping[str, Any], where: str) -> DeadAir:
        return DeadAir(
            start_s=self.time(self.req(d, "start_s", where), f"{where}.start_s"),
            duration_s=self.time(self.req(d, "duration_s", where), f"{where}.duration_s"),
        )

    def speaker_stats(self, v: Any, where: str) -> SpeakerStats | None:
        if v is None:
            return None
        s = self.obj(v, where)
        return SpeakerStats(
            talk_time_s=self.time(self.req(s, "talk_time_s", where), f"{where}.talk_time_s"),
            turns=self.count(s.get("turns", 0), f"{where}.turns"),
            words=self.count(s.get("words", 0), f"{where}.words"),
            wpm=self.opt_num(s.get("wpm"), f"{where}.wpm"),
            pitch_hz_median=self.opt_num(s.get("pitch_hz_median"), f"{where}.pitch_hz_median"),
            loudness_dbfs_median=self.opt_num(
                s.get("loudness_dbfs_median"), f"{where}.loudness_dbfs_median"
            ),
            overtalk_s=self.time(s.get("overtalk_s", 0.0), f"{where}.overtalk_s"),
        )

    def drift(self, v: Any, where: str) -> ToneDrift | None:
        if v is None:
            return None
        d = self.obj(v, where)
        return ToneDrift(
            *(
                self.opt_num(d.get(k), f"{where}.{k}")
                for k in ("pitch_st", "loudness_db", "wpm_pct")
            )
        )

    def series(self, v: Any, where: str) -> Series:
        s = self.obj(v, where)

        def values(key: str) -> tuple[float | None, ...]:
            raw = self.arr(s.get(key, []), f"{where}.{key}")
            return tuple(self.opt_num(x, f"{where}.{key}[{i}]") for i, x in enumerate(raw))

        hop = self.num(self.req(s, "hop_s", where), f"{where}.hop_s")
        if hop <= 0:
            raise self.fail(f"{where}.hop_s", f"must be above 0, got {hop}")
        return Series(hop, values("pitch_hz"), values("loudness_dbfs"))

    def segments(self, v: Any, where: str) -> tuple[tuple[float, float], ...]:
        out = []
        for i, seg in enumerate(self.arr(v, where)):
            pair = self.arr(seg, f"{where}[{i}]")
            if len(pair) != 2:
                raise self.fail(f"{where}[{i}]", f"expected [start_s, end_s], got {pair!r}")
            out.append((self.time(pair[0], f"{where}[{i}]"), self.time(pair[1], f"{where}[{i}]")))
        return tuple(out)

    # -- the document -----------------------------------------------------------------------
    def version(self, doc: Mapping[str, Any]) -> None:
        v = self.req(doc, "schema_version", "document")
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise self.fail("schema_version", f"expected a whole number >= 1, got {_kind(v)}")
        if v > SCHEMA_VERSION:
            raise self.fail(
                "schema_version",
                f"{v} is newer than this version of voice-sim reads ({SCHEMA_VERSION}); "
                "upgrade voice-sim",
            )

    def analysis(self, raw: Any) -> CallAnalysis:
        doc = self.obj(raw, "document")
        self.version(doc)
        duration = self.time(self.req(doc, "duration_s", "document"), "duration_s")
        self.req(doc, "turns", "document")
        backs = self.items(doc, "backchannels", self.backchannel)
        channels = self.obj(doc.get("channels", {"trainee": 0, "customer": 1}), "channels")
        warnings = self.arr(doc.get("warnings", []), "warnings")
        rate = doc.get("sample_rate", 0)
        turns = self.items(doc, "turns", self.turn)
        speech = self.per_role(doc, "speech", self.segments)
        if "silences" in doc:
            silences = self.items(doc, "silences", self.silence)
            dead_air = self.items(doc, "dead_air", self.dead_air)
        else:
            silences = _silences_of(turns, tuple(b for b, _ in backs), speech)
            dead_air = tuple(dead_air_in(silences))
        return CallAnalysis(
            source=self.text(doc.get("source", ""), "source"),
            duration_s=duration,
            sample_rate=0 if rate is None else self.count(rate, "sample_rate"),
            channels={
                self.speaker(r, "channels"): self.count(c, f"channels.{r}")
                for r, c in channels.items()
            },
            warnings=tuple(self.text(w, f"warnings[{i}]") for i, w in enumerate(warnings)),
            speakers={r: None for r in ROLES} | self.per_role(doc, "speakers", self.speaker_stats),
            turns=turns,
            interruptions=self.items(doc, "interruptions", self.interruption),
            backchannels=tuple(b for b, _ in backs),
            backchannel_text=tuple(t for _, t in backs),
            gaps=self.items(doc, "gaps", self.gap),
            silences=silences,
            dead_air=dead_air,
            tone_drift={r: None for r in ROLES} | self.per_role(doc, "tone_drift", self.drift),
            series=self.per_role(doc, "series", self.series),
            speech=speech,
            models={
                str(k): self.text(v, f"models.{k}")
                for k, v in self.obj(doc.get("models", {}), "models").items()
            },
            timings_s={
                str(k): self.time(v, f"timings_s.{k}")
                for k, v in self.obj(doc.get("timings_s", {}), "timings_s").items()
            },
        )


def _silences_of(
    turns: tuple[Turn, ...],
    backchannels: tuple[Backchannel, ...],
    speech: Mapping[str, tuple[tuple[float, float], ...]],
) -> tuple[Silence, ...]:
    """The long silences of a document written before ``silences`` were: from its speech
    segments, else from its turns and backchannels."""
    floor = [Span(t.speaker, t.start_s, t.end_s) for t in turns]
    if speech:
        spans = [Span(r, s, e) for r, segs in speech.items() for s, e in segs]
    else:
        spans = floor + [Span(b.by, b.start_s, b.start_s + b.duration_s) for b in backchannels]
    return tuple(find_silences(spans, floor, longer_than_s=DEAD_AIR_S))


def _kind(v: Any) -> str:
    """How a JSON value reads in an error message."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float | str):
        return repr(v)
    if isinstance(v, Mapping):
        return "an object"
    return "a list" if isinstance(v, list) else type(v).__name__


def read_analysis(path: str | Path) -> CallAnalysis:
    """Read ``analysis.json`` (the file, or a folder holding it); errors name the file."""
    path = Path(path)
    if path.is_dir():
        path = path / "analysis.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AnalysisError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise AnalysisError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnalysisError(f"{path}: cannot read: {exc}") from None
    return CallAnalysis.from_dict(doc, source=str(path))


def write_analysis(analysis: CallAnalysis, path: str | Path) -> Path:
    """Write ``analysis.json`` atomically; ``path`` may be the file or its folder."""
    path = Path(path)
    if path.suffix != ".json":
        path = path / "analysis.json"
    return write_json_atomic(path, analysis.to_dict())


def analysis_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``analysis.json``."""
    text = (resources.files("audio_analysis") / SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
