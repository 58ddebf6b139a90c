"""Our own customer's exact words, timed on the recording.

For a call voice-sim recorded, ``events.jsonl`` holds the text the simulated customer said, word
for word ("dana.whittaker@example.com", "$49.99", "3-5 business days"). Whisper's hearing of the
customer channel garbles such things ("dainah .widdakeratexample .com"). The report and the
judges should read what was said, at the time it was heard: each exact word is aligned to
Whisper's words on the customer channel (same word, same order) and takes its time from the
audio; words Whisper missed take times interpolated between their aligned neighbours, or the
line's own estimate.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from audio_analysis import Turn, Word
from personas.call_log import CallEvent, Transcript

#: A word of an event line belongs to an analysis turn if it starts within this much of it, s.
TURN_TOLERANCE_S = 0.3


@dataclass(frozen=True)
class _Said:
    word: str
    start_s: float
    end_s: float
    line: int


def _key(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", word.lower())


def _lines(events: Sequence[CallEvent]) -> list[list[_Said]]:
    """Each customer line's words with the times the call estimated for them."""
    out: list[list[_Said]] = []
    for e in events:
        if not isinstance(e, Transcript) or e.speaker != "customer" or not e.text.strip():
            continue
        toks = e.text.split()
        timed = (
            [(float(w["start_s"]), float(w["end_s"])) for w in e.words]
            if len(e.words) == len(toks) and all("start_s" in w and "end_s" in w for w in e.words)
            else None
        )
        step = max(e.end_s - e.start_s, 0.0) / len(toks)
        out.append(
            [
                _Said(
                    tok,
                    timed[i][0] if timed else e.start_s + i * step,
                    timed[i][1] if timed else e.start_s + (i + 1) * step,
                    len(out),
                )
                for i, tok in enumerate(toks)
            ]
        )
    out.sort(key=lambda ws: ws[0].start_s)
    for k, line in enumerate(out):  # line numbers in time order
        out[k] = [replace(w, line=k) for w in line]
    return out


def align(said: Sequence[_Said], heard: Sequence[Word]) -> list[Word]:
    """Time each said word on the audio: from the heard word it matches, else interpolated
    between matched neighbours of the same line, else the line's own estimate."""
    sm = difflib.SequenceMatcher(
        None, [_key(w.word) for w in said], [_key(w.word) for w in heard], autojunk=False
    )
    at: dict[int, Word] = {}
    for block in sm.get_matching_blocks():
        for k in range(block.size):
            if _key(said[block.a + k].word):
                at[block.a + k] = heard[block.b + k]
    out: list[Word] = []
    for i, w in enumerate(said):
        if i in at:
            out.append(Word(w.word, at[i].start_s, at[i].end_s))
            continue
        prev = next((j for j in range(i - 1, -1, -1) if j in at and said[j].line == w.line), None)
        nxt = next((j for j in range(i + 1, len(said)) if j in at and said[j].line == w.line), None)
        if prev is not None and nxt is not None:
            a, b = at[prev].end_s, at[nxt].start_s
            frac = (i - prev) / (nxt - prev)
            t0 = a + (b - a) * (frac - 1.0 / (nxt - prev))
            t1 = a + (b - a) * frac
            out.append(Word(w.word, round(t0, 3), round(max(t0, t1), 3)))
        elif prev is not None:
            shift = at[prev].start_s - said[prev].start_s
            out.append(Word(w.word, round(w.start_s + shift, 3), round(w.end_s + shift, 3)))
        elif nxt is not None:
            shift = at[nxt].start_s - said[nxt].start_s
            out.append(Word(w.word, round(w.start_s + shift, 3), round(w.end_s + shift, 3)))
        else:
            out.append(Word(w.word, w.start_s, w.end_s))
    return out


def exact_customer_turns(
    turns: Sequence[Turn], events: Sequence[CallEvent]
) -> tuple[list[Turn], bool]:
    """Replace the customer turns' text with what our customer said (``events.jsonl``).

    Returns the turns (in start order) and whether the customer's words are now exact. Without
    customer transcript events (a recording that is not ours) the turns are returned unchanged.
    Each exact word goes to the customer turn that holds its aligned time (or the nearest one);
    a customer turn no line falls in keeps no words (it was noise or the trainee's bleed).
    """
    lines = _lines(events)
    if not lines:
        return list(turns), False
    said = [w for line in lines for w in line]
    customer = [t for t in turns if t.speaker == "customer"]
    heard = [w for t in customer for w in t.word_times]
    timed = align(said, heard)
    if not customer:
        made = [
            _turn_from_words([timed[i] for i, w in enumerate(said) if w.line == k])
            for k in range(len(lines))
        ]
        return sorted([*turns, *made], key=lambda t: t.start_s), True
    groups: dict[int, list[Word]] = {i: [] for i in range(len(customer))}
    for w in timed:
        groups[_nearest(customer, w.start_s)].append(w)
    out = [t for t in turns if t.speaker != "customer"]
    for i, t in enumerate(customer):
        ws = sorted(groups[i], key=lambda w: w.start_s)
        text = " ".join(w.word for w in ws)
        out.append(replace(t, text=text, words=len(ws), word_times=tuple(ws)))
    return sorted(out, key=lambda t: t.start_s), True


def _nearest(turns: Sequence[Turn], t_s: float) -> int:
    def distance(i: int) -> float:
        t = turns[i]
        if t.start_s - TURN_TOLERANCE_S <= t_s <= t.end_s + TURN_TOLERANCE_S:
            return 0.0
        return min(abs(t_s - t.start_s), abs(t_s - t.end_s))

    return min(range(len(turns)), key=lambda i: (distance(i), i))


def _turn_from_words(ws: Sequence[Word]) -> Turn:
    start, end = ws[0].start_s, max(w.end_s for w in ws)
    dur = max(end - start, 1e-3)
    return Turn(
        "customer",
        start,
        end,
        " ".join(w.word for w in ws),
        len(ws),
        tuple(ws),
        len(ws) / (dur / 60.0),
        None,
        None,
    )
