"""Who holds the floor: the call's one turn model.

A small, pure state machine. It is fed the trainee's voice edges (:mod:`voice_sim.voice_activity`),
transcripts of the trainee's turn, the customer's lines starting and stopping on the line, and the
clock; it answers with :class:`Action` s for the session to carry out. It never reads a clock or
touches audio, so every rule here is tested over scripted timelines (``tests/voice_sim/
test_turns.py``). The director, the live STT, the interruption logic and the event log all see
turns through it.

The rules, in the order they matter:

* **A turn is the trainee's until they stop.** Voice segments split by pauses are one turn. The
  turn ends after :attr:`TurnSettings.end_of_turn_s` of silence when its transcript reads as a
  finished sentence, and after :attr:`TurnSettings.turn_merge_s` when it stops mid-sentence
  ("...and"). A turn is answered once, with its whole transcript.
* **The answer is prepared while the turn may still go on.** As soon as the trainee is quiet
  and the transcript covers the whole turn and reads as a finished sentence, the model says so
  (:class:`Speculate`) before the end-of-turn silence has run out: the session prepares the
  reply (the director hears the turn, the first sentence is synthesized) and holds it until
  :class:`TurnEnded`. If the trainee goes on first, the reply is withdrawn unheard.
* **The trainee may take back the floor.** Speech before the customer's reply has played for
  :attr:`TurnSettings.collision_s`, or within :attr:`TurnSettings.turn_merge_s` of the turn's
  last sound, continues the same turn: the reply is withdrawn (:class:`ReplyWithdrawn`), and
  nobody interrupted anybody. A pause shorter than the merge threshold never splits a turn.
* **Barge-in.** Speech over an interruptible customer line pauses the line at once
  (:class:`PauseLine`); after :attr:`TurnSettings.barge_in_s` of speech the line is dropped and
  the trainee interrupted (:class:`StopLine`); a shorter sound lets the line go on from where it
  paused (:class:`ResumeLine`). Speech over a line that cannot be interrupted is held: the turn
  is recorded and answered after the line.
* **A deliberate silence is an answer.** When the customer stays silent on purpose after a turn
  (a pressure pause, :meth:`TurnModel.keep_silent_until`), speech in that silence does not take
  the turn back: the silence answered it (:class:`SilenceHeld`), and the speech is a new turn.
* **Nods are listening.** A short sound that starts and ends while the customer's line is on
  the air ("mm-hmm", "I see", "go on", a cough) is a backchannel (:class:`Backchannel`), not a
  turn: nobody answers it and nobody was interrupted.
* **Silence as it happens.** When the customer has finished a line that wants an answer and the
  trainee says nothing for the persona's patience, the customer speaks up (:class:`SpeakUp`),
  with the time the silence started. A trainee who is speaking, or whose turn is still being
  answered, is never silent. A hold notice, or the customer's own deliberate silence, stops the
  silence clock until a given time. The session may hold a prompt back (:meth:`TurnModel.not_yet`)
  when the trainee has just started to make a sound the voice detector has not judged yet.
* **Talking over a monologue.** A persona that cuts in does so when one turn has gone on for its
  limit (:class:`TalkOver`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LineKind = Literal["opening", "reply", "prompt", "talk_over"]


@dataclass(frozen=True)
class TurnSettings:
    """Timing of the turn model (defaults: :class:`voice_sim.settings.CallSettings`)."""

    end_of_turn_s: float = 0.3
    """Silence that ends a turn whose words read as finished, seconds."""
    turn_merge_s: float = 1.2
    """Silence that ends a turn that stops mid-sentence, seconds (longer pauses split turns)."""
    collision_s: float = 0.4
    """Trainee speech this soon after the customer's reply starts takes the floor back, seconds."""
    barge_in_s: float = 0.8
    """Speech over a customer line longer than a verbal nod: it stops an interruptible line for
    good; anything shorter said over a line is a nod, seconds."""
    transcript_wait_s: float = 2.0
    """Longest wait for a transcript after the end of turn before answering without it, s."""
    speculate: bool = True
    """Prepare the answer as soon as a quiet turn's words read as finished (:class:`Speculate`),
    before the end-of-turn silence has run out."""


@dataclass
class Turn:
    """The trainee's current turn."""

    id: int
    """Sequence number in the call, from 1."""
    start_s: float
    """First voiced sound, seconds on the call clock."""
    end_s: float
    """End of the last voiced sound so far, seconds."""
    segments: list[tuple[float, float | None]] = field(default_factory=list)
    """Voice segments (start, end; end None while voiced), seconds."""
    interrupted_customer: bool = False
    """The trainee stopped a customer line by talking over it."""
    over_line: bool = False
    """Part of the turn was said over a customer line that could not be interrupted."""
    text: str | None = None
    """Latest transcript."""
    text_until_s: float = -1.0
    """The transcript covers the turn's audio up to here, seconds."""
    complete: bool = True
    """The transcript reads as a finished sentence."""
    ended: bool = False
    """The end of the turn was declared and the session is answering it."""
    talked_over: bool = False
    """The customer already cut in on this turn."""
    speculating: bool = False
    """An answer is being prepared before the end of the turn (:class:`Speculate`)."""
    began_over_line: bool = False
    """The turn's first sound came while a customer line was on the air."""
    silent_answer: bool = False
    """The customer answers this turn with a deliberate silence first (a pressure pause)."""

    @property
    def voiced(self) -> bool:
        """The trainee is making sound right now."""
        return bool(self.segments) and self.segments[-1][1] is None


@dataclass
class LineState:
    """The customer line on the air."""

    kind: LineKind
    start_s: float
    interruptible: bool
    wants_answer: bool
    turn_id: int | None
    """The trainee turn this line answers (replies only)."""
    committed: bool = False
    paused_at_s: float | None = None
    commit_at_s: float = 0.0
    """A reply takes hold at this time, seconds (until then the trainee can take it back)."""


# -- actions ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transcribe:
    """The trainee paused: transcribe the turn up to ``until_s``."""

    turn_id: int
    until_s: float


@dataclass(frozen=True)
class Speculate:
    """The trainee is quiet and their words read as finished: prepare the answer now, and hold
    it until :class:`TurnEnded` (or drop it on :class:`ReplyWithdrawn`)."""

    turn: Turn


@dataclass(frozen=True)
class TurnEnded:
    """The turn is over: answer it."""

    turn: Turn


@dataclass(frozen=True)
class ReplyWithdrawn:
    """The trainee went on before the reply took hold: stop it, forget it, keep the turn open."""

    turn_id: int
    played: bool
    """Some of the reply was already heard (stop the line)."""


@dataclass(frozen=True)
class SilenceHeld:
    """The trainee spoke into the customer's deliberate silence (a pressure pause): the silence
    was the answer to turn ``turn_id``, which is over; the speech is a new turn."""

    turn_id: int


@dataclass(frozen=True)
class ReplyCommitted:
    """The reply has the floor: from now on it is part of the call."""

    turn_id: int


@dataclass(frozen=True)
class PauseLine:
    """The trainee started talking over an interruptible line: pause its audio now."""

    t_s: float


@dataclass(frozen=True)
class ResumeLine:
    """It was a short sound: the line goes on."""

    t_s: float


@dataclass(frozen=True)
class Backchannel:
    """A nod: a short sound said over the customer's line, which goes on. Not a turn."""

    turn_id: int
    """The turn opened at its first sound, now closed unanswered."""
    start_s: float
    """First sound, seconds."""
    end_s: float
    """Last sound, seconds."""


@dataclass(frozen=True)
class StopLine:
    """The trainee interrupted: drop the rest of the line."""

    t_s: float
    """When the trainee started talking over it."""
    turn_id: int


@dataclass(frozen=True)
class SpeakUp:
    """The trainee has been silent too long: the customer says something."""

    since_s: float
    """When the silence started, seconds."""
    silence_s: float
    """How long it has lasted, seconds."""
    kind: Literal["dead_air", "hold_check"]
    """Plain silence, or a hold that ran past the customer's patience."""
    count: int
    """1 for the first prompt in this silence, 2 for the next..."""


@dataclass(frozen=True)
class TalkOver:
    """The trainee has talked for the customer's limit: cut in."""

    turn_id: int
    t_s: float


Action = (
    Transcribe
    | Speculate
    | TurnEnded
    | ReplyWithdrawn
    | SilenceHeld
    | ReplyCommitted
    | PauseLine
    | ResumeLine
    | Backchannel
    | StopLine
    | SpeakUp
    | TalkOver
)


class TurnModel:
    """The floor of one call.

    Parameters
    ----------
    settings : TurnSettings
        Timing thresholds.
    """

    def __init__(self, settings: TurnSettings | None = None) -> None:
        self.s = settings or TurnSettings()
        self.turn: Turn | None = None
        """The trainee's open turn (None between turns)."""
        self.line: LineState | None = None
        """The customer line on the air."""
        self._turns = 0
        self._waiting_since: float | None = None
        self._hold_until = 0.0
        self._silent_until = 0.0
        self._prompts = 0
        self.patience_s: float = 4.0
        """Silence before the customer speaks up, seconds (the session sets it per persona and
        intensity)."""
        self.talk_over_after_s: float | None = None
        """Trainee talk time after which the customer cuts in, seconds; None = never."""
        self._barge_start: float | None = None

    # -- what the session asks ------------------------------------------------------------
    @property
    def floor(self) -> Literal["trainee", "customer", "both", "none"]:
        """Who is talking now."""
        t = self.turn is not None and self.turn.voiced
        c = self.line is not None and self.line.paused_at_s is None
        return "both" if t and c else "trainee" if t else "customer" if c else "none"

    @property
    def waiting_since_s(self) -> float | None:
        """Start of the silence the customer is waiting through, or None."""
        return self._waiting_since

    def keep_silent_until(self, t_s: float, *, hold: bool = False) -> None:
        """The silence before ``t_s`` is not dead air.

        ``hold=True``: the trainee gave a hold notice; a prompt after ``t_s`` is a hold
        check-in. Otherwise the customer is deliberately silent until ``t_s`` (a pressure
        pause): the silence clock starts at ``t_s``, and the session holds the customer's next
        reply until then (:attr:`customer_silent_until_s`). Trainee speech meanwhile is an
        ordinary turn."""
        if hold:
            self._hold_until = max(self._hold_until, t_s)
        else:
            self._silent_until = max(self._silent_until, t_s)
            if self.turn is not None and self.turn.ended:
                self.turn.silent_answer = True

    def end_hold(self) -> None:
        """The trainee is back from the hold (a turn without a hold notice)."""
        self._hold_until = 0.0

    @property
    def customer_silent_until_s(self) -> float:
        """The customer says nothing before this time, seconds (0: no deliberate silence)."""
        return self._silent_until

    # -- the trainee's voice ----------------------------------------------------------------
    def voice_on(self, t_s: float) -> list[Action]:
        """The trainee's voice started at ``t_s``."""
        out: list[Action] = []
        self._waiting_since = None
        self._prompts = 0
        ln = self.line
        turn = self.turn
        if turn is not None and turn.silent_answer and ln is None and t_s < self._silent_until:
            # the customer's silence was their answer: this is the trainee's next turn
            out.append(SilenceHeld(turn.id))
            self.turn = turn = None
        elif turn is not None and (turn.ended or turn.speculating) and ln is None:
            # the reply has not started yet: the trainee goes on, the same turn
            turn.ended = turn.speculating = False
            out.append(ReplyWithdrawn(turn.id, played=False))
        elif ln is not None and ln.kind == "reply" and not ln.committed and turn is not None:
            turn.ended = turn.speculating = False
            self.line = None
            out.append(ReplyWithdrawn(turn.id, played=True))
            ln = None
        if self.turn is None:
            self._turns += 1
            self.turn = Turn(self._turns, t_s, t_s)
            self.turn.began_over_line = ln is not None and ln.paused_at_s is None
        turn = self.turn
        turn.segments.append((t_s, None))
        if ln is not None and ln.paused_at_s is None:
            if ln.interruptible:
                self._barge_start = t_s
                ln.paused_at_s = t_s
                out.append(PauseLine(t_s))
            else:
                turn.over_line = True
        return out

    def voice_off(self, t_s: float) -> list[Action]:
        """The trainee's voice stopped; ``t_s`` is the end of the last voiced sound."""
        turn = self.turn
        if turn is None or not turn.voiced:
            return []
        start, _ = turn.segments[-1]
        turn.segments[-1] = (start, max(start, t_s))
        turn.end_s = max(turn.end_s, t_s)
        out: list[Action] = []
        if self._barge_start is not None and self.line is not None:
            # a short sound over the line: not a barge-in
            self._barge_start = None
            self.line.paused_at_s = None
            out.append(ResumeLine(t_s))
        if self._is_nod(turn, t_s):
            self.turn = None
            out.append(Backchannel(turn.id, turn.start_s, turn.end_s))
            return out
        out.append(Transcribe(turn.id, turn.end_s))
        return out

    def _is_nod(self, turn: Turn, end_s: float) -> bool:
        """One short sound, begun and ended while the same customer line is on the air."""
        return (
            turn.began_over_line
            and len(turn.segments) == 1
            and self.line is not None
            and not turn.interrupted_customer
            and end_s - turn.start_s < self.s.barge_in_s
        )

    def transcript(self, turn_id: int, text: str, *, until_s: float, complete: bool) -> None:
        """A transcript of turn ``turn_id`` up to ``until_s`` (call clock) came back."""
        turn = self.turn
        if turn is None or turn.id != turn_id or until_s < turn.text_until_s:
            return
        turn.text, turn.text_until_s, turn.complete = text, until_s, complete

    # -- the customer's lines ---------------------------------------------------------------
    def line_started(
        self,
        t_s: float,
        kind: LineKind,
        *,
        interruptible: bool = True,
        wants_answer: bool = True,
        turn_id: int | None = None,
    ) -> list[Action]:
        """A customer line's first audio went out at ``t_s``."""
        self.line = LineState(kind, t_s, interruptible, wants_answer, turn_id)
        if kind == "reply" and self.turn is not None:
            # a pause shorter than the merge threshold never splits a turn, even when the
            # customer was quick to answer it
            self.line.commit_at_s = max(
                t_s + self.s.collision_s, self.turn.end_s + self.s.turn_merge_s
            )
        self._waiting_since = None
        out: list[Action] = []
        if self.turn is not None and self.turn.voiced:
            self.turn.over_line = self.turn.over_line or not interruptible
            if kind == "reply":  # the trainee spoke again just as the reply went out
                self.line.paused_at_s = t_s
                self.turn.ended = self.turn.speculating = False
                self.line = None
                return [ReplyWithdrawn(turn_id or self.turn.id, played=True)]
            if interruptible and kind != "talk_over":
                self._barge_start = t_s
                self.line.paused_at_s = t_s
                out.append(PauseLine(t_s))
        return out

    def line_stopped(self, t_s: float, *, interrupted: bool = False) -> list[Action]:
        """The customer line on the air ended at ``t_s`` (played out, or cut)."""
        ln = self.line
        self.line = None
        self._barge_start = None
        out: list[Action] = []
        if ln is None:
            return out
        if ln.kind == "reply" and not ln.committed and ln.turn_id is not None:
            out.append(ReplyCommitted(ln.turn_id))
            self._answered(ln.turn_id)
        if not interrupted and ln.wants_answer and self.turn is None:
            self._waiting_since = t_s
        return out

    def _answered(self, turn_id: int) -> None:
        if self.turn is not None and self.turn.id == turn_id and self.turn.ended:
            self.turn = None

    def reply_skipped(self, turn_id: int, t_s: float) -> None:
        """The session will not answer turn ``turn_id`` (no words in it, or the call is ending):
        the silence is counted from the end of that turn."""
        if self.turn is not None and self.turn.id == turn_id and self.turn.ended:
            end = self.turn.end_s
            self.turn = None
            if self.line is None:
                self._waiting_since = end

    def not_yet(self, a: SpeakUp) -> None:
        """The session held ``a`` back: there is sound on the trainee's channel that the voice
        detector has not judged yet. The silence goes on from where it started, and the next
        tick asks again (unless the trainee's voice starts meanwhile)."""
        self._waiting_since = a.since_s
        self._prompts = max(0, a.count - 1)

    def spoke_up(self, t_s: float) -> None:
        """The session said a prompt for the silence (its line follows through line_started)."""
        self._waiting_since = None

    # -- the clock --------------------------------------------------------------------------
    def tick(self, now_s: float) -> list[Action]:
        """Advance to ``now_s``; fire the timers that are due."""
        out: list[Action] = []
        out += self._barge_in(now_s)
        out += self._commit(now_s)
        out += self._speculate(now_s)
        out += self._end_of_turn(now_s)
        out += self._talk_over(now_s)
        out += self._silence(now_s)
        return out

    def _barge_in(self, now: float) -> list[Action]:
        if self._barge_start is None or self.line is None or self.turn is None:
            return []
        if now - self._barge_start < self.s.barge_in_s:
            return []
        start = self._barge_start
        self._barge_start = None
        self.line = None
        self.turn.interrupted_customer = True
        return [StopLine(start, self.turn.id)]

    def _commit(self, now: float) -> list[Action]:
        ln = self.line
        if ln is None or ln.kind != "reply" or ln.committed or ln.turn_id is None:
            return []
        if now < max(ln.commit_at_s, ln.start_s + self.s.collision_s):
            return []
        ln.committed = True
        self._answered(ln.turn_id)
        return [ReplyCommitted(ln.turn_id)]

    def _speculate(self, now: float) -> list[Action]:
        turn = self.turn
        if not self.s.speculate or turn is None or turn.ended or turn.speculating:
            return []
        if turn.voiced or self.line is not None or not (turn.text or "").strip():
            return []
        if turn.text_until_s < turn.end_s - 1e-6 or not turn.complete:
            return []
        turn.speculating = True
        return [Speculate(turn)]

    def _end_of_turn(self, now: float) -> list[Action]:
        turn = self.turn
        if turn is None or turn.ended or turn.voiced or self.line is not None:
            return []
        silence = now - turn.end_s
        if silence < self.s.end_of_turn_s:
            return []
        heard = turn.text_until_s >= turn.end_s - 1e-6
        if not heard and silence < self.s.transcript_wait_s:
            return []
        if heard and not turn.complete and silence < self.s.turn_merge_s:
            return []
        turn.ended = True
        return [TurnEnded(turn)]

    def _talk_over(self, now: float) -> list[Action]:
        turn, limit = self.turn, self.talk_over_after_s
        if turn is None or limit is None or turn.talked_over or self.line is not None:
            return []
        if not turn.voiced or now - turn.start_s < limit:
            return []
        turn.talked_over = True
        return [TalkOver(turn.id, now)]

    def _silence(self, now: float) -> list[Action]:
        since = self._waiting_since
        if since is None or self.turn is not None or self.line is not None:
            return []
        start = max(since, self._silent_until)  # the customer's own silence is not dead air
        held = self._hold_until > start
        if now - max(start, self._hold_until) < self.patience_s:
            return []
        self._prompts += 1
        self._waiting_since = None
        if held:
            return [SpeakUp(start, now - start, "hold_check", self._prompts)]
        return [SpeakUp(start, now - start, "dead_air", self._prompts)]
