"""The case note (after-call work): stored beside the call, and checked against what happened.

After a call the trainee writes the note the next agent will read (``case_note.md`` in the
session folder). The rubric item "Documented the case for the next agent" compares it with what
is known of the call: the reference the customer gave, the failure the persona calls about, what
the trainee promised (the concrete next steps, with their times), and how the call ended. Each
fact is found, missed or contradicted ("note says refund issued; the call promised a refund
within 3 to 5 business days").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from audio_analysis.fileio import write_text_atomic
from personas import phrases as vocab

from .errors import ScoringError

#: The note's file in a session folder.
CASE_NOTE_FILE = "case_note.md"
#: Longest note accepted, characters (a case note is a paragraph, not a transcript).
MAX_NOTE_CHARS = 20_000
#: How much each fact counts when it is expected (renormalised over the expected ones).
FACT_WEIGHTS = {"reference": 0.25, "failure": 0.30, "promise": 0.30, "outcome": 0.15}
#: What each contradiction costs, as a share of the item.
CONTRADICTION_COST = 0.4


def read_case_note(folder: str | Path) -> str | None:
    """The session's case note, or None when there is none (or it is empty)."""
    path = Path(folder) / CASE_NOTE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScoringError(f"{path}: cannot read the case note: {exc}") from None
    return text.strip() or None


def write_case_note(folder: str | Path, text: str) -> Path:
    """Write (or replace) the session's case note, atomically.

    Raises
    ------
    ScoringError
        The folder is not a session folder, the note is empty or too long, or it cannot be
        written.
    """
    folder = Path(folder)
    if not folder.is_dir() or not (
        (folder / "meta.json").is_file() or (folder / "events.jsonl").is_file()
    ):
        raise ScoringError(f"{folder}: not a session folder (no meta.json or events.jsonl)")
    note = text.strip()
    if not note:
        raise ScoringError(f"{folder / CASE_NOTE_FILE}: the case note is empty")
    if len(note) > MAX_NOTE_CHARS:
        raise ScoringError(
            f"{folder / CASE_NOTE_FILE}: the case note is {len(note)} characters; "
            f"keep it under {MAX_NOTE_CHARS}"
        )
    try:
        return write_text_atomic(folder / CASE_NOTE_FILE, note)
    except OSError as exc:
        raise ScoringError(f"{folder / CASE_NOTE_FILE}: cannot write: {exc}") from None


# -- references: numbers and addresses, written or spoken ----------------------------------

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_SPOKEN_RUN = re.compile(
    r"\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
    r"(?:[\s,.-]+(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b){2,}",
    re.IGNORECASE,
)
_WRITTEN_RUN = re.compile(r"\d(?:[\d\s-]*\d)?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SPOKEN_EMAIL = re.compile(
    r"\b([a-z]+(?: dot [a-z]+)*) at ([a-z]+(?: dot [a-z]+)+)\b", re.IGNORECASE
)


def references(text: str) -> set[str]:
    """Reference numbers (3 digits or more, separators dropped) and email addresses in
    ``text``, written ("7731", "055 221 984") or spoken ("seven seven three one", "dana dot
    whitaker at example dot com")."""
    out: set[str] = set()
    for m in _SPOKEN_RUN.finditer(text):
        digits = "".join(_DIGIT_WORDS[w.lower()] for w in re.findall(r"[a-zA-Z]+", m.group(0)))
        out.add(digits)
    for m in _WRITTEN_RUN.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) >= 3:
            out.add(digits)
    for m in _EMAIL.finditer(text):
        out.add(m.group(0).lower().rstrip("."))
    for m in _SPOKEN_EMAIL.finditer(text):
        local = m.group(1).lower().replace(" dot ", ".")
        domain = m.group(2).lower().replace(" dot ", ".")
        out.add(f"{local}@{domain}")
    return out


def _same_reference(a: str, b: str) -> bool:
    if "@" in a or "@" in b:
        return a == b or a.split("@")[0] == b.split("@")[0]
    # "ending 4417" names the card "4417"; a phone number may be given in part
    short, long_ = sorted((a, b), key=len)
    return (len(short) >= 3 and long_.endswith(short)) or short == long_


# -- times: what a promise is due by ---------------------------------------------------------

_NUMBER_WORDS = {
    **{k: v for k, v in _DIGIT_WORDS.items() if k not in ("oh", "o", "zero")},
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "forty-five": "45",
    "sixty": "60",
    "seventy-two": "72",
    "noon": "12",
    "midday": "12",
}
_DAY_WORDS = re.compile(
    r"\b(today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"end of (?:the )?day|end of (?:the )?week|next week|next month|hour|minutes?|"
    r"business days?|days?)\b",
    re.IGNORECASE,
)


#: Time keys of a step that cannot be done yet when the note is written after the call.
_LATER_DAYS = frozenset(
    {
        "tomorrow",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "next week",
        "next month",
        "business day",
        "day",
        "end of week",
    }
)


def time_keys(phrase: str) -> set[str]:
    """What a time phrase pins down: its numbers and day words ("by three p.m. today" ->
    {"3", "today"}), to compare a note's times with the call's promises."""
    t = vocab.normalise(phrase)
    keys = {re.sub(r"s$", "", m.group(1).replace("the ", "")) for m in _DAY_WORDS.finditer(t)}
    keys |= set(re.findall(r"\d+", t))
    keys |= {v for w, v in _NUMBER_WORDS.items() if re.search(rf"\b{w}\b", t)}
    # "right now", "immediately" and "tonight" are today, as far as a promise goes
    if re.search(r"\b(?:right )?now\b|\bright away\b|\bimmediately\b", t):
        keys.add("today")
    if "tonight" in keys:
        keys.add("today")
    return keys


_DONE = re.compile(
    r"\b(?:issued|refunded|credited|sent|fixed|resolved|done|completed|processed|booked|"
    r"reset|changed|updated|reversed|cancelled|canceled|shipped|delivered|arrived)\b",
    re.IGNORECASE,
)
_ACCEPTED = re.compile(
    r"\b(?:accepted|agreed|happy|satisfied|okay with|ok with|calm(?:er|ed)?|resolved|thanked|"
    r"fine with|content)\b",
    re.IGNORECASE,
)
_NOT_ACCEPTED = re.compile(
    r"\b(?:hung up|hang up|escalat\w*|supervisor|manager|unhappy|angry|upset|not satisfied|"
    r"refused|rejected|unresolved|complain\w*|cancel(?:l)?ing)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Promise:
    """A concrete next step the trainee committed to in the call."""

    sentence: str
    """The sentence that holds it, as said."""
    time: str
    """Its time phrases ("by 3 pm today"; several joined with "; ")."""
    done: bool
    """Said as done ("I've issued the refund") rather than to come ("I'll refund")."""
    start_s: float | None = None
    committed: bool = True
    """An owner and a time ("I'll call by 3 pm"); False for a time alone ("it shows within
    5 business days"), which a note may still repeat."""


@dataclass(frozen=True)
class NoteFact:
    """One thing the note should carry, and what the note did with it."""

    what: str
    """``reference``, ``failure``, ``promise`` or ``outcome``."""
    expected: str
    """What the call established, in words."""
    found: str | None = None
    """The note's words that carry it (None: missed)."""
    contradiction: str | None = None
    """Why the note contradicts the call (None: it does not)."""


def check_note(
    note: str,
    *,
    customer_words: Iterable[str],
    known: Iterable[str] = (),
    failure: Sequence[str],
    complaint: Iterable[str],
    promises: Sequence[Promise],
    outcome: str | None,
    accepted: bool | None,
) -> list[NoteFact]:
    """Compare a case note with what is known of the call.

    Parameters
    ----------
    note : str
        The trainee's note.
    customer_words : iterable of str
        What the customer said (their references are looked for in the note).
    known : iterable of str
        The persona's own account facts and answers (a reference the trainee looked up counts).
    failure : sequence of str
        The persona's failure keywords (empty for a recording that is not ours).
    complaint : iterable of str
        Content words of the customer's complaint (used when there are no failure keywords).
    promises : sequence of Promise
        The concrete next steps the trainee committed to.
    outcome : str or None
        How the call ended, in words ("resolved", "customer hung up").
    accepted : bool or None
        Whether the customer accepted what was offered (None: unknown).
    """
    facts: list[NoteFact] = []
    said_refs: set[str] = set().union(*(references(t) for t in customer_words))
    known_refs: set[str] = said_refs | set().union(*(references(t) for t in known))
    note_refs = references(note)
    if known_refs:
        # sorted: a set's order changes with the interpreter's string hashing
        hit = next(
            (r for r in sorted(note_refs) if any(_same_reference(r, s) for s in known_refs)), None
        )
        wrong = next(
            (r for r in sorted(note_refs) if "@" not in r and len(r) >= 4 and r != hit), None
        )
        expected = ", ".join(sorted(said_refs or known_refs)[:3])
        if hit is None and wrong is not None:
            facts.append(
                NoteFact("reference", expected, None, f"note says {wrong}; the call had {expected}")
            )
        else:
            facts.append(NoteFact("reference", expected, hit))
    named = vocab.mentions(note, failure) if failure else None
    if named is None and not failure:
        shared = sorted(vocab.content_words(note) & set(complaint))
        named = ", ".join(shared[:3]) if len(shared) >= 2 else None
    facts.append(NoteFact("failure", ", ".join(failure[:3]) or "the customer's complaint", named))
    if any(p.committed for p in promises):
        facts.append(_check_promises(note, promises))
    if outcome is not None and accepted is not None:
        facts.append(_check_outcome(note, outcome, accepted))
    return facts


#: Completed actions a note may report, by family: a note may say "refunded" for a call's
#: "I've issued the refund".
_DONE_FAMILY = {
    "issued": "money",
    "refunded": "money",
    "credited": "money",
    "processed": "money",
    "reversed": "money",
    "sent": "sent",
    "booked": "booked",
    "fixed": "fixed",
    "resolved": "fixed",
    "done": "fixed",
    "completed": "fixed",
    "reset": "fixed",
    "changed": "changed",
    "updated": "changed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "shipped": "delivery",
    "delivered": "delivery",
    "arrived": "delivery",
}


def _check_promises(note: str, promises: Sequence[Promise]) -> NoteFact:
    committed = [p for p in promises if p.committed]
    expected = "; ".join(f'"{p.sentence}"' for p in (committed or promises)[:2])
    times = [t.text for t in _times(note)]
    promised = [time_keys(p.time) for p in promises]
    for t in times:
        if any(time_keys(t) & k for k in promised):
            return NoteFact("promise", expected, t)
    if times:
        first = committed[0] if committed else promises[0]
        return NoteFact(
            "promise",
            expected,
            None,
            f'note says "{times[0]}"; the call promised "{first.time}" ("{first.sentence}")',
        )
    # no time in the note: a completion the call did not report, while a step is still due
    later = [p for p in promises if time_keys(p.time) & _LATER_DAYS]
    done_in_call = {
        _DONE_FAMILY.get(m.group(0).lower())
        for p in promises
        if p.done
        for m in _DONE.finditer(p.sentence)
    }
    for m in _DONE.finditer(note):
        if later and _DONE_FAMILY.get(m.group(0).lower()) not in done_in_call:
            return NoteFact(
                "promise",
                expected,
                None,
                f'note says "{m.group(0)}"; the call promised "{later[0].sentence}"',
            )
    return NoteFact("promise", expected)


#: Times a note gives: the concrete ones, and the loose dates a note may still pin a promise to.
_NOTE_TIME = re.compile(
    rf"{vocab.CONCRETE_TIME.pattern}|\b(?:next|this) (?:week|month)\b|\bnext "
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b\w+ morning\b",
    re.IGNORECASE,
)


def _times(note: str) -> list[vocab.Phrase]:
    return [
        vocab.Phrase("time", note[m.start() : m.end()], m.start(), m.end())
        for m in _NOTE_TIME.finditer(vocab.normalise(note))
    ]


def _check_outcome(note: str, outcome: str, accepted: bool) -> NoteFact:
    yes, no = _ACCEPTED.search(note), _NOT_ACCEPTED.search(note)
    want = "the customer accepted it" if accepted else f"not settled ({outcome})"
    if accepted and no and not yes:
        return NoteFact(
            "outcome", want, None, f'note says "{no.group(0)}"; the call ended {outcome}'
        )
    if not accepted and yes and not no:
        return NoteFact(
            "outcome", want, None, f'note says "{yes.group(0)}"; the call ended: {outcome}'
        )
    got = (yes if accepted else no) or None
    return NoteFact("outcome", want, got.group(0) if got else None)


def note_fraction(facts: Sequence[NoteFact]) -> float:
    """The share of the item a note earns: the weighted facts found, less a fixed cost per
    contradiction (0-1)."""
    total = sum(FACT_WEIGHTS[f.what] for f in facts)
    if total <= 0:
        return 0.0
    found = sum(FACT_WEIGHTS[f.what] for f in facts if f.found and not f.contradiction)
    wrong = sum(1 for f in facts if f.contradiction)
    return max(0.0, min(1.0, found / total - CONTRADICTION_COST * wrong))
