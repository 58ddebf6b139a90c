"""What the rules judge listens for: phrase patterns, and finding them in timed turns.

Patterns are regular expressions matched case-insensitively on word boundaries against
normalised text (curly apostrophes straightened). They are our own wording of the practices the
domain sources describe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .inputs import Turn

ACKNOWLEDGE = (
    r"i(?: completely| totally| really| can)? understand",
    r"i(?:'m| am) (?:so |very |really |truly )?sorry",
    r"i apologi[sz]e",
    r"i can (?:see|hear|imagine) (?:why|how|that)",
    r"i hear you",
    r"that(?:'s| is| must be| would be| sounds) (?:really |so |very )?"
    r"(?:frustrating|unacceptable|maddening|not okay|not ok|annoying|stressful|awful)",
    r"(?:you(?:'re| are) right|that should(?:n't| not) have happened)",
    r"thank you for (?:telling me|explaining|your patience|bearing with)",
    r"(?:no wonder|of course) you(?:'re| are) (?:upset|frustrated|angry)",
)
APOLOGY = (r"i(?:'m| am) (?:so |very |really |truly )?sorry", r"i apologi[sz]e", r"my apologies")
OFFER = (
    r"refund(?:ed)?",
    r"discount",
    r"(?:a |store |account )?credit",
    r"voucher",
    r"coupon",
    r"replacement",
    r"re-?ship",
    r"waive",
    r"compensat\w*",
    r"free of charge",
    r"send (?:you )?(?:a |another |the )?new",
)
QUESTION_START = (
    r"what",
    r"when",
    r"which",
    r"where",
    r"how (?:long|many|much|often)",
    r"who",
    r"could you",
    r"can you",
    r"would you",
    r"did you",
    r"do you",
    r"have you",
    r"has it",
    r"is (?:it|that|this|the)",
    r"are you",
    r"was (?:it|that|the)",
    r"were you",
    r"may i ask",
)
NOT_DIAGNOSTIC = (
    r"anything else",
    r"how (?:are|is) you",
    r"how can i help",
    r"how may i help",
    r"what can i (?:do|help)",
    r"can you (?:calm|relax|stop)",
    r"are you (?:done|finished)",
    r"is there anything",
    r"^(?:hello|hi|hey)\W*$",
    r"are you (?:still )?there",
    r"can you hear me",
)
#: Checking back after a restatement ("..., is that right?") makes it one.
CHECK_BACK = (
    r"is that (?:right|correct)",
    r"(?:did|have) i (?:got|get|understood) (?:that|this|it) right",
    r"am i (?:right|understanding)",
    r"does that sound right",
)
RESTATE_CUE = (
    r"(?:so )?if i understand(?: you)?(?: correctly| right)?",
    r"just to (?:confirm|make sure|check|be clear)",
    r"(?:to )?make sure i (?:have|got|understand)",
    r"so what (?:you're|you are|i'm|i am) (?:saying|hearing|telling)",
    r"so you(?:'re| are) (?:saying|telling me)",
    r"what i(?:'m| am) hearing",
    r"let me (?:repeat|read|play) (?:that|it|this) back",
    r"(?:to (?:recap|summari[sz]e)|in other words)",
    r"let me make sure",
    r"so you(?:'re| are| were|'ve| have| had| got)",
    r"so your",
)
OWNER = (
    r"i(?:'ll| will| am going to|'m going to| am personally| personally will) \w+",
    r"let me \w+",
    r"i(?:'ve| have) (?:just )?(?:sent|put|flagged|escalated|booked|issued|started|opened|"
    r"logged|created|arranged|requested)",
)
WE_DEFLECT = (
    r"we(?:'ll| will| can(?:'t|not)?| don't| do not| are| need| have to| should)?",
    r"they(?:'ll| will| should| need)?",
    r"someone (?:will|should)",
    r"the system",
)
_NUM = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|"
    r"forty-?five|a couple of|a few)"
)
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
TIME = (
    r"today",
    r"tonight",
    r"tomorrow(?: morning| afternoon)?",
    r"this (?:morning|afternoon|evening|week)",
    r"end of (?:the )?(?:day|week)",
    r"within (?:the )?(?:next )?" + _NUM + r"? ?(?:minutes?|hours?|days?|business days?)",
    r"in (?:the next )?" + _NUM + r" ?(?:minutes?|hours?|days?|business days?)",
    r"(?:by|before|at|on) (?:\d{1,2}(?::\d\d)?(?: ?[ap]\.?m\.?)?|noon|" + _DAY + r"|"
    r"the end of)",
    r"\d{1,2}(?::\d\d)? ?[ap]\.?m\.?",
    r"\d{1,2} o'clock",
    _DAY,
    r"an hour",
)
#: Said within the same turn after "I don't know", these make it an honest, followed-up answer.
DONT_KNOW = (r"i don't know", r"i do not know", r"i have no idea")
TRIGGER = (
    r"calm down",
    r"relax",
    r"unfortunately",
    # "for our policy" is how Whisper often hears "per our policy".
    r"(?:as per|per|for|according to|under) (?:our|the|company) polic(?:y|ies)",
    r"(?:it's|it is|that's|that is) (?:our|the|company) policy",
    r"(?:our|company) policy (?:says|is|states)",
    r"nothing (?:i|we) can do",
    r"there(?:'s| is) nothing (?:i|we) can",
    r"not my (?:department|job|problem|fault)",
    r"(?:you(?:'ll| will)? )?(?:have|need) to call (?:another|a different|the other) (?:number|"
    r"department|team)",
    r"maybe",
    *DONT_KNOW,
)
FOLLOW_UP = (
    r"but (?:i(?:'ll| will| can)|let me)",
    r"let me (?:find|check|look)",
    r"i(?:'ll| will) find",
    r"find (?:that|it|this) out",
    r"i(?:'ll| will) (?:check|ask|look)",
)
ABUSE = (
    r"idiots?",
    r"stupid",
    r"useless",
    r"morons?",
    r"incompetent",
    r"pathetic",
    r"shut up",
    r"damn(?:ed)?",
    r"hell",
    r"shit\w*",
    r"fuck\w*",
    r"bastards?",
    r"bitch\w*",
    r"crap",
    r"dumb",
    r"clowns?",
    r"brainless",
)
RETALIATE = (
    r"shut up",
    r"idiots?",
    r"stupid",
    r"don't (?:you )?(?:yell|shout|talk to me like)",
    r"i don't have to (?:take|listen to) this",
    r"that's your problem",
    r"whatever",
    r"damn",
    r"hell",
    r"shit\w*",
    r"fuck\w*",
    r"watch your (?:mouth|tone)",
)
BOUNDARY = (
    r"i (?:really )?want to help(?: you)?,? but",
    r"i (?:can(?:'t|not)|am not able to|"
    r"won't be able to) continue",
    r"if (?:the|that|this) (?:language|swearing|shouting|abuse) (?:continues|keeps)",
    r"if you (?:continue|keep)",
    r"i(?:'ll| will) (?:have|need) to end (?:the|this) call",
    r"please (?:don't|do not) (?:use|swear|call me)",
    r"keep (?:this|it) respectful",
    r"i (?:need|ask) you to (?:stop|not) (?:swearing|using|shouting)",
)
#: A customer breaking a silence with one of these was waiting on the trainee.
LINE_CHECK = (
    r"hello\??",
    r"are you (?:still )?there",
    r"anyone there",
    r"is (?:anybody|anyone) there",
    r"did (?:i lose you|you hang up)",
)
HOLD_NOTICE = (
    r"one (?:moment|second|sec)",
    r"bear with me",
    r"let me (?:check|look|pull|see|find)",
    r"while i (?:check|look|pull|find)",
    r"hold on",
    r"(?:please )?hold (?:for|while)",
    r"give me (?:a|one) (?:moment|second|minute)",
    r"just a (?:moment|second|minute)",
    r"a moment while",
)

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "about",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "i",
        "me",
        "my",
        "mine",
        "you",
        "your",
        "yours",
        "we",
        "us",
        "our",
        "they",
        "them",
        "their",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "what",
        "when",
        "which",
        "where",
        "who",
        "how",
        "why",
        "do",
        "does",
        "did",
        "done",
        "have",
        "has",
        "had",
        "not",
        "no",
        "yes",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "just",
        "really",
        "very",
        "also",
        "again",
        "still",
        "even",
        "then",
        "than",
        "too",
        "okay",
        "ok",
        "oh",
        "well",
        "yeah",
        "hi",
        "hello",
        "thanks",
        "thank",
        "please",
        "sorry",
        "like",
        "get",
        "got",
        "going",
        "go",
        "went",
        "know",
        "think",
        "want",
        "need",
        "said",
        "say",
        "says",
        "tell",
        "told",
        "one",
        "two",
        "three",
        "all",
        "any",
        "some",
        "more",
        "much",
        "many",
        "im",
        "youre",
        "ive",
        "ill",
        "dont",
        "cant",
        "wont",
        "didnt",
        "isnt",
        "thats",
        "theres",
        "whats",
        "lets",
    ]
)

_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def normalise(text: str) -> str:
    """Lower-case with straight apostrophes (what the patterns are written against)."""
    return text.translate(_APOS).lower()


def compile_patterns(patterns: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive alternation of ``patterns`` on word boundaries."""
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])", re.IGNORECASE)


def literal_patterns(phrases: Iterable[str]) -> tuple[str, ...]:
    """Turn a coach's plain phrases into patterns (spaces match any whitespace)."""
    return tuple(r"\s+".join(re.escape(w) for w in normalise(p).split()) for p in phrases if p)


def content_words(text: str) -> set[str]:
    """Meaningful words of ``text`` (lower case, no stop words, no very short words)."""
    words = re.findall(r"[a-z][a-z'-]+", normalise(text))
    out = set()
    for w in words:
        w = w.strip("'-").replace("'", "")
        if len(w) > 2 and w not in STOPWORDS:
            out.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return out


@dataclass(frozen=True)
class Sentence:
    """A sentence of a turn, with its approximate start time in seconds."""

    turn: Turn
    text: str
    char_start: int
    start_s: float

    @property
    def is_question(self) -> bool:
        """A question by its mark or by its opening words."""
        t = normalise(self.text).strip()
        return t.endswith("?") or bool(_QUESTION_START_RE.match(t))


_QUESTION_START_RE = re.compile(
    r"^(?:and |so |okay,? |ok,? |alright,? |now,? )?(?:" + "|".join(QUESTION_START) + r")\b"
)


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


#: A sentence ends at ``.``, ``!`` or ``?`` followed by a space or the end, except after a
#: one-letter abbreviation ("p.m.", "U.S.") or inside a number ("49.99", Whisper's "49 .99").
_SENTENCE_END = re.compile(r"(?<!\b[A-Za-z])(?<!\s)[.!?]+(?=\s|$)")


def sentences(turn: Turn) -> list[Sentence]:
    """Split a turn into sentences on ``.``, ``!`` and ``?``."""
    out = []
    start = 0
    text = turn.text
    cuts = [m.end() for m in _SENTENCE_END.finditer(text)]
    if not cuts or cuts[-1] < len(text):
        cuts.append(len(text))
    for end in cuts:
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            offset = start + (len(chunk) - len(chunk.lstrip()))
            out.append(Sentence(turn, stripped, offset, time_at(turn, offset)))
        start = end
    return out


@dataclass(frozen=True)
class Hit:
    """A phrase found in a turn: the matched words and when they were said (s)."""

    turn: Turn
    phrase: str
    start_s: float
    char_start: int


def find(pattern: re.Pattern[str], turns: Sequence[Turn]) -> list[Hit]:
    """Every match of ``pattern`` in ``turns``, in time order."""
    hits = []
    for turn in turns:
        norm = normalise(turn.text)
        for m in pattern.finditer(norm):
            hits.append(
                Hit(turn, turn.text[m.start() : m.end()], time_at(turn, m.start()), m.start())
            )
    hits.sort(key=lambda h: h.start_s)
    return hits
