"""The transcript as the judges read it: utterances, and when each of their words was said.

VAD splits a speaker's turn at short pauses, so the analysis may hold "So you were charged twice
this month." and "Is that right?" as two turns. The language items read *utterances*: a
speaker's consecutive turns with no one else speaking in between and no pause long enough to be
dead air. A phrase found in an utterance is timed by the word times of the turn it falls in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from audio_analysis import Turn
from personas import phrases as vocab


@dataclass(frozen=True)
class Utterance:
    """One speaker's consecutive turns read as one (seconds from the start of the recording).

    Attributes
    ----------
    speaker : str
        ``"trainee"`` or ``"customer"``.
    turns : tuple of Turn
        The turns, in order.
    text : str
        Their texts joined with single spaces.
    offsets : tuple of int
        Where each turn's text starts in ``text``.
    """

    speaker: str
    turns: tuple[Turn, ...]
    text: str
    offsets: tuple[int, ...]

    @property
    def start_s(self) -> float:
        """When the first turn starts, seconds."""
        return self.turns[0].start_s

    @property
    def end_s(self) -> float:
        """When the last turn ends, seconds."""
        return self.turns[-1].end_s

    def time_at(self, offset: int) -> float:
        """When the character at ``offset`` of :attr:`text` was said, seconds."""
        k = self._turn_index(offset)
        return time_at(self.turns[k], max(0, offset - self.offsets[k]))

    def turn_at(self, offset: int) -> Turn:
        """The turn that holds character ``offset`` of :attr:`text`."""
        return self.turns[self._turn_index(offset)]

    def _turn_index(self, offset: int) -> int:
        return max(i for i, o in enumerate(self.offsets) if o <= offset or i == 0)

    def sentence_at(self, offset: int) -> str:
        """The sentence holding character ``offset`` (what a coach would quote)."""
        return vocab.sentence_at(self.text, offset).text


def time_at(turn: Turn, char_index: int) -> float:
    """Approximate time (s) of the character at ``char_index`` of ``turn.text``.

    Uses the word timings when they line up with the text's words, else interpolates over the
    turn by character position.
    """
    text = turn.text
    n_before = len(text[:char_index].split())
    if turn.word_times and len(turn.word_times) >= len(text.split()) > 0:
        return turn.word_times[min(n_before, len(turn.word_times) - 1)].start_s
    if not text:
        return turn.start_s
    frac = min(max(char_index / len(text), 0.0), 1.0)
    return turn.start_s + frac * (turn.end_s - turn.start_s)


def utterances(turns: Sequence[Turn], speaker: str, *, merge_s: float) -> list[Utterance]:
    """Group ``speaker``'s turns into utterances.

    Parameters
    ----------
    turns : sequence of Turn
        Both speakers' turns in start order.
    speaker : str
        Whose utterances.
    merge_s : float
        Turns of one speaker closer than this (seconds), with no turn of the other speaker
        starting in between, are one utterance.
    """
    out: list[list[Turn]] = []
    last_other_start = float("-inf")
    for t in turns:
        if t.speaker != speaker:
            last_other_start = max(last_other_start, t.start_s)
            continue
        if not t.text.strip() and t.words == 0:
            continue
        prev = out[-1][-1] if out else None
        if (
            prev is not None
            and t.start_s - prev.end_s < merge_s
            and not prev.start_s <= last_other_start <= t.start_s
        ):
            out[-1].append(t)
        else:
            out.append([t])
    return [_utterance(speaker, group) for group in out]


#: A word that is only a hesitation ("um,", "uh..."): the judges read past it.
_HESITATION = re.compile(rf"^{vocab.HESITATION}([.,?!;:]*)$", re.IGNORECASE)


def without_hesitations(turn: Turn) -> Turn:
    """``turn`` with its "um" and "uh" words dropped (a sentence end they carried is kept), so
    "I'm, um, sorry" reads as "I'm sorry"; word times stay aligned with the words."""
    toks = turn.text.split()
    if not any(_HESITATION.match(w) for w in toks):
        return turn
    aligned = len(turn.word_times) == len(toks)
    kept: list[str] = []
    times = []
    for i, w in enumerate(toks):
        m = _HESITATION.match(w)
        if m is None:
            kept.append(w)
            if aligned:
                times.append(turn.word_times[i])
        elif kept and any(c in m.group(1) for c in ".?!"):
            kept[-1] = kept[-1].rstrip(",;:") + m.group(1)[-1]
        elif kept and kept[-1].endswith(","):
            kept[-1] = kept[-1][:-1]  # "I'm, um, so sorry" reads "I'm so sorry"
    return replace(
        turn,
        text=" ".join(kept),
        words=len(kept),
        word_times=tuple(times) if aligned else turn.word_times,
    )


def _utterance(speaker: str, group: Sequence[Turn]) -> Utterance:
    group = [without_hesitations(t) for t in group]
    parts, offsets, pos = [], [], 0
    for t in group:
        text = t.text.strip()
        offsets.append(pos)
        parts.append(text)
        pos += len(text) + 1
    return Utterance(speaker, tuple(group), " ".join(parts), tuple(offsets))


@dataclass(frozen=True)
class Hit:
    """A phrase found in an utterance, with when it was said (seconds)."""

    utterance: Utterance
    phrase: vocab.Phrase
    start_s: float

    @property
    def quote(self) -> str:
        """The words as said."""
        return self.phrase.text

    @property
    def sentence(self) -> str:
        """The sentence that holds it."""
        return self.utterance.sentence_at(self.phrase.start)


def hit(u: Utterance, phrase: vocab.Phrase) -> Hit:
    """Time a phrase found in ``u.text``."""
    return Hit(u, phrase, u.time_at(phrase.start))


def find(pattern: re.Pattern[str], utts: Iterable[Utterance], kind: str = "phrase") -> list[Hit]:
    """Every match of ``pattern`` in ``utts``, in time order."""
    out = []
    for u in utts:
        norm = vocab.normalise(u.text)
        for m in pattern.finditer(norm):
            out.append(hit(u, vocab.Phrase(kind, u.text[m.start() : m.end()], m.start(), m.end())))
    out.sort(key=lambda h: h.start_s)
    return out


def words_of(turns: Iterable[Turn]) -> set[str]:
    """Content words said in ``turns``."""
    out: set[str] = set()
    for t in turns:
        out |= vocab.content_words(t.text)
    return out
