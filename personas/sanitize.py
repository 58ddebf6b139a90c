"""Make brain output fit to be spoken: no markdown, stage directions, emoji or "
"out-of-character text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

#: Swear words every persona's ``clean`` switch replaces, whatever its own list says.
BASE_PROFANITY: Final = {
    "fucking": "flipping",
    "fuck": "flip",
    "fucked": "messed",
    "shit": "crap",
    "bullshit": "nonsense",
    "damn": "darn",
    "goddamn": "darn",
    "hell": "heck",
    "bastard": "jerk",
    "bastards": "jerks",
    "asshole": "jerk",
    "assholes": "jerks",
    "bloody": "flipping",
    "crap": "rubbish",
    "piss": "annoy",
    "pissed off": "fed up",
    "pissed": "annoyed",
}

_STAGE_DIRECTIONS = re.compile(r"\*[^*]{0,80}\*|\([^()]{0,80}\)|\[[^\[\]]{0,80}\]|<[^<>]{0,80}>")
_MARKDOWN = re.compile(r"(\*\*|__|`+|~~|^#+\s*|^\s*[-*•]\s+|^\s*\d+[.)]\s+|^>\s*)", re.M)
_SPEAKER = re.compile(r"^\s*(?:customer|caller|assistant|[A-Z][a-z]+(?: [A-Z][a-z]+)?)\s*:\s*")
_URL = re.compile(r"https?://\S+")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
_OUT_OF_CHARACTER: Final = re.compile(
    r"(?<![a-z])(?:as an ai|an ai (?:language )?model|language model|i'?m an ai|i am "
    r"an ai|i'?m (?:just )?a bot|i am a bot|"
    r"ai assistant|openai|chatgpt|system prompt|my (?:instructions|programming|"
    r"guidelines)|role-?play|"
    r"this (?:simulation|exercise)|i'?m not a real (?:person|customer)|i am not a "
    r"real|i'?m an? (?:virtual|artificial)|"
    r"i cannot (?:pretend|continue this role))",
    re.I,
)


def breaks_character(text: str) -> bool:
    """True when ``text`` admits to being an AI, mentions its instructions or the role-play."""
    return _OUT_OF_CHARACTER.search(text) is not None


def clean_profanity(text: str, mapping: Mapping[str, str] | None = None) -> str:
    """Replace swear words (persona list plus :data:`BASE_PROFANITY`), keeping capitalisation."""
    table = {**BASE_PROFANITY, **{k.lower(): v for k, v in (mapping or {}).items()}}
    words = sorted(table, key=len, reverse=True)
    rx = re.compile(
        r"(?<![A-Za-z])(" + "|".join(re.escape(w) for w in words) + r")(?![A-Za-z])", re.I
    )

    def sub(m: re.Match[str]) -> str:
        src, rep = m.group(0), table[m.group(0).lower()]
        if src.isupper() and len(src) > 1:
            return rep.upper()
        if src[0].isupper():
            return rep[0].upper() + rep[1:]
        return rep

    return rx.sub(sub, text)


def sanitize_for_tts(text: str) -> str:
    """Strip what a TTS voice would read out wrongly.

    Removes stage directions (``*sighs*``, ``(angrily)``, ``[pause]``), markdown, emoji, URLs,
    a leading speaker label and wrapping quotes; spells ``&`` and ``%``; collapses whitespace.
    """
    t = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    for _ in range(2):
        t = _STAGE_DIRECTIONS.sub(" ", t)
    t = _MARKDOWN.sub("", t)
    t = t.replace("*", "").replace("_", " ").replace("#", "")
    t = _URL.sub("", t)
    t = _EMOJI.sub("", t)
    t = _SPEAKER.sub("", t)
    t = t.replace("&", " and ").replace("%", " percent")
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"\s+([,.!?;:])", r"\1", t)
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "\"'":
        t = t[1:-1].strip()
    t = t.strip('"').strip()
    t = re.sub(r"^[,.;:!? ]+", "", t)
    return t
