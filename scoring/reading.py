"""What one trainee utterance does for each language item, read with the shared vocabulary.

The rules judge aggregates these readings over the call; the labelled set in
``tests/scoring/labelled_turns.yaml`` checks them against a coach's labels, item by item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from personas import phrases as vocab

#: Outcome names per item, as the labelled set spells them.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "acknowledge": ("specific", "generic", "none"),
    "diagnose": ("asks", "fix_first", "none"),
    "restate": ("full", "partial", "none"),
    "next_step": ("concrete", "partial", "vague", "none"),
    "ownership": ("owns", "deflects", "blames_other", "mixed", "none"),
    "boundary": ("boundary", "retaliates", "none"),
    "thanks": ("thanked", "wrong_moment", "none"),
}


@dataclass(frozen=True)
class CoachPhrases:
    """A rubric's extra phrases per item, compiled (``None`` where the rubric adds none)."""

    acknowledge: re.Pattern[str] | None = None
    diagnose: re.Pattern[str] | None = None
    restate: re.Pattern[str] | None = None
    next_step: re.Pattern[str] | None = None
    ownership: re.Pattern[str] | None = None
    no_triggers: re.Pattern[str] | None = None
    boundary: re.Pattern[str] | None = None

    @classmethod
    def of(cls, phrases: dict[str, Sequence[str]]) -> CoachPhrases:
        """Compile ``item id -> plain phrases``."""
        items = {f.name for f in fields(cls)}
        compiled = {
            k: vocab.rx(*vocab.literal_patterns(v)) for k, v in phrases.items() if v and k in items
        }
        return cls(**compiled)


@dataclass(frozen=True)
class TurnReading:
    """Everything the language items see in one utterance (character offsets into ``text``)."""

    text: str
    acknowledgement: vocab.Acknowledgement | None
    apology: vocab.Phrase | None
    questions: tuple[vocab.Sentence, ...]
    fix: vocab.Phrase | None
    restatement: vocab.Restatement | None
    step: vocab.NextStep | None
    vague: vocab.Phrase | None
    triggers: tuple[vocab.Phrase, ...]
    owners: tuple[vocab.Phrase, ...]
    deflections: tuple[vocab.Phrase, ...]
    boundary: vocab.Phrase | None
    retaliation: tuple[vocab.Phrase, ...]
    hold_notice: vocab.Phrase | None
    thanks: vocab.Phrase | None = None

    @property
    def fix_first(self) -> bool:
        """A fix is offered before any question of this utterance."""
        return vocab.fix_first(self.fix, self.questions)


def read_turn(
    text: str,
    *,
    failure: Sequence[str] = (),
    heard: Iterable[str] = (),
    coach: CoachPhrases | None = None,
) -> TurnReading:
    """Read one trainee utterance.

    Parameters
    ----------
    text : str
        What the trainee said (one utterance: split VAD turns joined).
    failure : sequence of str
        The persona's failure keywords (specific acknowledgements and restatements name one).
    heard : iterable of str
        Content words the customer said before (the complaint, for a call with no persona; the
        details a restatement repeats).
    coach : CoachPhrases, optional
        A rubric's extra phrases.
    """
    c = coach or CoachPhrases()
    heard = set(heard)
    return TurnReading(
        text=text,
        acknowledgement=vocab.acknowledgement(text, failure, heard, extra=c.acknowledge),
        apology=vocab.apology(text),
        questions=tuple(vocab.diagnostic_questions(text)),
        fix=vocab.fix_offer(text, extra=c.diagnose),
        restatement=vocab.restatement(text, failure, heard, extra=c.restate),
        step=vocab.next_step(text, extra=c.next_step),
        vague=vocab.vague_time(text),
        triggers=tuple(vocab.triggers(text, extra=c.no_triggers)),
        owners=tuple(vocab.owner_phrases(text, extra=c.ownership)),
        deflections=tuple(vocab.deflections(text)),
        boundary=vocab.boundary(text, extra=c.boundary),
        retaliation=tuple(vocab.retaliation(text)),
        hold_notice=vocab.hold_notice(text),
        thanks=vocab.thanks(text),
    )


def thanks_outcome(r: TurnReading, *, first_reply_to_upset: bool) -> str:
    """``thanked``, ``wrong_moment`` (the first words of the first reply to an upset caller)
    or ``none``."""
    if r.thanks is None:
        return "none"
    opener = r.thanks.start <= 2
    return "wrong_moment" if first_reply_to_upset and opener else "thanked"


def outcomes(
    r: TurnReading, *, first_reply_to_upset: bool = False
) -> dict[str, str | tuple[str, ...]]:
    """The reading as the labelled set's outcome per item (see :data:`OUTCOMES`);
    ``no_triggers`` is the sorted tuple of trigger kinds said."""
    ack = r.acknowledgement
    step = r.step
    blames_other = any(d.kind == "blame_other" for d in r.deflections)
    if blames_other:
        own = "blames_other"
    elif r.owners and r.deflections:
        own = "mixed"
    elif r.deflections:
        own = "deflects"
    elif r.owners:
        own = "owns"
    else:
        own = "none"
    return {
        "acknowledge": "none" if ack is None else ("specific" if ack.specific else "generic"),
        "diagnose": "fix_first" if r.fix_first else ("asks" if r.questions else "none"),
        "restate": "none"
        if r.restatement is None
        else ("full" if r.restatement.full else "partial"),
        "next_step": "concrete"
        if step is not None and step.concrete
        else ("vague" if r.vague else ("partial" if step is not None else "none")),
        "no_triggers": tuple(sorted({t.kind for t in r.triggers})),
        "ownership": own,
        "boundary": "retaliates"
        if r.retaliation
        else ("boundary" if r.boundary is not None else "none"),
        "thanks": thanks_outcome(r, first_reply_to_upset=first_reply_to_upset),
    }
