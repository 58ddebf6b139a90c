"""The persona file format: YAML in, a validated frozen :class:`Persona` out.

Every error names the file, the line and the field, e.g.
``personas/library/x.yaml:12: start_intensity: must be 0-10, got 14``. The format is
documented field by field in ``docs/personas.md``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .archetypes import (
    ARCHETYPE_DEESCALATORS,
    ARCHETYPE_ESCALATORS,
    ARCHETYPE_HANG_UP,
    ARCHETYPE_SUPERVISOR,
    HangUp,
    SupervisorRule,
)
from .errors import PersonaError
from .vocabulary import ARCHETYPES, BANDS, DEESCALATORS, ESCALATORS, LINE_STAGES
from .voice import (
    ARCHETYPE_VOICES,
    BARGE_IN_FIELDS,
    VOICE_END_FIELDS,
    BargeIn,
    VoiceProfile,
    merge_profile,
)

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINE_BANDS = (*BANDS, "any")
#: Slots every line may use without declaring them in ``facts.slots``.
BUILTIN_SLOTS = ("name", "first_name")

TOP_KEYS = (
    "id",
    "display_name",
    "archetype",
    "scenario",
    "summary",
    "facts",
    "opening_line",
    "start_intensity",
    "ceiling",
    "floor",
    "voice",
    "barge_in",
    "escalates_on",
    "de_escalates_on",
    "hang_up",
    "supervisor",
    "profanity",
    "lines",
    "talk_over",
    "pressure_pause",
)
FACT_KEYS = (
    "account",
    "what_went_wrong",
    "resolution",
    "constraints",
    "must_ask",
    "issue_keywords",
    "slots",
)


@dataclass(frozen=True)
class MustAsk:
    """Something the trainee has to ask about before the customer tells them."""

    topic: str
    """What the question is about, for coaches."""
    keywords: tuple[str, ...]
    """Words in a trainee question that count as asking about it (lower case)."""
    answer: str
    """What the customer says when asked (may use slots)."""


@dataclass(frozen=True)
class Facts:
    """The hidden truth behind the call."""

    account: Mapping[str, str]
    """Account details the customer knows (plan, customer since, order number...)."""
    what_went_wrong: str
    """What really happened; the customer only partly knows it."""
    resolution: str
    """What would resolve the call."""
    constraints: str
    """What the trainee can and cannot do (policy, authority); empty if none."""
    must_ask: tuple[MustAsk, ...]
    """Facts the trainee must ask for."""
    issue_keywords: tuple[str, ...]
    """Words that show the trainee names the specific failure (lower case)."""
    slots: Mapping[str, str]
    """Values for ``{slot}`` placeholders in lines."""


#: A pressure pause's shortest and longest length when the persona gives none, seconds.
PRESSURE_PAUSE_MIN_S = 3.0
PRESSURE_PAUSE_MAX_S = 6.0
#: The lengths a persona may give, seconds.
PRESSURE_PAUSE_RANGE_S = (1.0, 10.0)


@dataclass(frozen=True)
class PressurePause:
    """Intentional silence: after some of the trainee's answers the customer says nothing for a
    while, as interview panels do, to see whether the trainee waits, clarifies or rambles."""

    chance: float
    """How often, after an answer, at intensity 10 (0-1; it falls off linearly with intensity,
    to a quarter of it at 0)."""
    min_s: float = PRESSURE_PAUSE_MIN_S
    """Shortest pause, seconds."""
    max_s: float = PRESSURE_PAUSE_MAX_S
    """Longest pause, seconds."""

    def chance_at(self, level: int) -> float:
        """The chance of a pause after an answer at intensity ``level`` (0-10)."""
        return self.chance * (0.25 + 0.75 * max(0, min(10, level)) / 10.0)


@dataclass(frozen=True)
class Persona:
    """A validated persona file."""

    id: str
    display_name: str
    archetype: str
    scenario: str
    summary: str
    facts: Facts
    opening_line: str
    start_intensity: int
    ceiling: int
    floor: int
    voice: VoiceProfile
    escalates_on: Mapping[str, int]
    """Trigger -> intensity steps up (archetype defaults merged with the file's overrides)."""
    de_escalates_on: Mapping[str, int]
    """Trigger -> intensity steps down."""
    hang_up: HangUp | None
    supervisor: SupervisorRule | None
    profanity: Mapping[str, str]
    """Swear word -> clean replacement, used when the ``clean`` switch is on."""
    lines: Mapping[str, Mapping[str, tuple[str, ...]]]
    """Stage -> band (low, mid, high, any) -> lines."""
    talk_over: tuple[str, ...]
    """Short lines for cutting in on a trainee who talks too long."""
    pressure_pause: PressurePause | None = None
    """Intentional silences after some answers (None: the customer never uses them)."""
    source: str | None = field(default=None, compare=False)
    """The file it came from."""

    def slot_values(self) -> dict[str, str]:
        """Every slot a line may use, built-ins included."""
        first = self.display_name.split()[0] if self.display_name.split() else self.display_name
        return {"name": self.display_name, "first_name": first, **self.facts.slots}


# --------------------------------------------------------------------------------------------
# YAML with line numbers


def _walk(
    node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], src: str
) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k)
            if key in seen:
                where = _fmt_path((*path, key))
                raise PersonaError(f"{src}:{k.start_mark.line + 1}: {where}: duplicate key")
            seen.add(key)
            lines[(*path, key)] = k.start_mark.line + 1
            _walk(v, (*path, key), lines, src)
            lines[(*path, key)] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        _no_split_numbers(node, path, src)
        for i, v in enumerate(node.value):
            _walk(v, (*path, i), lines, src)


_DIGITS = re.compile(r"\d{1,3}")
_THOUSANDS = re.compile(r"\d{3}")


def _no_split_numbers(node: yaml.SequenceNode, path: tuple[Any, ...], src: str) -> None:
    """A number with a thousands comma in a flow list (``[rows, 10,000]``) is two items to YAML,
    10 and 0: refuse it, naming the number to quote."""
    items = node.value
    i = 0
    while i + 1 < len(items):
        a = items[i]
        run = [a]
        while i + len(run) < len(items):
            b = items[i + len(run)]
            prev = run[-1]
            touching = b.start_mark.index == prev.end_mark.index + 1  # "10,000": no space
            if not (isinstance(b, yaml.ScalarNode) and touching and _THOUSANDS.fullmatch(b.value)):
                break
            run.append(b)
        if len(run) > 1 and isinstance(a, yaml.ScalarNode) and _DIGITS.fullmatch(a.value):
            number = ",".join(str(n.value) for n in run)
            parts = " and ".join(str(int(n.value)) for n in run)
            where = _fmt_path((*path, i))
            raise PersonaError(
                f"{src}:{a.start_mark.line + 1}: {where}: {number} reads as {len(run)} items "
                f'({parts}); quote it: "{number}"'
            )
        i += 1


def _fmt_path(path: tuple[Any, ...]) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "(document)"


#: libyaml's safe loader when PyYAML was built with it (about 5x faster: `personas list` reads
#: every file of the library), else the pure-Python one. Same documents, same line marks.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Doc:
    """A parsed YAML document plus the line of every field, for precise errors."""

    def __init__(self, text: str, src: str) -> None:
        self.src = src
        self.lines: dict[tuple[Any, ...], int] = {}
        try:
            node = yaml.compose(text, Loader=_LOADER)
            if node is None:
                raise PersonaError(f"{src}:1: (document): file is empty")
            _walk(node, (), self.lines, src)
            self.data = yaml.load(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            problem = exc.problem or exc.context or "syntax error"
            raise PersonaError(f"{src}:{line}: invalid YAML: {problem}") from None
        except yaml.YAMLError as exc:
            raise PersonaError(f"{src}:1: invalid YAML: {exc}") from None

    def error(self, path: tuple[Any, ...], problem: str) -> PersonaError:
        p = path
        while p not in self.lines and p:
            p = p[:-1]
        line = self.lines.get(p, 1)
        return PersonaError(f"{self.src}:{line}: {_fmt_path(path)}: {problem}")


def _type_name(v: Any) -> str:
    if v is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
        type(v), type(v).__name__
    )


class _Reader:
    def __init__(self, doc: _Doc) -> None:
        self.doc = doc

    def get(self, path: tuple[Any, ...]) -> Any:
        cur: Any = self.doc.data
        for p in path:
            if (isinstance(cur, dict) and p in cur) or (
                isinstance(cur, list) and isinstance(p, int) and p < len(cur)
            ):
                cur = cur[p]
            else:
                return _MISSING
        return cur

    def mapping(
        self, path: tuple[Any, ...], *, required: bool = True, keys: tuple[str, ...] | None = None
    ) -> dict[str, Any]:
        v = self.get(path)
        if v is _MISSING or v is None:
            if required:
                raise self.doc.error(path, "required field missing")
            return {}
        if not isinstance(v, dict):
            raise self.doc.error(path, f"must be a mapping, got {_type_name(v)}")
        if keys is not None:
            for k in v:
                if k not in keys:
                    raise self.doc.error((*path, k), f"unknown field (known: {', '.join(keys)})")
        return v

    def text(self, path: tuple[Any, ...], *, required: bool = True, default: str = "") -> str:
        v = self.get(path)
        if v is _MISSING or v is None:
            if required:
                raise self.doc.error(path, "required field missing")
            return default
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise self.doc.error(path, f"must be text, got {_type_name(v)}")
        s = str(v).strip()
        if required and not s:
            raise self.doc.error(path, "must not be empty")
        return s

    def integer(
        self, path: tuple[Any, ...], lo: int, hi: int, *, default: int | None = None
    ) -> int:
        v = self.get(path)
        if v is _MISSING or v is None:
            if default is None:
                raise self.doc.error(path, "required field missing")
            return default
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.doc.error(path, f"must be a whole number {lo}-{hi}, got {v!r}")
        if not lo <= v <= hi:
            raise self.doc.error(path, f"must be {lo}-{hi}, got {v}")
        return v

    def number(self, path: tuple[Any, ...], lo: float, hi: float) -> float:
        v = self.get(path)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.doc.error(path, f"must be a number {lo}-{hi}, got {v!r}")
        if not lo <= float(v) <= hi:
            raise self.doc.error(path, f"must be {lo}-{hi}, got {v}")
        return float(v)

    def text_list(
        self, path: tuple[Any, ...], *, required: bool = True, min_len: int = 1
    ) -> tuple[str, ...]:
        v = self.get(path)
        if v is _MISSING or v is None:
            if required:
                raise self.doc.error(path, "required field missing")
            return ()
        if isinstance(v, str):
            return (self.text(path),)
        if not isinstance(v, list):
            raise self.doc.error(path, f"must be a list of text, got {_type_name(v)}")
        if len(v) < min_len:
            raise self.doc.error(path, f"needs at least {min_len} item(s)")
        return tuple(self.text((*path, i)) for i in range(len(v)))


_MISSING: Any = object()

#: Bounds of each voice setting (personas and trainee scripts alike), low and high: beyond
#: these Piper output sounds broken or clips.
VOICE_BOUNDS = {
    "length_scale": (0.5, 2.0),
    "volume": (0.1, 2.0),
    "pitch_shift_st": (-6.0, 6.0),
    "noise_scale": (0.0, 1.5),
    "noise_w": (0.0, 1.5),
    "reply_gap_s": (0.0, 5.0),
}


def _slots_in(text: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise ValueError(f"bad {{slot}} syntax ({exc})") from None


def parse_persona(text: str, src: str = "<persona>") -> Persona:
    """Validate YAML text and build a :class:`Persona`.

    Parameters
    ----------
    text : str
        The YAML document.
    src : str
        File name used in error messages.

    Raises
    ------
    PersonaError
        ``<src>:<line>: <field>: <problem>`` for the first problem found.
    """
    doc = _Doc(text, src)
    r = _Reader(doc)
    if not isinstance(doc.data, dict):
        raise doc.error((), f"must be a mapping of fields, got {_type_name(doc.data)}")
    r.mapping((), keys=TOP_KEYS)
    # read in the order the file is documented, so the first problem reported is the first one
    pid, display_name, archetype = _identity(r)
    scenario = r.text(("scenario",))
    summary = r.text(("summary",), required=False)
    facts = _facts(r)
    opening = r.text(("opening_line",))
    start, ceiling, floor = _intensity(r)
    voice = _voice(r, archetype)
    escalates = _weights(r, "escalates_on", ARCHETYPE_ESCALATORS[archetype], ESCALATORS)
    calms = _weights(r, "de_escalates_on", ARCHETYPE_DEESCALATORS[archetype], DEESCALATORS)
    hang_up = _hang_up(r, ARCHETYPE_HANG_UP[archetype], ceiling)
    supervisor = _supervisor(r, ARCHETYPE_SUPERVISOR[archetype], ceiling)
    profanity = _profanity(r, archetype)
    lines, line_paths = _lines(r)
    persona = Persona(
        id=pid,
        display_name=display_name,
        archetype=archetype,
        scenario=scenario,
        summary=summary,
        facts=facts,
        opening_line=opening,
        start_intensity=start,
        ceiling=ceiling,
        floor=floor,
        voice=voice,
        escalates_on=escalates,
        de_escalates_on=calms,
        hang_up=hang_up,
        supervisor=supervisor,
        profanity=profanity,
        lines=lines,
        talk_over=r.text_list(("talk_over",), required=False),
        pressure_pause=_pressure_pause(r),
        source=src,
    )
    _check_slots(doc, persona, line_paths)
    return persona


def _identity(r: _Reader) -> tuple[str, str, str]:
    """``id``, ``display_name`` and ``archetype``."""
    pid = r.text(("id",))
    if not ID_RE.match(pid):
        raise r.doc.error(("id",), f"must be lower-case words joined by '-', got {pid!r}")
    display_name = r.text(("display_name",))
    archetype = r.text(("archetype",))
    if archetype not in ARCHETYPES:
        raise r.doc.error(
            ("archetype",), f"unknown archetype {archetype!r} (known: {', '.join(ARCHETYPES)})"
        )
    return pid, display_name, archetype


def _facts(r: _Reader) -> Facts:
    """``facts``: the account, what went wrong, the slots and what the trainee must ask."""
    doc = r.doc
    r.mapping(("facts",), keys=FACT_KEYS)
    account_raw = r.mapping(("facts", "account"), required=False)
    account = {str(k): r.text(("facts", "account", k)) for k in account_raw}
    slots_raw = r.mapping(("facts", "slots"), required=False)
    slots = {str(k): r.text(("facts", "slots", k)) for k in slots_raw}
    for k in slots:
        if not re.match(r"^[a-z_][a-z0-9_]*$", k):
            raise doc.error(("facts", "slots", k), "slot names are lower_case_with_underscores")
    if "issue" not in slots:
        raise doc.error(
            ("facts", "slots", "issue"),
            "required field missing (a short name for the problem, e.g. 'the double charge')",
        )
    must_ask = _must_ask(r)
    return Facts(
        account=account,
        what_went_wrong=r.text(("facts", "what_went_wrong")),
        resolution=r.text(("facts", "resolution")),
        constraints=r.text(("facts", "constraints"), required=False),
        must_ask=must_ask,
        issue_keywords=tuple(k.lower() for k in r.text_list(("facts", "issue_keywords"))),
        slots=slots,
    )


def _must_ask(r: _Reader) -> tuple[MustAsk, ...]:
    must_raw = r.get(("facts", "must_ask"))
    if must_raw is _MISSING or must_raw is None:
        raise r.doc.error(("facts", "must_ask"), "required field missing")
    if not isinstance(must_raw, list) or not must_raw:
        raise r.doc.error(
            ("facts", "must_ask"), "must be a non-empty list of {topic, keywords, answer}"
        )
    must: list[MustAsk] = []
    for i in range(len(must_raw)):
        p = ("facts", "must_ask", i)
        r.mapping(p, keys=("topic", "keywords", "answer"))
        must.append(
            MustAsk(
                r.text((*p, "topic")),
                tuple(k.lower() for k in r.text_list((*p, "keywords"))),
                r.text((*p, "answer")),
            )
        )
    return tuple(must)


def _intensity(r: _Reader) -> tuple[int, int, int]:
    """``start_intensity``, ``ceiling`` and ``floor`` (0-10, floor <= start <= ceiling)."""
    start = r.integer(("start_intensity",), 0, 10)
    ceiling = r.integer(("ceiling",), 0, 10)
    floor = r.integer(("floor",), 0, 10, default=0)
    if ceiling < start:
        raise r.doc.error(
            ("ceiling",), f"must be at least start_intensity ({start}), got {ceiling}"
        )
    if floor > start:
        raise r.doc.error(("floor",), f"must be at most start_intensity ({start}), got {floor}")
    return start, ceiling, floor


def _voice(r: _Reader, archetype: str) -> VoiceProfile:
    """``voice`` (calm and furious ends) and ``barge_in`` over the archetype's defaults."""
    base_voice = ARCHETYPE_VOICES[archetype]
    r.mapping(("voice",), required=False, keys=("calm", "furious"))
    ends: dict[str, dict[str, float]] = {}
    for end in ("calm", "furious"):
        raw = r.mapping(("voice", end), required=False, keys=VOICE_END_FIELDS)
        ends[end] = {k: r.number(("voice", end, k), *VOICE_BOUNDS[k]) for k in raw}
    return merge_profile(base_voice, ends["calm"], ends["furious"], _barge_in(r, base_voice))


def _barge_in(r: _Reader, base_voice: VoiceProfile) -> BargeIn | None:
    braw = r.get(("barge_in",))
    if braw in ("never", False):
        return BargeIn(None)
    if braw is _MISSING or braw is None:
        return None
    r.mapping(("barge_in",), keys=BARGE_IN_FIELDS)
    b0 = base_voice.barge_in
    fl = r.integer(
        ("barge_in", "from_level"), 0, 10, default=b0.from_level if b0.from_level is not None else 7
    )
    slow = r.number(("barge_in", "slowest_s"), 0.5, 60.0) if "slowest_s" in braw else b0.slowest_s
    fast = r.number(("barge_in", "fastest_s"), 0.5, 60.0) if "fastest_s" in braw else b0.fastest_s
    if fast > slow:
        raise r.doc.error(
            ("barge_in", "fastest_s"), f"must not exceed slowest_s ({slow}), got {fast}"
        )
    return BargeIn(fl, slow, fast)


def _weights(
    r: _Reader, key: str, defaults: Mapping[str, int], known: tuple[str, ...]
) -> dict[str, int]:
    """``escalates_on`` / ``de_escalates_on``: the archetype's weights with overrides (0-5)."""
    out = dict(defaults)
    for k in r.mapping((key,), required=False, keys=known):
        out[k] = r.integer((key, k), 0, 5)
    return out


def _pressure_pause(r: _Reader) -> PressurePause | None:
    """``pressure_pause``: chance (0-1), min_s and max_s (seconds, defaults
    :data:`PRESSURE_PAUSE_MIN_S` and :data:`PRESSURE_PAUSE_MAX_S`); absent or ``never``: None."""
    praw = r.get(("pressure_pause",))
    if praw is _MISSING or praw is None or praw in ("never", False):
        return None
    r.mapping(("pressure_pause",), keys=("chance", "min_s", "max_s"))
    chance = r.number(("pressure_pause", "chance"), 0.0, 1.0)
    lo, hi = PRESSURE_PAUSE_MIN_S, PRESSURE_PAUSE_MAX_S
    if "min_s" in praw:
        lo = r.number(("pressure_pause", "min_s"), *PRESSURE_PAUSE_RANGE_S)
    if "max_s" in praw:
        hi = r.number(("pressure_pause", "max_s"), *PRESSURE_PAUSE_RANGE_S)
    else:
        hi = max(lo, hi)
    if hi < lo:
        raise r.doc.error(("pressure_pause", "max_s"), f"must not be below min_s ({lo}), got {hi}")
    return PressurePause(chance, lo, hi)


def _hang_up(r: _Reader, default: HangUp | None, ceiling: int) -> HangUp | None:
    hraw = r.get(("hang_up",))
    if hraw in ("never", False):
        return None
    if hraw is _MISSING or hraw is None:
        return default
    r.mapping(("hang_up",), keys=("at_level", "after_strikes", "max_silence_s"))
    d = default or HangUp(10, 2)
    hang = HangUp(
        r.integer(("hang_up", "at_level"), 0, 10, default=d.at_level),
        r.integer(("hang_up", "after_strikes"), 1, 10, default=d.after_strikes),
        r.number(("hang_up", "max_silence_s"), 3.0, 600.0)
        if "max_silence_s" in hraw
        else d.max_silence_s,
    )
    _reachable(r, "hang_up", hang.at_level, ceiling)
    return hang


def _supervisor(r: _Reader, default: SupervisorRule | None, ceiling: int) -> SupervisorRule | None:
    sraw = r.get(("supervisor",))
    if sraw in ("never", False):
        return None
    if sraw is _MISSING or sraw is None:
        return default
    r.mapping(("supervisor",), keys=("at_level", "after_refusals"))
    d = default or SupervisorRule(8, 2)
    sup = SupervisorRule(
        r.integer(("supervisor", "at_level"), 0, 10, default=d.at_level),
        r.integer(("supervisor", "after_refusals"), 1, 10, default=d.after_refusals),
    )
    _reachable(r, "supervisor", sup.at_level, ceiling)
    return sup


def _reachable(r: _Reader, key: str, level: int, ceiling: int) -> None:
    if level > ceiling:
        raise r.doc.error(
            (key, "at_level"), f"can never be reached: above ceiling ({ceiling}), got {level}"
        )


def _profanity(r: _Reader, archetype: str) -> dict[str, str]:
    praw = r.mapping(("profanity",), required=archetype == "abusive")
    return {str(k).lower(): r.text(("profanity", k)) for k in praw}


def _lines(
    r: _Reader,
) -> tuple[dict[str, dict[str, tuple[str, ...]]], dict[tuple[str, str], tuple[Any, ...]]]:
    """``lines`` per stage (and band), and the YAML path of each (stage, band) for messages."""
    lraw = r.mapping(("lines",), keys=LINE_STAGES)
    if not lraw:
        raise r.doc.error(("lines",), "needs lines for at least one stage")
    lines: dict[str, dict[str, tuple[str, ...]]] = {}
    paths: dict[tuple[str, str], tuple[Any, ...]] = {}
    for stage, v in lraw.items():
        if isinstance(v, list):
            lines[stage] = {"any": r.text_list(("lines", stage))}
            paths[(stage, "any")] = ("lines", stage)
        else:
            bands = r.mapping(("lines", stage), keys=LINE_BANDS)
            lines[stage] = {b: r.text_list(("lines", stage, b)) for b in bands}
            paths |= {(stage, b): ("lines", stage, b) for b in bands}
    return lines, paths


def _check_slots(
    doc: _Doc, persona: Persona, line_paths: dict[tuple[str, str], tuple[Any, ...]]
) -> None:
    """Every ``{slot}`` in the persona's texts must name one of its slots."""
    known = persona.slot_values()
    texts: list[tuple[tuple[Any, ...], str]] = [(("opening_line",), persona.opening_line)]
    texts += [
        (("facts", "must_ask", i, "answer"), m.answer) for i, m in enumerate(persona.facts.must_ask)
    ]
    texts += [(("talk_over", i), t) for i, t in enumerate(persona.talk_over)]
    for stage, bands in persona.lines.items():
        for band, ls in bands.items():
            texts += [((*line_paths[(stage, band)], i), t) for i, t in enumerate(ls)]
    for path, t in texts:
        try:
            names = _slots_in(t)
        except ValueError as exc:
            raise doc.error(path, str(exc)) from None
        for n in names:
            if n not in known:
                have = ", ".join(sorted(known))
                raise doc.error(path, f"unknown slot {{{n}}} (facts.slots has: {have})")


def load_persona(path: str | Path) -> Persona:
    """Read and validate one persona file.

    Raises
    ------
    PersonaError
        When the file is missing, unreadable or invalid (message names file, line and field).
    """
    p = Path(path)
    src = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PersonaError(f"{src}: persona file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PersonaError(f"{src}: cannot read persona file ({exc})") from None
    return parse_persona(text, src)
