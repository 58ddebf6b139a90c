"""One vocabulary for the director and the scorer: what a trainee's words do.

The escalation director (:mod:`personas.director`) moves the customer's mood with it during the
call, and the scorer (:mod:`scoring.rules`) grades the call with it afterwards, so a phrase that
angers the customer is the phrase that loses the rubric item, and a report cannot contradict the
call. Every detector is here once:

========================  ======================================  ===========================
what                      detector                                rubric item / trigger
========================  ======================================  ===========================
hold notices              :func:`hold_notice`                     pace / ``dead_air``
trigger phrases           :func:`triggers`                        no_triggers / ``calm_down``,
                                                                  ``unfortunately``,
                                                                  ``per_policy``, ``flat_no``,
                                                                  ``blaming``
hedges                    :func:`hedges`                          no_triggers
apologies, acknowledgem.  :func:`acknowledgement`                 acknowledge /
                                                                  ``acknowledge_specific``,
                                                                  ``empathy``
questions                 :func:`diagnostic_questions`,           diagnose /
                          :func:`asked_topics`                    ``diagnostic_question``
fixes offered             :func:`fix_offer`                       diagnose /
                                                                  ``fix_before_diagnosis``
restating                 :func:`restatement`                     restate / ``restate``
ownership, deflection     :func:`owner_phrases`,                  ownership
                          :func:`deflections`
blame                     :func:`blame`                           no_triggers (the customer),
                                                                  ownership (a third party) /
                                                                  ``blaming``
next steps, timelines     :func:`next_step`, :func:`vague_time`   next_step / ``next_step``,
                                                                  ``vague_timeline``
boundaries, retaliation   :func:`boundary`, :func:`retaliation`   boundary / ``boundary``
dead air                  :func:`is_dead_air`                     pace / ``dead_air``
========================  ======================================  ===========================

Patterns are regular expressions over :func:`normalise`-d text (lower case, straight
apostrophes; the same length as the original, so match offsets index the original text). They
favour precision: a cue the trainee did not give would move the customer for no visible reason
and cost points for nothing, which coaches find worse than a missed one. The wording is our own
reading of the practices the domain sources describe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

# -- building blocks ------------------------------------------------------------------------

_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def normalise(text: str) -> str:
    """Lower case with straight apostrophes; same length as ``text`` (offsets carry over)."""
    out = text.translate(_APOS).lower()
    return out if len(out) == len(text) else text.translate(_APOS)


def rx(*alternatives: str) -> re.Pattern[str]:
    """One case-insensitive alternation of ``alternatives``, matched on word boundaries."""
    body = "|".join(f"(?:{a})" for a in alternatives)
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])", re.IGNORECASE)


def literal_patterns(phrases: Iterable[str]) -> tuple[str, ...]:
    """Turn a coach's plain phrases into patterns (spaces match any whitespace)."""
    return tuple(r"\s+".join(re.escape(w) for w in normalise(p).split()) for p in phrases if p)


_NUM = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|forty-five|fifty|sixty|seventy-two|ninety|half an?)"
)
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_UNIT = r"(?:business |working )?(?:minutes?|hours?|days?|weeks?)"
_CLOCK = r"\d{1,2}(?::\d\d)? ?(?:am|pm|a\.m\.|p\.m\.|o'clock)"
_SPOKEN_HOUR = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"

# -- patterns -------------------------------------------------------------------------------

CALM_DOWN: Final = rx(
    r"calm down",
    r"relax",
    r"settle down",
    r"chill out",
    r"take it easy",
    r"lower your voice",
    r"no need to (?:shout|yell|get upset)",
)
UNFORTUNATELY: Final = rx(r"unfortunately", r"regrettably")
PER_POLICY: Final = rx(
    # "for our policy" is how Whisper often hears "per our policy".
    r"(?:as per|per|for|according to|under) (?:our |the |company )?polic(?:y|ies)",
    r"(?:it's|it is|that's|that is|this is) (?:our|the|company|just) polic(?:y|ies)",
    r"(?:our|the|company) polic(?:y|ies) (?:says|states|is|doesn't|does not|won't|prevents|only)",
    r"against (?:our |the |company )?polic(?:y|ies)",
    r"polic(?:y|ies) (?:doesn't|does not|won't) (?:allow|let)",
    r"(?:terms and conditions|terms of service) (?:say|state)",
)
REFUSAL: Final = rx(
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
    # what is not available or not allowed, said as a fact about the product or the rule
    r"(?:isn't|is not|aren't|are not|'s not|'re not|not) (?:yet )?(?:on (?:the|our) roadmap|"
    r"planned|available|supported|offered|included|covered|eligible|an option)",
    r"(?<!i )(?:doesn't|does not|won't|will not) (?:qualify|cover|include|support)",
    r"(?:we|it|that|this|they) (?:don't|do not|can't|cannot) (?:support|cover|include)",
    r"(?:there are|there's|there is|we have) no plans?",
    r"there(?:'s| is) no way (?:to|i|we|for)",
)
ALTERNATIVE: Final = rx(
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
    r"add|flag|log|make|book)",
    r"i'd like to (?:offer|suggest)",
    r"what we can do",
    r"we can (?:offer|give|credit|set)",
)
DEFLECT: Final = rx(
    r"not my (?:department|job|problem|fault|area)",
    r"(?:you(?:'ll| will)? )?(?:have|need) to (?:call|contact|ring) "
    r"(?:another|a different|the other|that) (?:number|department|team)",
    r"nothing (?:i|we) can do",
    r"there(?:'s| is) nothing (?:i|we) can",
    r"(?:that's|that is|it's|it is) (?:just )?how (?:it|things) (?:is|are|works?)",
)
BLAME_CUSTOMER: Final = rx(
    r"you should have",
    r"you shouldn't have",
    r"you should've",
    r"your (?:own )?fault",
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
_THIRD_PARTY = (
    r"(?:the |our |your |that )?(?:warehouse|courier|carrier|delivery (?:company|guys?|driver)|"
    r"driver|post office|postal service|bank|shipping (?:company|team|department)|"
    r"(?:other|billing|tech|technical|sales|support|shipping|engineering|dev|it) "
    r"(?:team|department|people|guys)|engineers?|developers?|technicians?|system|manufacturer|"
    r"supplier|vendor|partner|previous agents?|last agent|other agents?|my colleagues?|"
    r"someone else|they)"
)
BLAME_OTHER: Final = rx(
    rf"(?:that's|that is|it's|it is|this is|that was|it was) {_THIRD_PARTY}(?:'s|s') fault",
    rf"(?:that's|that is|it's|it is|this is|that was|it was) (?:the )?fault of {_THIRD_PARTY}",
    r"(?:it's|it is|that's|that is|it was|that was|this is|this was) not (?:our|my) fault",
    r"(?:wasn't|was not|isn't|is not) (?:our|my) fault",
    rf"blame (?:it on )?{_THIRD_PARTY}",
    rf"{_THIRD_PARTY} (?:messed (?:it |this |that )?up|screwed (?:it |this |that )?up|lost it|"
    r"dropped the ball|made (?:a|the) mistake|got it wrong)",
    r"nothing to do with (?:us|me)",
    r"(?:it's|it is|that's|that is|it was|that was) (?:all )?their fault",
    r"out of (?:our|my) hands",
)
#: Not knowing: a hedge unless the sentence says how the trainee will find out (FOLLOW_UP).
_UNKNOWNS = (
    r"i don't know",
    r"i do not know",
    r"i have no idea",
    r"(?<!have )no idea",
    r"i(?:'m| am) not (?:really )?sure",
)
HEDGE: Final = rx(
    r"maybe",
    r"probably",
    r"hopefully",
    r"i guess",
    r"i suppose",
    r"fingers crossed",
    *_UNKNOWNS,
    r"(?:it|they|the \w+|your \w+) (?:should|might|may) (?:arrive|ship|come|reach|show up|"
    r"turn up|clear|be there|be back|be fixed|be sorted|be resolved|be done|go through|work|"
    r"be ready|be delivered|be refunded|get there|be with you)",
)
#: Said in the same sentence after "I don't know" or "I'm not sure", these make it an honest,
#: followed-up answer rather than a hedge.
FOLLOW_UP: Final = rx(
    r"but (?:i(?:'ll| will| can)|let me)",
    r"let me (?:find|check|look|ask)",
    r"i(?:'ll| will) find",
    r"find (?:that|it|this) out",
    r"i(?:'ll| will) (?:check|ask|look|confirm)",
)
_UNKNOWN: Final = rx(*_UNKNOWNS)
VAGUE_TIME: Final = rx(
    r"(?<!as )soon(?! as)",
    r"shortly",
    r"as soon as (?:possible|we can|we're able|i can)",
    r"asap",
    r"at some point",
    r"in the near future",
    r"eventually",
    r"(?:we're|we are|they're|they are|someone is|i'm|i am) (?:looking|working) (?:into|on) it",
    r"look into it",
    r"get back to you",
    r"in due course",
    r"when we can",
    r"sometime",
    r"some time",
    r"down the road",
    r"in a while",
    r"no (?:eta|timeline|date) (?:yet|right now)",
    r"when (?:it's|it is) (?:ready|fixed|done)",
    # a span too coarse to hold anyone to (not a date named as a value: "set to next month")
    r"(?<!to )(?<!for )(?<!from )(?<!of )(?<!since )(?<!by )(?<!until )"
    r"(?:next|later this|early next|later next|sometime next) "
    r"(?:year|quarter|month|season|spring|summer|autumn|fall|winter)",
    r"in the (?:coming|next few|next couple of) (?:days|weeks|months)",
    r"in a (?:few|couple of) (?:weeks|months)",
    r"one of these days",
    r"at some stage",
    r"in the future",
)
#: A spoken clock time without "am" or "pm" ("at ten thirty", "by four", "half past two"),
#: not a count of something ("at ten percent", "by three days").
_SPOKEN_CLOCK = (
    rf"(?:at|by|before|around|until|till) {_SPOKEN_HOUR}(?:[ -](?:thirty|fifteen|forty-five|"
    r"o'clock|oh (?:five|one|two|three|four|six|seven|eight|nine)|ten|twenty|forty|fifty|"
    r"twenty-five|thirty-five|forty-five|fifty-five))?"
    r"(?! ?(?:-|minutes?|hours?|days?|weeks?|months?|years?|percent|per|dollars?|pounds?|"
    r"euros?|cents?|times?|people|of|point|or|more|other|thousand|hundred|million|rows?|"
    r"orders?|items?|charges?|calls?|tickets?|business|working)\b)"
)
CONCRETE_TIME: Final = rx(
    _SPOKEN_CLOCK,
    rf"(?:at|by|before|around|until|till) (?:half past|quarter past|quarter to) {_SPOKEN_HOUR}",
    r"(?:at|by|before) (?:noon|midday|midnight)",
    # "now" as the time of an action ("...with you now.", "...off now"), not "for now"
    r"(?<=[\w'] )(?<!for )(?<!just )(?<!by )(?<!until )(?<!till )(?<!of )(?<!from )(?<!right )"
    r"now(?=\s*(?:[,.!?;]|$|and\b|while\b|together\b))",
    r"today",
    r"tonight",
    r"tomorrow(?: morning| afternoon| evening)?",
    r"this (?:morning|afternoon|evening)",
    r"end of (?:the )?(?:day|business day|week)",
    r"(?:by|before|within|in|under|at|on) (?:the )?(?:end of (?:the )?(?:day|week|business day)|"
    rf"(?:next )?{_NUM}(?: to {_NUM})? {_UNIT}|noon|midday|{_DAY}|\d{{1,2}}(?::\d\d)?|"
    rf"{_SPOKEN_HOUR}(?: thirty| fifteen| forty-five)?(?= ?(?:am|pm|a\.m\.|p\.m\.|o'clock|today|"
    r"tomorrow|this|tonight)))",
    _DAY,
    _CLOCK,
    rf"{_SPOKEN_HOUR} (?:am|pm|a\.m\.|p\.m\.|o'clock)",
    # a duration is a deadline, not a rule's condition ("after thirty days", "older than...")
    r"(?<!after )(?<!over )(?<!past )(?<!than )(?<!beyond )(?<!first )(?<!last )"
    rf"{_NUM}(?: to {_NUM})? {_UNIT}",
    r"(?:next|the next) (?:ten|fifteen|twenty|thirty|\d+) minutes",
    r"an hour",
    r"(?:it|that|this|them|one|those|these) now",
    r"within (?:the|the next|an) hour",
    r"right (?:now|away)",
    r"straight away",
    r"immediately",
    r"as soon as (?:we|i) (?:hang up|end the call|finish (?:this|the) call|"
    r"get off the (?:phone|call))",
    r"while (?:we're|we are|you're|you are) (?:on the (?:phone|line|call)|still on)",
)
#: Actions that change the customer's account, order or product (a fix, whatever the verb), as
#: base form, past and -ing form. Telling, checking, asking and escalating are not among them.
_CHANGE_VERBS = (
    r"switch",
    r"turn(?: (?:[\w'-]+ ){0,3}(?:off|on)\b)",
    r"cancel",
    r"pause",
    r"stop (?:the|your|that|this|it)",
    r"downgrade",
    r"upgrade",
    r"move (?:you|your|it|the|them)",
    r"change (?:you|your|the|it|that|this)",
    r"(?:re)?activate",
    r"deactivate",
    r"unlock",
    r"unblock",
    r"restore",
    r"re-?enable",
    r"enable",
    r"disable",
    r"remove",
    r"delete",
    r"reinstate",
    r"reconnect",
    r"roll (?:\w+ )?back",
    r"revert",
    r"override",
    r"extend",
    r"adjust",
    r"expedite",
    r"exchange",
    r"swap",
    r"resend",
    r"re-send",
    r"re-?ship",
    r"re-?issue",
    r"replace",
    r"reset",
    r"waive",
    r"refund",
    r"credit",
    r"reverse",
    r"void",
    r"match (?:the|that|their|your|it)",
)


def _forms(stem: str) -> str:
    """A verb stem in any of its forms ("cancel", "cancelled", "cancelling", "cancels")."""
    head, sep, tail = stem.partition(" ")
    if head.startswith("turn(?:"):  # "turn ... off": the particle pattern carries the rest
        return r"turn(?:s|ed|ing)?(?: (?:[\w'-]+ ){0,3}(?:off|on)\b)"
    body = rf"{head}(?:e?s|e?d|l?ed|l?ing|ing)?"
    return rf"{body}{sep}{tail}" if sep else body


CHANGE_VERB: Final = "(?:" + "|".join(_forms(v) for v in _CHANGE_VERBS) + ")"
#: What a customer is told to do to fix it themselves ("re-authenticate", "clear the cache").
_DO_VERBS = (
    r"re-?authenticate",
    r"authenticate",
    r"re-?connect",
    r"connect",
    r"log (?:back )?(?:in|out|into|on|off)",
    r"sign (?:back )?(?:in|out|into|on|off)",
    r"go (?:to|into|back to)",
    r"click",
    r"tap",
    r"open",
    r"select",
    r"choose",
    r"turn",
    r"switch",
    r"toggle",
    r"update",
    r"upgrade",
    r"downgrade",
    r"(?:re|un)?install",
    r"clear",
    r"restart",
    r"reboot",
    r"reset",
    r"refresh",
    r"reload",
    r"re-?enter",
    r"enter",
    r"paste",
    r"copy",
    r"export",
    r"use",
    r"change",
    r"(?:re)?generate",
    r"roll (?:\w+ )?back",
    r"enable",
    r"disable",
    r"unplug",
    r"plug",
    r"cancel",
    r"delete",
    r"remove",
)
DO_VERB: Final = "(?:" + "|".join(_DO_VERBS) + ")"
OWNER: Final = rx(
    r"i(?:'ll| will| am going to|'m going to| am personally| personally will|'m personally) \w+",
    r"let me (?!know\b)\w+",
    r"i(?:'ve| have) (?:just |already )?(?:sent|put|flagged|escalated|booked|issued|started|"
    r"opened|logged|created|arranged|requested|filed|refunded|processed|credited|set|"
    r"scheduled|submitted|added|raised|reversed|cancelled|canceled|reset|fixed|applied|"
    r"emailed|called|noted|updated|changed|reserved)",
    r"i(?:'m| am) (?:issuing|processing|sending|escalating|refunding|opening|filing|calling|"
    r"putting|setting|booking|adding|raising|crediting|reversing|cancelling|canceling|"
    r"emailing|booking|updating|changing|reserving)",
    r"i can (?:book|send|credit|refund|arrange|escalate|set|update|change|reserve|walk|"
    r"offer|get|put|give)",
    rf"i can (?:\w+ )?{CHANGE_VERB}",
    r"what i can do is \w+",
)
#: "We will" / "they will": a commitment nobody in particular owns.
WE_DEFLECT: Final = rx(
    r"we(?:'ll| will| are going to|'re going to| need to| have to| should| can't| cannot| won't)",
    r"we (?:don't|do not) (?:do|offer|allow|refund|give|handle|deal|cover|accept|support)",
    r"we(?:'re| are) (?:looking|working) (?:into|on)",
    r"they(?:'ll| will| are going to|'re going to| should| need to| have to)",
    r"(?:someone|somebody|the team|our team|the system|another team) (?:will|should|needs to|"
    r"has to|is going to)",
)
#: What a commitment promises; an owner phrase with one of these and no time is half a step.
_STEP_VERB: Final = re.compile(
    r"\b(?:call|email|text|send|update|follow up|check|escalate|refund|ship|book|credit|"
    r"arrange|fix|reset|confirm|ring|phone|post|process|issue|reverse|change|ask|request)"
    rf"|\b{CHANGE_VERB}\b"
)
#: Offering a fix, refund or goodwill gesture (before any question, it skips diagnosis).
FIX_OFFER: Final = rx(
    r"(?:i|we)(?:'ll| will| can| could|'m going to| am going to|'d like to| would like to|'re going"
    r" to)(?: \w+){0,2} (?:refund|credit|discount|waive|reimburse|compensate|replace|re-?ship|"
    r"give you (?:a|an|your|the|some|\d)|offer you|send you (?:a |another |the )?(?:new|"
    r"replacement))",
    r"(?:i|we)(?:'ve| have) (?:just |already )?(?:refunded|credited|issued|waived|applied|"
    r"processed|reimbursed|reversed)",
    r"(?:i'm|i am|we're|we are) (?:refunding|crediting|issuing|waiving|reimbursing|reversing)",
    r"(?:offer|give) you (?:a |an )?(?:full |partial |one-time |\d+% )?(?:refund|credit|discount|"
    r"voucher|coupon|replacement|free month)",
    r"(?:a |an )?(?:\d+ percent |\d+% )?(?:discount|voucher|coupon) (?:on|for|off)",
    r"free of charge",
    r"(?:and|then) (?:credit|refund|waive|reimburse|compensate) (?:you|your|the|this|it)",
    r"if you (?:export|use|try|switch|clear|restart|reinstall|reset|update|log out)",
    r"(?:try|please) (?:clearing|to clear|restarting|to restart|reinstalling|logging out|"
    r"signing out|resetting|updating)",
    r"clear (?:your |the )?(?:cache|cookies|browser)",
    r"restart (?:your|the)",
    r"reinstall",
    r"(?:log|sign) (?:out|off) and",
    r"reset (?:your|the) (?:password|router|app|settings)",
    r"update (?:your|the) app",
    r"new api key",
    r"regenerate",
    # an action that changes the account or the order, taken or offered by the trainee
    rf"(?:i|we)(?:'ll| will| can| could|'m going to| am going to|'d like to| would like to|"
    rf"'re going to|'ve| have)(?: (?:just|already|also|now|go ahead and))? {CHANGE_VERB}",
    rf"(?:i'm|i am|we're|we are) (?:now )?{CHANGE_VERB}",
    rf"what (?:i|we)(?: can|'ll| will| could) do is (?:\w+ )?{CHANGE_VERB}",
    rf"let me (?:just )?{CHANGE_VERB}",
    # an instruction to the customer: a sentence that opens with what to do, or "you can..."
    rf"(?:^|(?<=[.!?] )|(?<=[.!?]  ))(?:(?:okay|ok|so|alright|right|now|first)[,.]? )?"
    rf"(?:just |simply |please |try to |go ahead and )*{DO_VERB}\b",
    rf"(?:you can|you could|you'll need to|you need to|all you (?:need|have) to do is)"
    rf" (?:just |simply )?{DO_VERB}\b",
)
#: Sentence openers that make a sentence a question even without its question mark.
_QUESTION_OPENER: Final = re.compile(
    r"^(?:(?:and|so|okay|ok|alright|now|right|great|thanks|thank you|sure)[,.]? )?"
    r"(?:what|when|which|where|who|whose|why|how|could you|can you|would you|will you|"
    r"did|do|does|have you|has|had you|is|are|was|were|may i ask|can i (?:have|get|take|ask|"
    r"check|confirm)|could i (?:have|get|take|ask)|tell me|walk me through)\b"
)
#: Rhetorical, defensive questions: they answer back, they ask nothing.
_RHETORICAL = (
    r"why would (?:i|we|you|they|anyone)",
    r"who do you think",
    r"what do you (?:want|expect) me to",
    r"what (?:else )?(?:did|do) you expect",
    r"how (?:am|was|is|would) (?:i|we|that) (?:supposed|meant) to",
    r"are you (?:serious|kidding)",
    r"do you (?:really )?think (?:i|we) would",
)
RHETORICAL: Final = rx(*_RHETORICAL)
#: Questions that do not ask about the customer's problem: courtesy, closing, permission,
#: offers, collaborative or rhetorical questions, line checks and check-backs.
NOT_DIAGNOSTIC: Final = rx(
    r"anything else",
    r"is there anything",
    r"how (?:are|is) you",
    r"how(?:'s| is) (?:your|the) day",
    r"how (?:can|may) i help",
    r"what can i (?:do|help)",
    r"can (?:you|we) (?:calm|relax|stop)",
    r"are you (?:done|finished)",
    r"^(?:hello|hi|hey)\W*$",
    r"are you (?:still )?there",
    r"can you hear me",
    r"does (?:that|this) (?:make sense|help|sound (?:good|okay|ok|right|fair))",
    r"(?:is|would) (?:that|this) (?:okay|ok|alright|all right|fair|good|acceptable)",
    r"are you (?:happy|okay|ok|alright) with",
    r"(?:can|may|could) i (?:put|place) you on hold",
    r"can you hold",
    r"do you mind (?:holding|if i|waiting)",
    r"would you like",
    r"do you want me to",
    r"shall i",
    r"should i",
    r"can i (?:call|ring|phone|email|text|offer|give|send|help|book|put|transfer|get you|"
    r"set|arrange)",
    r"(?:can|could|shall|should) we",
    r"(?:how|what) about (?:we|if)",
    r"why don't (?:we|i|you)",
    r"^let's",
    *_RHETORICAL,
    r"(?:, )?(?:right|okay|ok|you know|yeah|isn't it|don't you think)\?$",
    r"is that (?:right|correct)",
    r"(?:did|have) i (?:got|get|understood|understand) (?:that|this|it|you) (?:right|correctly)",
    r"am i (?:right|understanding)",
    r"does that sound right",
    r"have i got that right",
)
#: Checking back after a restatement ("..., is that right?") makes it one.
CHECK_BACK: Final = rx(
    r"is that (?:right|correct)",
    r"(?:did|have) i (?:got|get|understood|understand) (?:that|this|it|you|everything) "
    r"(?:right|correctly)",
    r"have i got (?:that|this|it) right",
    r"am i (?:right|understanding (?:you|that|this|it) (?:right|correctly))",
    r"does that sound right",
    r"is that what (?:happened|you mean|you're saying)",
)
RESTATE_CUE: Final = rx(
    r"(?:so )?if i understand(?: you)?(?: correctly| right)?",
    r"just to (?:confirm|make sure|check|be clear|recap)",
    r"(?:to )?make sure i (?:have|got|understand)",
    r"so what (?:you're|you are|i'm|i am) (?:saying|hearing|telling)",
    r"so you(?:'re| are) (?:saying|telling me)",
    r"you're telling me",
    r"what i(?:'m| am) hearing",
    r"let me (?:repeat|read|play|make sure|confirm|recap|summari[sz]e)",
    r"to (?:recap|summari[sz]e)",
    r"in other words",
    r"it sounds like",
    r"so basically",
    r"so (?:the problem|the issue) is",
)
#: Weaker cues ("so you were...", "so your..."): a restatement only with the details in it.
RESTATE_SO: Final = rx(
    r"so you(?:'re| are| were|'ve| have| had| got| saw| can't| cannot| bought| paid| took| "
    r"tried|'d)",
    r"so your",
    r"so it(?:'s been| has been)",
)
#: The weakest cue ("so the chart is empty"): a restatement only when it repeats two of the
#: customer's own words, since it also opens the trainee's findings ("so the charge is...").
RESTATE_SO_THE: Final = rx(
    r"so (?:the|your|this|that)(?: [\w'-]+){1,5} (?:is|was|are|were|has|have|isn't|wasn't|aren't|"
    r"won't|doesn't|can't|keeps|stopped|stops)",
)
_APOLOGIES = (
    r"i(?:'m| am) (?:so |really |very |truly |terribly |deeply )?sorry",
    r"i apologi[sz]e",
    r"my apologies",
)
ACKNOWLEDGE: Final = rx(
    *_APOLOGIES,
    r"(?<!if )(?<!sure )i(?: completely| totally| really| fully| do| can)? understand"
    r"(?!(?: you)? (?:correctly|right))",
    r"i can (?:see|hear|imagine) (?:why|how|that)",
    r"i can only imagine",
    r"i hear you",
    r"i get (?:it|why|that)",
    r"that(?:'s| is| must be| would be| sounds| was) (?:really |so |very |incredibly )?"
    r"(?:frustrating|unacceptable|not acceptable|maddening|not okay|not ok|not right|annoying|"
    r"stressful|awful|terrible|a real problem|confusing|worrying|upsetting|disappointing)",
    r"that must (?:be|have been)",
    r"you(?:'re| are) right",
    r"you have every right",
    r"i'?d be (?:upset|frustrated|angry|annoyed|confused) too",
    r"that should(?:n't| not) have happened",
    r"(?:we|i) (?:got|messed) (?:that|this|it) (?:wrong|up)",
    r"thank you for (?:your patience|explaining|bearing|waiting|telling)",
    r"(?:no wonder|of course) you(?:'re| are) (?:upset|frustrated|angry)",
    r"makes (?:complete |total )?sense",
    r"fair enough",
    r"(?:i know|i reali[sz]e) (?:that's|that is|this is|it's|it is) not (?:the answer|what) you",
    r"not what you (?:wanted|hoped|were hoping|expected) to hear",
)
APOLOGY: Final = rx(*_APOLOGIES)
#: Confirming what was heard before answering ("I see", "got it", "so you're saying"). "I see"
#: is a finding when something seen follows it ("I see no record", "I see two charges").
CONFIRMING: Final = rx(
    r"i see(?=\s*(?:[,.!?;:\u2014-]|$|what\b|why\b|how\b|where\b))",
    r"(?<!i )(?<!we )got it(?=\s*(?:[,.!?;:\u2014-]|$))",
    r"i've got (?:that|it)",
    r"understood",
    r"i hear you",
    r"that makes sense",
    r"so you(?:'re| are) saying",
    r"if i understand",
    r"just to (?:confirm|make sure)",
    r"let me make sure",
    r"so what i'm hearing",
    r"i understand",
)
#: Short sounds in the customer's turn that try to take it rather than listen ("no, no",
#: "wait", "but", "hold on"); "oh no" and "no way" are sympathetic nods.
TURN_GRAB: Final = re.compile(
    r"^\W*(?:no\b(?!\s+(?:way|problem))|nope|wait|but|hold on|hang on|actually|excuse me|"
    r"listen|sorry,? but|that's not|that isn't)\b",
    re.IGNORECASE,
)


def listening_cue(text: str) -> bool:
    """Whether a short trainee sound inside the customer's turn is a verbal nod ("mm-hmm",
    "I see", "oh no"), not an attempt to take the turn ("no, no", "wait", "but"). Untranscribed
    sounds (``""``) count as nods: nothing says otherwise."""
    return TURN_GRAB.match(normalise(text)) is None


#: Handing the floor back in a silence ("take your time", "no rush").
YIELD_FLOOR: Final = rx(
    r"take your time",
    r"no rush",
    r"no hurry",
    r"(?:i'm|i am) (?:still )?here",
    r"whenever you're ready",
    r"(?:please )?go ahead",
)
#: Giving way on what was just refused ("okay, fine", "after all", "I'll make an exception").
GIVE_IN: Final = rx(
    r"(?:okay|ok|alright|all right),? fine",
    r"^fine",
    r"after all",
    r"(?:i'll|i will|i can|let me) make an exception",
    r"just this (?:once|one time)",
    r"you win",
)
#: A hesitation sound ("um", "uhh", "erm", "hmm", "ah"), as a regular expression.
HESITATION = r"(?:u+m+|u+h+|e+r+m*|h+m+|a+h+)"
#: Filler words: "um", "uh", "er" always; "like" and "you know" only set off as a filler
#: (", like," / "You know, ..."), not as words ("looks like", "do you know").
FILLER: Final = re.compile(
    rf"(?<![\w']){HESITATION}(?![\w'])"
    r"|(?:^|(?<=[,.?!;]\s)|(?<=\A))like(?=\s*,)"
    r"|(?:(?<=,\s)|^)like(?=\s*,)"
    r"|(?:^|(?<=[,.?!;]\s))you know(?=\s*[,.?!])"
    r"|(?<=,\s)you know(?=\s*[,.?!])",
    re.IGNORECASE,
)


def fillers(text: str) -> list[Phrase]:
    """Filler words in ``text``, as transcribed (commas mark a filler "like" or "you know")."""
    return _found("filler", FILLER, text)


#: Thanking the customer (the T of the LAST method).
THANKS: Final = rx(
    r"thank you(?: (?:so|very) much)?(?: for (?:[\w']+ ){0,3}[\w']+)?",
    r"(?<!no )thanks(?: so much)?(?: for (?:[\w']+ ){0,3}[\w']+)?",
    r"(?:i |we )?appreciate (?:your|you|it|that)",
)
HOLD_NOTICE: Final = rx(
    r"one (?:moment|second|sec|minute)",
    r"a moment",
    r"just a (?:moment|second|sec|minute)",
    r"give me (?:a|one|two|a few) (?:moment|second|sec|minute)s?",
    r"bear with me",
    r"hold (?:on|for|please|the line|while)",
    r"put you on (?:a )?(?:brief |short |quick )?hold",
    r"let me (?:check|look|pull|find|get|see if)",
    r"i(?:'m| am) (?:checking|looking|pulling)",
    r"while i (?:check|look|pull|find)",
    r"hang on",
)
BOUNDARY: Final = rx(
    r"i (?:really )?want to help(?: you)?,? but",
    r"i (?:want|would like|'d like|am here|'m here|really want) to help",
    r"i (?:can(?:'t|not)|am not able to|won'?t be able to) continue",
    r"if (?:the|that|this) (?:language|swearing|shouting|abuse|name-calling) (?:continues|keeps)",
    r"if you (?:continue|keep)",
    r"(?:i'll|i will) (?:have|need) to end",
    r"end (?:this|the) call if",
    r"(?:please|kindly) (?:don't|do not|stop|avoid) (?:swear|curs|us(?:e|ing) (?:that|this|such) "
    r"language|speak|talk|yell|shout|call)",
    r"no need for (?:that|the) language",
    r"treat each other with respect",
    r"keep (?:this|it|the language) respectful",
    r"i (?:need|ask) you to (?:stop|not) (?:swearing|using|shouting)",
)
RETALIATE: Final = rx(
    r"shut up",
    r"idiots?",
    r"stupid",
    r"morons?",
    r"don't (?:you )?(?:yell|shout|talk to me like)",
    r"i don't have to (?:take|listen to) this",
    r"that's your problem",
    r"whatever",
    r"damn",
    r"hell",
    r"shit\w*",
    r"fuck\w*",
    r"watch your (?:mouth|tone)",
    r"ridiculous",
    r"pathetic",
    r"you people",
)
#: What an abusive customer says (the scorer notes it; the boundary item then applies).
ABUSE: Final = rx(
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
#: A customer breaking a silence with one of these was waiting on the trainee.
LINE_CHECK: Final = rx(
    r"hello\??",
    r"are you (?:still )?there",
    r"anyone there",
    r"is (?:anybody|anyone) there",
    r"did (?:i lose you|you hang up)",
)
SUPERVISOR_OFFER: Final = rx(
    r"transfer you",
    r"connect you (?:to|with)",
    r"put you through",
    r"get (?:my|a|the) (?:supervisor|manager|team lead)",
    r"(?:speak|talk) (?:to|with) (?:my|a|the) (?:supervisor|manager|team lead)",
    r"escalat(?:e|ing) (?:this|it|you|your case) to (?:my|a|the) (?:supervisor|manager|team lead)",
    r"(?:my|a|the) (?:supervisor|manager) (?:will|can|is going to) (?:call|contact|speak|take)",
    r"(?:switch|move|pass|hand) you (?:over )?to (?:my|a|the|our) (?:supervisor|manager|"
    r"team lead|colleague|specialist)",
)
JARGON: Final = rx(
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
    r"re-authenticate",
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
EXPLAINED: Final = rx(
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
INJECTION: Final = rx(
    r"ignore (?:all |your |the |any |these )?(?:previous |prior |above |earlier )?(?:instructions|"
    r"prompts?|rules|directions)",
    r"are you (?:an? )?(?:ai|bot|robot|machine|language model|chat ?gpt|computer program|real "
    r"person|human|llm)",
    r"you are (?:an? |just an? )?(?:ai|bot|language model|llm|chat ?bot)",
    r"system prompt",
    r"pretend (?:to be|you are|you're)",
    r"developer mode",
    r"jailbreak",
    r"disregard (?:your|the|all|previous)",
    r"new instructions",
    r"act as (?:an?|my)",
)

STOPWORDS: Final = frozenset(
    (  # noqa: SIM905 - a word list reads better as prose
        "a an the and or but if so to of in on at for with from by about as is are was were be "
        "been being am i me my mine you your yours we us our they them their it its this that "
        "these those there here what when which where who how why do does did done have has had "
        "not no yes can could would should will shall may might must just really very also again "
        "still even then than too okay ok oh well yeah hi hello thanks thank please sorry like "
        "get got going go went know think want need said say says tell told one two three all any "
        "some more much many im youre ive ill dont cant wont didnt isnt thats theres whats lets "
        "sir madam dear right"
    ).split()
)

# -- what was found ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """A phrase found in a text: what it is, the words as said, and where (character offsets)."""

    kind: str
    """Which detector found it (``calm_down``, ``hedge``, ``question``...)."""
    text: str
    """The words as said (a slice of the original text)."""
    start: int
    """Offset of the first character in the original text."""
    end: int
    """Offset after the last character."""


def _found(kind: str, pattern: re.Pattern[str], text: str) -> list[Phrase]:
    return [
        Phrase(kind, text[m.start() : m.end()], m.start(), m.end())
        for m in pattern.finditer(normalise(text))
    ]


def _first(kind: str, pattern: re.Pattern[str], text: str) -> Phrase | None:
    m = pattern.search(normalise(text))
    return Phrase(kind, text[m.start() : m.end()], m.start(), m.end()) if m else None


def content_words(text: str) -> set[str]:
    """Meaningful words of ``text``: lower case, no stop words, no short words, no plural s."""
    out = set()
    for w in re.findall(r"[a-z][a-z'-]+", normalise(text)):
        w = w.strip("'-").replace("'", "")
        if len(w) > 2 and w not in STOPWORDS:
            out.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return out


def mentions(text: str, keywords: Iterable[str]) -> str | None:
    """The first of ``keywords`` (lower case words or phrases) that ``text`` names, or None."""
    t = normalise(text)
    return next((k for k in keywords if _names(t, k)), None)


def _names(norm: str, keyword: str) -> bool:
    """Whether normalised text holds ``keyword`` from the start of a word ("charge" names
    "charged", not "discharge")."""
    if not keyword:
        return False
    return re.search(rf"(?<![a-z0-9]){re.escape(keyword.lower())}", norm) is not None


# -- sentences --------------------------------------------------------------------------------

#: A sentence ends at ``.``, ``!`` or ``?`` followed by a space or the end, except after a
#: one-letter abbreviation ("p.m.", "U.S.") or inside a number or an address ("49.99").
_SENTENCE_END = re.compile(r"(?<!\b[A-Za-z])(?<!\s)[.!?]+(?=\s|$)")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a text and where it sits (character offsets into the text)."""

    text: str
    start: int
    end: int

    @property
    def is_question(self) -> bool:
        """A question by its mark or its opening words."""
        t = normalise(self.text).strip()
        if t.endswith("?"):
            return True
        # "What I can do is..." and "How about..." open statements, not questions
        return bool(_QUESTION_OPENER.match(t)) and not _STATEMENT_OPENER.match(t)


_STATEMENT_OPENER: Final = re.compile(
    r"^(?:\w+,? )?(?:what (?:i|we)(?:'ll| will| can| could| would|'d)? do|what happened is|"
    r"what (?:i|we) (?:need|want) (?:is|to)|how (?:it|this) works)\b"
)


def sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences on ``.``, ``!`` and ``?``."""
    out = []
    start = 0
    cuts = [m.end() for m in _SENTENCE_END.finditer(text)]
    if not cuts or cuts[-1] < len(text):
        cuts.append(len(text))
    for end in cuts:
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            offset = start + (len(chunk) - len(chunk.lstrip()))
            out.append(Sentence(stripped, offset, offset + len(stripped)))
        start = end
    return out


def sentence_at(text: str, offset: int) -> Sentence:
    """The sentence of ``text`` that holds character ``offset``."""
    sents = sentences(text)
    for s in reversed(sents):
        if s.start <= offset:
            return s
    return sents[0] if sents else Sentence(text, 0, len(text))


# -- detectors --------------------------------------------------------------------------------


def thanks(text: str) -> Phrase | None:
    """A thank-you to the customer ("thank you for your patience", "I appreciate it")."""
    return _first("thanks", THANKS, text)


def apology(text: str) -> Phrase | None:
    """An apology ("I'm so sorry", "I apologise")."""
    return _first("apology", APOLOGY, text)


def hold_notice(text: str) -> Phrase | None:
    """A hold notice ("one moment while I check", "let me pull that up", "hang on")."""
    return _first("hold_notice", HOLD_NOTICE, text)


def refusal(text: str) -> Phrase | None:
    """The first refusal in ``text`` that is not the policy's: a no said in the same sentence as
    a policy phrase ("denied as per policy") is hiding behind policy, counted once as that."""
    for p in _found("refusal", REFUSAL, text):
        if PER_POLICY.search(normalise(sentence_at(text, p.start).text)) is None:
            return p
    return None


def flat_no(text: str) -> Phrase | None:
    """A refusal with no alternative offered anywhere in the turn."""
    if ALTERNATIVE.search(normalise(text)):
        return None
    no = refusal(text)
    return None if no is None else Phrase("flat_no", no.text, no.start, no.end)


def blame(text: str) -> list[Phrase]:
    """Blame: of the customer (kind ``blame_customer``) or of a third party (``blame_other``)."""
    return [
        *_found("blame_customer", BLAME_CUSTOMER, text),
        *_found("blame_other", BLAME_OTHER, text),
    ]


def hedges(text: str) -> list[Phrase]:
    """Hedges ("maybe", "probably", "it should arrive"); "I don't know" or "I'm not sure" only
    when nothing in the same sentence says how the trainee will find out."""
    out = []
    for h in _found("hedge", HEDGE, text):
        if _UNKNOWN.fullmatch(normalise(h.text)):
            sent = sentence_at(text, h.start)
            if FOLLOW_UP.search(normalise(text[h.start : sent.end])):
                continue
        if re.search(r"should|might|may", h.text, re.I) and CONCRETE_TIME.search(
            normalise(sentence_at(text, h.start).text)
        ):
            continue  # "it should arrive by Friday" is an estimate with a date, not a hedge
        out.append(h)
    return out


def triggers(text: str, extra: re.Pattern[str] | None = None) -> list[Phrase]:
    """Trigger phrases that inflame or deflect, in text order: ``calm_down``, ``unfortunately``,
    ``per_policy``, ``deflect``, ``flat_no``, ``blame_customer`` and ``hedge``, plus a coach's
    ``extra`` phrases (kind ``coach``). Overlapping finds keep the earlier, longer one."""
    found = [
        *_found("calm_down", CALM_DOWN, text),
        *_found("unfortunately", UNFORTUNATELY, text),
        *_found("per_policy", PER_POLICY, text),
        *_found("deflect", DEFLECT, text),
        *_found("blame_customer", BLAME_CUSTOMER, text),
        *hedges(text),
    ]
    no = flat_no(text)
    if no is not None:
        found.append(no)
    if extra is not None:
        found += _found("coach", extra, text)
    found.sort(key=lambda p: (p.start, -(p.end - p.start)))
    out: list[Phrase] = []
    for p in found:
        if all(p.start >= q.end or p.end <= q.start for q in out):
            out.append(p)
    return out


@dataclass(frozen=True)
class Acknowledgement:
    """An acknowledgement and whether it names the customer's specific failure."""

    phrase: Phrase
    specific: bool
    named: tuple[str, ...]
    """The failure words it names (an issue keyword, or words shared with the complaint)."""


def acknowledgement(
    text: str,
    failure: Sequence[str] = (),
    complaint: Iterable[str] = (),
    extra: re.Pattern[str] | None = None,
) -> Acknowledgement | None:
    """The first acknowledgement in ``text``, and whether it is specific.

    It is specific when the acknowledging sentence, or a statement right before or after it
    ("I'm sorry. Three dates for one order is not okay."), names the failure: one of the
    persona's ``failure`` keywords or two words of the customer's ``complaint`` when the persona
    is known, else a word of the complaint. A question next to it is asking (for an order
    number, say), not acknowledging.
    """
    norm = normalise(text)
    m = ACKNOWLEDGE.search(norm)
    if extra is not None:
        m2 = extra.search(norm)
        if m2 is not None and (m is None or m2.start() < m.start()):
            m = m2
    if m is None:
        return None
    phrase = Phrase("acknowledge", text[m.start() : m.end()], m.start(), m.end())
    sents = sentences(text)
    scope = ""
    for k, s in enumerate(sents):
        if s.start <= m.start() < s.end + 1:
            scope = s.text
            # "Nobody called you, I know. I'm sorry." / "I'm sorry. Three dates is not okay."
            if k > 0 and not sents[k - 1].is_question:
                scope = sents[k - 1].text + " " + scope
            if k + 1 < len(sents) and not sents[k + 1].is_question:
                scope += " " + sents[k + 1].text
            break
    shared = tuple(sorted(content_words(scope) & set(complaint)))
    if failure:
        key = mentions(scope, failure)
        # the persona's own failure words, or two of the customer's own words
        named: tuple[str, ...] = (key,) if key else (shared if len(shared) >= 2 else ())
    else:
        named = shared
    return Acknowledgement(phrase, bool(named), named)


def _is_diagnostic(sentence: Sentence) -> bool:
    t = normalise(sentence.text).strip()
    if not sentence.is_question or NOT_DIAGNOSTIC.search(t) or INJECTION.search(t):
        return False
    # "So your bill is higher this month?" checks a restatement; it asks nothing new
    if RESTATE_CUE.search(t) or re.match(r"^(?:okay,? |right,? )?so (?:you|your|it|the|this)\b", t):
        return False
    # A question about the trainee's own intent ("can I offer you...") is an offer.
    return _OFFER_QUESTION.match(t) is None


_OFFER_QUESTION: Final = re.compile(
    r"^(?:\w+[,.]? )?(?:can|could|may|shall|should) i (?!have|get|ask|take|check|confirm)"
)


def diagnostic_questions(text: str) -> list[Sentence]:
    """Sentences that ask the customer about their problem (not courtesy, offers, hold
    requests, collaborative or rhetorical questions, line checks or check-backs)."""
    return [s for s in sentences(text) if _is_diagnostic(s)]


#: Must-ask keywords that are only question words: alone they say nothing about the topic.
_WEAK_KEYWORDS: Final = frozenset(
    (  # noqa: SIM905
        "when which where why what how who exactly now today time first last since before number"
    ).split()
)


def asked_topics(text: str, topics: Sequence[Sequence[str]]) -> tuple[int, ...]:
    """Indices of the must-ask ``topics`` (each a list of keywords) that a question in ``text``
    asks about.

    Only the question sentences count, so "Nobody called you, I know." asks nothing. Within a
    question, each keyword found scores 1, or 0.5 when it is only a question word ("when",
    "which"); a topic needs a score of 1, and the question goes to the best-scoring topic
    (ties answer both).
    """
    best: dict[int, float] = {}
    for q in diagnostic_questions(text):
        qn = normalise(q.text)
        for i, keywords in enumerate(topics):
            score = 0.0
            for k in keywords:
                if _names(qn, k):
                    score += 0.5 if k.lower() in _WEAK_KEYWORDS else 1.0
            if score >= 1.0:
                best[i] = max(best.get(i, 0.0), score)
    if not best:
        return ()
    top = max(best.values())
    return tuple(sorted(i for i, s in best.items() if s == top))


#: The thing offered, inside an offer ("I can give you a *discount*").
_OFFERED: Final = rx(
    r"refund\w*",
    r"credit\w*",
    r"discount",
    r"voucher",
    r"coupon",
    r"replacement",
    r"re-?ship",
    r"waive\w*",
    r"reimburse\w*",
    r"compensat\w*",
    r"free \w+",
    r"cache",
    r"cookies",
    r"restart\w*",
    r"reinstall\w*",
    r"reset\w*",
    r"api key",
)


#: Sentences that look like a fix and are not: an instruction that asks the customer to report
#: back is a diagnostic step ("Open the app and tell me what you see"), a transfer is not a fix
#: ("I'll switch you over to my supervisor"), "copy that" is radio for "understood".
_NOT_A_FIX: Final = rx(
    r"copy that",
    r"transfer you",
    r"(?:switch|move|pass|hand) you (?:over )?to (?:my|a|the|our) (?:supervisor|manager|"
    r"team lead|colleague|specialist)",
    r"tell me",
    r"let me know",
    r"read (?:me|out|it)",
    r"what (?:do )?you see",
    r"what (?:it|that|the \w+) says",
    r"what happens",
    r"see if",
    r"check (?:if|whether)",
)


def fix_offer(text: str, extra: re.Pattern[str] | None = None) -> Phrase | None:
    """The first fix, refund or goodwill offer in ``text`` (said before any question in the
    call, it skips diagnosis); narrowed to the thing offered when it is named ("discount").

    A fix is named by what it does, not by a list of fixes: an action that changes the
    customer's account or order, taken or offered ("I've switched auto-renew off", "what I can
    do is move you to monthly"), or an instruction to the customer ("Just re-authenticate the
    token"), unless it asks them to report back ("open the app and tell me what you see")."""
    norm = normalise(text)
    first = next(
        (
            m
            for m in FIX_OFFER.finditer(norm)
            if not _NOT_A_FIX.search(normalise(sentence_at(text, m.start()).text))
        ),
        None,
    )
    found = (
        [Phrase("fix_offer", text[first.start() : first.end()], first.start(), first.end())]
        if first is not None
        else []
    )
    if found:
        p = found[0]
        end = sentence_at(text, p.start).end
        m = _OFFERED.search(normalise(text[p.start : end]))
        if m is not None:
            a = p.start + m.start()
            found = [Phrase("fix_offer", text[a : p.start + m.end()], a, p.start + m.end())]
    if extra is not None:
        found += _found("fix_offer", extra, text)[:1]
    return min(found, key=lambda p: p.start) if found else None


def fix_first(fix: Phrase | None, questions: Sequence[Sentence]) -> bool:
    """Whether a turn offers its fix before any of its diagnostic ``questions`` (the director's
    ``fix_before_diagnosis`` within a turn)."""
    return fix is not None and (not questions or fix.start < questions[0].start)


@dataclass(frozen=True)
class Restatement:
    """The problem said back: ``full`` with the details and a cue or a check-back, else partial."""

    sentence: Sentence
    full: bool
    details: tuple[str, ...]
    """Issue keywords and complaint words it repeats."""
    cue: bool
    """The sentence itself opens with a restating cue ("so you're saying", "just to confirm")."""


def restatement(
    text: str,
    failure: Sequence[str] = (),
    heard: Iterable[str] = (),
    checked: bool | None = None,
    extra: re.Pattern[str] | None = None,
) -> Restatement | None:
    """The best restatement in ``text``.

    A sentence restates fully when it has a restating cue or the utterance checks back ("...,
    is that right?", also in a later part of the same turn: pass ``checked``) and repeats the
    details: a ``failure`` keyword, or two content words the customer said (``heard``). A cue
    without the details, or details addressed to "you" without a cue or check-back, is partial.
    """
    heard = set(heard)
    norm_all = normalise(text)
    if checked is None:
        checked = CHECK_BACK.search(norm_all) is not None
    best: tuple[tuple[bool, bool, int], Restatement] | None = None
    for s in sentences(text):
        ns = normalise(s.text)
        own_cue = RESTATE_CUE.search(ns) is not None or (
            extra is not None and extra.search(ns) is not None
        )
        shared = content_words(s.text) & heard
        weak_cue = RESTATE_SO.search(ns) is not None or (
            RESTATE_SO_THE.search(ns) is not None and len(shared) >= 2
        )
        named = mentions(s.text, failure) if failure else None
        details = tuple(sorted({*shared, *([named] if named else [])}))
        has_details = named is not None or len(shared) >= 2
        # a refusal or a finding about the rule is not the customer's problem said back
        has_you = re.search(r"\byou(?:r|'re|'ve)?\b", ns) is not None and not REFUSAL.search(ns)
        if (own_cue or weak_cue or checked) and has_details:
            full = True
        elif (
            own_cue
            or (weak_cue and checked)
            or (has_you and len(shared) >= 3 and not _is_diagnostic(s))
        ):
            full = False
        else:
            continue
        r = Restatement(s, full, details, own_cue)
        rank = (full, own_cue, len(details))
        if best is None or rank > best[0]:
            best = (rank, r)
    return None if best is None else best[1]


def owner_phrases(text: str, extra: re.Pattern[str] | None = None) -> list[Phrase]:
    """Commitments the trainee owns ("I will", "let me", "I've booked")."""
    found = _found("owner", OWNER, text)
    if extra is not None:
        found += _found("owner", extra, text)
    return sorted(found, key=lambda p: p.start)


def deflections(text: str) -> list[Phrase]:
    """Ownership lost: commitments nobody owns ("we will", "they'll", "someone will") and blame
    put on a third party ("that's the warehouse's fault")."""
    out = _found("we_they", WE_DEFLECT, text) + _found("blame_other", BLAME_OTHER, text)
    return sorted(out, key=lambda p: p.start)


def concrete_time(text: str) -> Phrase | None:
    """A time the customer can hold the trainee to ("by 3 pm", "within 5 business days")."""
    return _first("concrete_time", CONCRETE_TIME, text)


def vague_time(text: str) -> Phrase | None:
    """A vague timeline ("soon", "sometime", "we're looking into it") in a sentence that gives no
    concrete time."""
    for p in _found("vague_time", VAGUE_TIME, text):
        if concrete_time(sentence_at(text, p.start).text) is None:
            return p
    return None


@dataclass(frozen=True)
class NextStep:
    """A next step: ``concrete`` (an owner and a time in one sentence) or ``partial`` (either)."""

    sentence: Sentence
    concrete: bool
    owner: Phrase | None
    time: Phrase | None


#: Where a sentence turns to another clause: a time on one side does not date a step on the
#: other ("I can't refund after thirty days, but what I can do is...").
_CLAUSE_BREAK: Final = re.compile(r"(?:;|,?\s+but\s+|,?\s+however,?\s+|,?\s+although\s+)")


def _clauses(text: str) -> list[tuple[int, int]]:
    """Character spans of the clauses of one sentence."""
    cuts = [0]
    for m in _CLAUSE_BREAK.finditer(normalise(text)):
        cuts += [m.start(), m.end()]
    cuts.append(len(text))
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]


def next_step(text: str, extra: re.Pattern[str] | None = None) -> NextStep | None:
    """The best next step in ``text``: an owner and a concrete time in the same clause, else a
    time alone or an owner committing to an action (in a clause that neither refuses nor puts
    the customer on hold)."""
    partial: NextStep | None = None
    for s in sentences(text):
        owners = owner_phrases(s.text, extra)
        times = _found("concrete_time", CONCRETE_TIME, s.text)
        for a, b in _clauses(s.text):
            owner = next((o for o in owners if a <= o.start < b), None)
            time = next((t for t in times if a <= t.start < b), None)
            if owner and time:
                return NextStep(s, True, owner, time)
            clause = normalise(s.text[a:b])
            # a refusal with a time ("I can't refund it today") or a hold notice is no step
            stepless = REFUSAL.search(clause) or HOLD_NOTICE.search(clause)
            if partial is None and _STEP_VERB.search(clause) and (owner or time) and not stepless:
                partial = NextStep(s, False, owner, time)
    return partial


def boundary(text: str, extra: re.Pattern[str] | None = None) -> Phrase | None:
    """A respectful boundary on abusive language."""
    found = [p for p in (_first("boundary", BOUNDARY, text),) if p is not None]
    if extra is not None:
        found += _found("boundary", extra, text)[:1]
    return min(found, key=lambda p: p.start) if found else None


def retaliation(text: str) -> list[Phrase]:
    """The trainee hitting back ("shut up", "whatever", "that's your problem")."""
    return _found("retaliate", RETALIATE, text)


def is_dead_air(silence_s: float, *, held: bool, dead_air_s: float, hold_max_s: float) -> bool:
    """Whether a silence the trainee owes is dead air.

    Dead air is the customer waiting on a silent trainee: the customer has finished speaking
    and the trainee says nothing for more than ``dead_air_s`` (a silence after the trainee's own
    words is the customer's to break, e.g. a pressure pause). A hold notice in the trainee's
    last words before it (``held``) covers up to ``hold_max_s``. The director, the analysis
    threshold and the scorecard all use this one definition.
    """
    return silence_s > (hold_max_s if held else dead_air_s)


# -- the director's reading of a turn ------------------------------------------------------------


@dataclass(frozen=True)
class Cues:
    """What one trainee turn contains, as the director reads it (words, or None)."""

    calm_down: str | None
    unfortunately: str | None
    per_policy: str | None
    refusal: str | None
    alternative: bool
    blaming: str | None
    """Blame of the customer or of a third party."""
    blames_customer: bool
    vague_time: str | None
    concrete_time: str | None
    commitment: bool
    next_step: str | None
    """The concrete time of a next step with an owner and a time in one sentence."""
    fix_offer: str | None
    fix_first: bool
    """The fix comes before any diagnostic question of the turn."""
    question: bool
    """A diagnostic question (not courtesy, offers, hold requests or check-backs)."""
    hold_notice: bool
    acknowledge: str | None
    ack_specific: bool
    mentions_issue: str | None
    restate: bool
    """A full restatement: a cue or a check-back, with the details."""
    boundary: bool
    insult: bool
    supervisor_offer: bool
    jargon: str | None
    explained: bool
    injection: bool
    topics: tuple[int, ...]
    """Indices of ``facts.must_ask`` entries a question asks about."""


def _words(p: Phrase | None) -> str | None:
    return p.text.strip(" ,").lower() if p is not None else None


def read_cues(text: str, persona: object | None = None, heard: Iterable[str] = ()) -> Cues:
    """Detect every cue in one trainee turn (the director's view of the vocabulary).

    Parameters
    ----------
    text : str
        The trainee's transcript for the turn.
    persona : Persona, optional
        Supplies the issue keywords and the must-ask topics (``facts.issue_keywords``,
        ``facts.must_ask``).
    heard : iterable of str
        Content words the customer has said so far (for restatement details).
    """
    facts = getattr(persona, "facts", None)
    failure: tuple[str, ...] = tuple(getattr(facts, "issue_keywords", ()) or ())
    must_ask = tuple(getattr(facts, "must_ask", ()) or ())
    t = normalise(text)
    heard = set(heard)
    ack = acknowledgement(text, failure, heard)
    rest = restatement(text, failure, heard)
    step = next_step(text)
    blamed = blame(text)
    fix = fix_offer(text)
    asked = diagnostic_questions(text)
    return Cues(
        calm_down=_words(_first("calm_down", CALM_DOWN, text)),
        unfortunately=_words(_first("unfortunately", UNFORTUNATELY, text)),
        per_policy=_words(_first("per_policy", PER_POLICY, text)),
        refusal=_words(refusal(text)),
        alternative=ALTERNATIVE.search(t) is not None,
        blaming=_words(blamed[0]) if blamed else None,
        blames_customer=any(b.kind == "blame_customer" for b in blamed),
        vague_time=_words(vague_time(text)),
        concrete_time=_words(concrete_time(text)),
        commitment=bool(owner_phrases(text)),
        next_step=_words(step.time) if step is not None and step.concrete else None,
        fix_offer=_words(fix),
        fix_first=fix_first(fix, asked),
        question=bool(asked),
        hold_notice=hold_notice(text) is not None,
        acknowledge=_words(ack.phrase) if ack else None,
        ack_specific=bool(ack and ack.specific),
        mentions_issue=mentions(text, failure) if failure else None,
        restate=bool(rest and rest.full),
        boundary=boundary(text) is not None,
        insult=RETALIATE.search(t) is not None,
        supervisor_offer=SUPERVISOR_OFFER.search(t) is not None,
        jargon=_words(_first("jargon", JARGON, text)),
        explained=EXPLAINED.search(t) is not None,
        injection=INJECTION.search(t) is not None,
        topics=asked_topics(text, [m.keywords for m in must_ask]),
    )
