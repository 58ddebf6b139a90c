"""What a trainee turn says, read from its transcript: phrases that lose or win points.

Each detector is a small regular expression over the lower-cased transcript. They favour
precision: a cue the trainee did not give would move the customer for no visible reason,
which coaches find worse than a missed one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .schema import Persona


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z'])(?:" + "|".join(alternatives) + r")(?![a-z])")


_NUM = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight"
    r"|nine|ten|twelve|fifteen|twenty|thirty|forty|forty-five|fifty|sixty|half an?)"
)
_DAY = r"(?:today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

CALM_DOWN: Final = _rx(
    r"calm down",
    r"relax",
    r"settle down",
    r"chill out",
    r"take it easy",
    r"lower your voice",
    r"no need to (?:shout|yell|get upset)",
)
UNFORTUNATELY: Final = _rx(r"unfortunately", r"regrettably")
PER_POLICY: Final = _rx(
    r"per (?:our |the |company )?polic(?:y|ies)",
    r"(?:it's|it is|that's|that is|this is) (?:our|the|company|just) polic(?:y|ies)",
    r"(?:our|the|company) polic(?:y|ies) (?:says|states|is|doesn't|does not|won't|prevents|only)",
    r"against (?:our |the |company )?polic(?:y|ies)",
    r"polic(?:y|ies) (?:doesn't|does not|won't) (?:allow|let)",
    r"(?:terms and conditions|terms of service) (?:say|state)",
)
REFUSAL: Final = _rx(
    r"no,",
    r"nope",
    r"we can't",
    r"we cannot",
    r"i can't (?:do|give|offer|refund|change|help|make)",
    r"i cannot (?:do|give|offer|refund|change|help|make)",
    r"can't do that",
    r"not possible",
    r"isn't possible",
    r"is not possible",
    r"won't be able",
    r"not able to",
    r"there's nothing",
    r"there is nothing",
    r"nothing (?:i|we) can do",
    r"we don't (?:do|offer|allow|refund|give)",
    r"we do not (?:do|offer|allow|refund|give)",
    r"not allowed",
    r"we won't",
    r"that's not something",
    r"not going to happen",
    r"denied",
    r"i'm not able",
)
ALTERNATIVE: Final = _rx(
    r"but i can",
    r"what i can do",
    r"what i'll do",
    r"here's what",
    r"instead",
    r"alternative",
    r"option",
    r"i can offer",
    r"i could offer",
    r"how about",
    r"workaround",
    r"another way",
    r"i can (?:give|get|set|send|put|escalate|credit|refund|arrange|offer|show|walk|"
    r"add|flag|log|make)",
    r"i'd like to (?:offer|suggest)",
    r"what we can do",
    r"we can (?:offer|give|credit|set)",
)
BLAMING: Final = _rx(
    r"you should have",
    r"you shouldn't have",
    r"you should've",
    r"your fault",
    r"you must have",
    r"you need to read",
    r"as i (?:already )?said",
    r"like i (?:already )?said",
    r"you failed to",
    r"you forgot",
    r"you were supposed to",
    r"if you had",
    r"if you'd",
    r"you agreed to",
    r"that's on you",
    r"user error",
    r"you didn't (?:read|check|cancel|follow|notice|update|turn)",
    r"you clearly",
    r"you obviously",
    r"it's your responsibility",
    r"you're wrong",
    r"you are wrong",
)
VAGUE_TIME: Final = _rx(
    r"soon",
    r"shortly",
    r"as soon as (?:possible|we can|we're able)",
    r"asap",
    r"at some point",
    r"in the near future",
    r"eventually",
    r"looking into it",
    r"get back to you",
    r"working on it",
    r"in due course",
    r"when we can",
    r"sometime",
    r"down the road",
    r"in a while",
    r"no (?:eta|timeline|date) (?:yet|right now)",
    r"hopefully",
)
CONCRETE_TIME: Final = re.compile(
    rf"(?<![a-z])(?:(?:by|before|within|in|under|at) (?:the )?(?:end of (?:the "
    rf")?(?:day|week|business)|{_NUM} (?:business |working )?(?:minutes?|hours?|days?|"
    rf"weeks?)|noon|{_DAY}|\d)"
    rf"|{_DAY}|this (?:afternoon|evening|morning)|end of (?:the )?day|"
    rf"\d{{1,2}}(?::\d\d)? ?(?:am|pm|a\.m\.|p\.m\.|o'clock)"
    rf"|(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|\d+)(?: to (?:one|"
    rf"two|three|four|five|six|seven|eight|nine|ten|\d+))? (?:business |working "
    rf")?(?:minutes|hours|days))"
)
COMMITMENT: Final = _rx(
    r"i will",
    r"i'll",
    r"i'm going to",
    r"i am going to",
    r"i'm personally",
    r"i(?:'ve| have) (?:just |already )?(?:issued|started|opened|filed|escalated|"
    r"refunded|sent|flagged|logged|created|processed|credited|put|set|booked|"
    r"scheduled|submitted|added|raised|reversed|cancelled|canceled|requested|arranged|"
    r"reset|fixed|applied|emailed|called)",
    r"i'm (?:issuing|processing|sending|escalating|refunding|opening|filing|calling|"
    r"putting|setting|booking|adding|raising|crediting|reversing|cancelling|canceling|"
    r"emailing)",
)
FIX_OFFER: Final = _rx(
    r"refund",
    r"credit",
    r"discount",
    r"reimburse",
    r"reverse the",
    r"waive",
    r"clear (?:your )?(?:cache|cookies|browser)",
    r"restart",
    r"reinstall",
    r"log out and",
    r"sign out and",
    r"try again",
    r"update (?:your|the) app",
    r"reset (?:your|the)",
    r"voucher",
    r"coupon",
    r"free month",
    r"new api key",
    r"regenerate",
)
QUESTION_WORDS: Final = _rx(
    r"can you (?:tell|confirm|check|read|describe|walk|see|share|send|give|spell|look)",
    r"could you (?:tell|confirm|check|read|describe|walk|see|share|send|give|spell|look)",
    r"would you (?:mind )?(?:tell|confirm|read|check|walk|share|give)",
    r"do you (?:see|know|remember|have|get|use|happen)",
    r"did you",
    r"have you",
    r"has (?:it|this|anything)",
    r"when (?:did|was|do|does|is)",
    r"what (?:exactly|do you|did|does|is|was|happens|error|message|browser|device|"
    r"card|date|order|plan|number|version|time|shows|appears|were)",
    r"which",
    r"where (?:do|did|does|are|is)",
    r"how (?:many|much|long|often|did|do|does|are)",
    r"is (?:it|this|that|there) ",
    r"are (?:they|these|those|there) ",
    r"was (?:it|this|that) ",
    r"tell me (?:more|what|about|exactly|which|when|how)",
    r"walk me through",
)
NOT_DIAGNOSTIC: Final = _rx(
    r"anything else",
    r"is there anything",
    r"how are you",
    r"how can i help",
    r"what can i do for you",
    r"does that (?:make sense|help|sound)",
    r"are you (?:happy|okay|ok) with",
    r"can you hold",
    r"do you mind (?:holding|if i put)",
    r"would you like me to",
)
HOLD_NOTICE: Final = _rx(
    r"one moment",
    r"a moment",
    r"just a (?:moment|second|sec|minute)",
    r"give me (?:a|one|two|a few) (?:moment|second|sec|minute)s?",
    r"bear with me",
    r"hold (?:on|for|please)",
    r"put you on (?:a )?(?:brief |short |quick )?hold",
    r"let me (?:check|look|pull|find|see|get)",
    r"i'm (?:checking|looking|pulling)",
    r"while i (?:check|look|pull)",
    r"hang on",
)
ACKNOWLEDGE: Final = _rx(
    r"i'?m (?:so |really |very |truly )?sorry",
    r"i apologi[sz]e",
    r"my apologies",
    r"i understand",
    r"i can see (?:why|how|that)",
    r"i hear you",
    r"i get (?:it|why|that)",
    r"that'?s (?:so |really )?(?:frustrating|not okay|not ok|unacceptable|not "
    r"acceptable|not right|awful|terrible|a real problem|annoying|stressful|confusing)",
    r"that must (?:be|have been)",
    r"you'?re right",
    r"you have every right",
    r"i'?d be (?:upset|frustrated|angry|annoyed|confused) too",
    r"that should(?:n't| not) have happened",
    r"(?:we|i) (?:got|messed) (?:that|this|it) (?:wrong|up)",
    r"thank you for (?:your patience|explaining|bearing|waiting|telling)",
    r"(?:completely|totally) understand",
    r"makes (?:complete |total )?sense",
    r"fair enough",
    r"i can only imagine",
)
RESTATE: Final = _rx(
    r"so (?:you're saying|what i'm hearing|if i understand|you were|you've been|you "
    r"have been|it sounds like|the problem is|the issue is|your|you got|you saw|"
    r"you're seeing|you can't|you cannot)",
    r"if i understand (?:you )?(?:correctly|right)",
    r"let me (?:make sure|confirm|repeat|recap|summari[sz]e)",
    r"just to (?:confirm|make sure|recap|be clear)",
    r"what i'm hearing",
    r"it sounds like",
    r"to recap",
    r"to summari[sz]e",
    r"you're telling me",
    r"so basically",
)
BOUNDARY: Final = _rx(
    r"i (?:want|would like|'d like|am here|'m here|really want) to help",
    r"i cannot continue",
    r"i can't continue",
    r"i won'?t be able to continue",
    r"(?:please|kindly) (?:don't|do not|stop|avoid) (?:swear|curs|us(?:e|ing) (?:that|"
    r"this|such) language|speak|talk|yell|shout|call)",
    r"(?:that|this|the|such|that kind of|this kind of) language",
    r"if the (?:language|swearing|shouting|name-calling)",
    r"no need for (?:that|the) language",
    r"(?:i'll|i will) have to end",
    r"end (?:this|the) call if",
    r"treat each other with respect",
    r"keep (?:this|it) respectful",
)
INSULT: Final = _rx(
    r"shut up", r"idiot", r"stupid", r"moron", r"ridiculous", r"pathetic", r"you people"
)
SUPERVISOR_OFFER: Final = _rx(
    r"transfer you",
    r"connect you (?:to|with)",
    r"put you through",
    r"get (?:my|a|the) (?:supervisor|manager|team lead)",
    r"(?:speak|talk) (?:to|with) (?:my|a|the) (?:supervisor|manager|team lead)",
    r"escalat(?:e|ing) (?:this|it|you|your case) to (?:my|a|the) (?:supervisor|manager|team lead)",
    r"(?:my|a|the) (?:supervisor|manager) (?:will|can|is going to) (?:call|contact|speak|take)",
)
JARGON: Final = _rx(
    r"api",
    r"endpoint",
    r"tokens?",
    r"api key",
    r"headers?",
    r"http",
    r"status code",
    r"four oh one",
    r"four twenty nine",
    r"401",
    r"429",
    r"rate.?limit(?:ed|ing)?",
    r"oauth",
    r"authenticat(?:e|ion)",
    r"cache",
    r"cookies",
    r"console",
    r"webhooks?",
    r"payload",
    r"json",
    r"dns",
    r"ssl",
    r"backend",
    r"server.side",
    r"deprecated",
    r"chargeback",
    r"prorat(?:ed|ion)",
    r"idempoten(?:t|cy)",
    r"latency",
    r"deploy(?:ed|ment)?",
    r"sku",
    r"ach",
    r"ticket id",
)
EXPLAINED: Final = _rx(
    r"which means",
    r"in other words",
    r"basically",
    r"that means",
    r"think of it",
    r"it's like",
    r"like a",
    r"put simply",
    r"simply put",
    r"in plain",
    r"in simple terms",
    r"what that means",
)
INJECTION: Final = _rx(
    r"ignore (?:all |your |the |any |these )?(?:previous |prior |above |earlier "
    r")?(?:instructions|prompts?|rules|directions)",
    r"are you (?:an? )?(?:ai|bot|robot|machine|language model|chat ?gpt|computer "
    r"program|real person|human|llm)",
    r"you are (?:an? |just an? )?(?:ai|bot|language model|llm|chat ?bot)",
    r"system prompt",
    r"pretend (?:to be|you are|you're)",
    r"developer mode",
    r"jailbreak",
    r"disregard (?:your|the|all|previous)",
    r"new instructions",
    r"act as (?:an?|my)",
)


def normalize(text: str) -> str:
    """Lower-case, straight apostrophes, single spaces."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", t).strip()


@dataclass(frozen=True)
class Cues:
    """What one trainee turn contains."""

    calm_down: str | None
    unfortunately: str | None
    per_policy: str | None
    refusal: str | None
    alternative: bool
    blaming: str | None
    vague_time: str | None
    concrete_time: str | None
    commitment: bool
    fix_offer: str | None
    question: bool
    hold_notice: bool
    acknowledge: str | None
    mentions_issue: str | None
    restate: bool
    boundary: bool
    insult: bool
    supervisor_offer: bool
    jargon: str | None
    explained: bool
    injection: bool
    topics: tuple[int, ...]
    """Indices of ``facts.must_ask`` entries the turn asks about."""


def _find(rx: re.Pattern[str], t: str) -> str | None:
    m = rx.search(t)
    return m.group(0).strip(" ,") if m else None


def read_cues(text: str, persona: Persona) -> Cues:
    """Detect every cue in one trainee turn.

    Parameters
    ----------
    text : str
        The trainee's transcript for the turn.
    persona : Persona
        Supplies the issue keywords and the must-ask topics.
    """
    t = normalize(text)
    q_words = QUESTION_WORDS.search(t) is not None
    closing_only = NOT_DIAGNOSTIC.search(t) is not None and not q_words
    question = ("?" in t or q_words) and not closing_only and INJECTION.search(t) is None
    issue = next(
        (k for k in persona.facts.issue_keywords if re.search(rf"(?<![a-z]){re.escape(k)}", t)),
        None,
    )
    topics: tuple[int, ...] = ()
    if question:
        hits = [
            sum(1 for k in m.keywords if re.search(rf"(?<![a-z]){re.escape(k)}", t))
            for m in persona.facts.must_ask
        ]
        best = max(hits, default=0)
        # the topic the question is most about; ties answer both
        topics = tuple(i for i, h in enumerate(hits) if h and h == best)
    return Cues(
        calm_down=_find(CALM_DOWN, t),
        unfortunately=_find(UNFORTUNATELY, t),
        per_policy=_find(PER_POLICY, t),
        refusal=_find(REFUSAL, t),
        alternative=ALTERNATIVE.search(t) is not None,
        blaming=_find(BLAMING, t),
        vague_time=_find(VAGUE_TIME, t),
        concrete_time=_find(CONCRETE_TIME, t),
        commitment=COMMITMENT.search(t) is not None,
        fix_offer=_find(FIX_OFFER, t),
        question=question,
        hold_notice=HOLD_NOTICE.search(t) is not None,
        acknowledge=_find(ACKNOWLEDGE, t),
        mentions_issue=issue,
        restate=RESTATE.search(t) is not None,
        boundary=BOUNDARY.search(t) is not None,
        insult=INSULT.search(t) is not None,
        supervisor_offer=SUPERVISOR_OFFER.search(t) is not None,
        jargon=_find(JARGON, t),
        explained=EXPLAINED.search(t) is not None,
        injection=INJECTION.search(t) is not None,
        topics=topics,
    )
