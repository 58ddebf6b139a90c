"""voice-sim as a LiveKit agents worker: practice calls through LiveKit rooms, for teams that
outgrow one server.

LiveKit (``livekit-server``) carries the audio: browsers join a room with livekit-client, phone
callers come in through a SIP trunk, and livekit-server dispatches each room to one of the
registered workers (``voice-sim worker``). A worker:

* prewarms Whisper, Piper and Silero in every job process before a job arrives
  (:func:`prewarm`);
* reports its load as the share of its call slots in use (:class:`SlotLoad`), so dispatch
  balances calls across workers and a full worker takes no more;
* reads the job's metadata for persona, trainee, team and gauntlet (:func:`parse_metadata`);
* runs the call exactly as the web app does (:class:`~voice_sim.transport.CallBridge`: the
  caller's audio, 16 kHz 20 ms frames from the room, ticks the call line and the customer's
  frame goes back on the worker's audio track; transcript and mood go to the room as data
  messages on the ``voice-sim`` topic);
* waits (a bounded time) for the case note as a data message, then analyses, scores and stores
  the session in the shared store (``[store] database_url``: PostgreSQL) with its folder in the
  shared data directory.

The room I/O sits behind :class:`RoomLink`, so the job's wiring is tested with livekit-agents'
own ``fake_job_context`` and a hand-written link (no livekit-server can run in the tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from .errors import VoiceSimError, one_line
from .session import CallResult, CallSpec
from .settings import CallSettings
from .transport.aftercall import (
    AFTER_CALL_NICE,
    analyse_folder,
    score_target,
    slug,
    write_note,
)
from .transport.aftercall import prewarm as load_models
from .transport.bridge import CallBridge, CallPlan
from .transport.wire import FRAME_MS, WIRE_RATE_HZ

log = logging.getLogger("voice_sim.worker")

#: The agent name rooms dispatch to (explicit dispatch: a room gets a worker only when asked).
AGENT_NAME = "voice-sim"
#: Data messages to and from the page use this topic.
DATA_TOPIC = "voice-sim"
#: Calls one worker process runs at once (bench/browser_capacity.py; 2 cores).
WORKER_CAPACITY = 2
#: How long a finished call waits for the trainee's case note, seconds.
NOTE_WAIT_S = 10 * 60.0
#: Frames the worker's outgoing audio queue holds before capture_frame waits, milliseconds.
OUT_QUEUE_MS = 200

_METADATA_KEYS = {
    "persona",
    "trainee",
    "team",
    "gauntlet",
    "calls",
    "break_s",
    "phone_line",
    "clean",
    "note",
}


@dataclass(frozen=True)
class JobPlan:
    """What a job's metadata asks for."""

    persona: str | None = None
    """Persona id (one call); None = the default."""
    trainee: str = "trainee"
    """Whose session it is (the store's trainee)."""
    team: str | None = None
    """The trainee's team, if any."""
    gauntlet: tuple[str, ...] = ()
    """Persona ids of a gauntlet, in order (empty: one call)."""
    calls: int = 0
    """Calls of a gauntlet without explicit personas (confused, angry, abusive...)."""
    break_s: float = 30.0
    """Rest between gauntlet calls, seconds."""
    phone_line: bool = False
    """Telephone effect on the customer's voice. Off for SIP callers: their line provides it."""
    clean: bool = False
    """No profanity from abusive callers."""
    note: bool = True
    """Ask the caller for a case note after the call (off for phone callers)."""


def parse_metadata(text: str) -> JobPlan:
    """The job metadata (JSON) as a :class:`JobPlan`; a bad field is a one-line error.

    Example: ``{"persona": "angry-billing", "trainee": "sam", "team": "red"}`` or
    ``{"gauntlet": ["elderly-confused", "abusive-caller"], "trainee": "sam", "break_s": 20}``.
    An empty metadata is one call with the default persona (a SIP caller dialling in).
    """
    if not text.strip():
        return JobPlan(note=False)
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise VoiceSimError(f"job metadata: not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise VoiceSimError("job metadata: expected a JSON object")
    unknown = set(doc) - _METADATA_KEYS
    if unknown:
        raise VoiceSimError(f"job metadata: unknown field {sorted(unknown)[0]!r}")

    def text_field(key: str) -> str | None:
        v = doc.get(key)
        if v is not None and (not isinstance(v, str) or not v.strip()):
            raise VoiceSimError(f"job metadata: {key}: expected a non-empty string")
        return v.strip() if isinstance(v, str) else None

    gauntlet = doc.get("gauntlet") or []
    if not isinstance(gauntlet, list) or not all(isinstance(p, str) and p for p in gauntlet):
        raise VoiceSimError("job metadata: gauntlet: expected a list of persona ids")
    calls = doc.get("calls", 0)
    if isinstance(calls, bool) or not isinstance(calls, int) or not 0 <= calls <= 20:
        raise VoiceSimError("job metadata: calls: expected a whole number 0-20")
    break_s = doc.get("break_s", 30.0)
    if isinstance(break_s, bool) or not isinstance(break_s, int | float) or break_s < 0:
        raise VoiceSimError("job metadata: break_s: expected seconds >= 0")
    flags = {}
    for key in ("phone_line", "clean", "note"):
        if key in doc and not isinstance(doc[key], bool):
            raise VoiceSimError(f"job metadata: {key}: expected true or false")
        if key in doc:
            flags[key] = doc[key]
    return JobPlan(
        persona=text_field("persona"),
        trainee=text_field("trainee") or "trainee",
        team=text_field("team"),
        gauntlet=tuple(gauntlet),
        calls=calls,
        break_s=float(break_s),
        **flags,
    )


def call_plan(job: JobPlan, folder: Path, settings: CallSettings) -> CallPlan:
    """The :class:`CallPlan` a job runs, its session (or gauntlet) folder ``folder``."""
    from personas import plan_gauntlet

    spec = CallSpec(
        out_dir=folder,
        persona=job.persona,
        trainee_name=job.trainee,
        mode="live",
        clean=job.clean,
        settings=replace(settings, phone_line=job.phone_line),
    )
    if job.gauntlet or job.calls > 1:
        plan = plan_gauntlet(list(job.gauntlet) or None, job.calls or len(job.gauntlet))
        return CallPlan(spec, tuple(plan), job.break_s)
    return CallPlan(spec)


# ----------------------------------------------------------------------------- room I/O


class RoomLink(Protocol):
    """The caller's side of a room, as a call needs it."""

    def frames(self) -> AsyncIterator[bytes]:
        """The caller's audio: 20 ms frames of 16 kHz int16 mono, ending when they leave."""
        ...

    async def play(self, pcm: bytes) -> None:
        """Send customer audio (whole 20 ms frames) to the caller."""
        ...

    def send(self, message: dict[str, Any]) -> None:
        """Queue a JSON message for the caller's page (transcript, mood, call state)."""
        ...

    def messages(self) -> AsyncIterator[dict[str, Any]]:
        """JSON messages from the caller's page (hang-up, case note)."""
        ...


class LiveKitLink:
    """:class:`RoomLink` over a connected LiveKit room and one remote participant."""

    def __init__(self, room: Any, participant: Any) -> None:
        from livekit import rtc

        self._rtc = rtc
        self.room = room
        self.participant = participant
        self.source = rtc.AudioSource(WIRE_RATE_HZ, 1, queue_size_ms=OUT_QUEUE_MS)
        self._inbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._tasks: set[asyncio.Task[Any]] = set()

        @room.on("data_received")
        def on_data(packet: Any) -> None:
            if packet.topic != DATA_TOPIC:
                return
            if packet.participant is None or packet.participant.identity != participant.identity:
                return
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                doc = json.loads(packet.data.decode("utf-8"))
                if isinstance(doc, dict):
                    self._inbox.put_nowait(doc)

        @room.on("participant_disconnected")
        def on_left(p: Any) -> None:
            if p.identity == participant.identity:
                self._inbox.put_nowait(None)

    async def publish(self) -> None:
        """Publish the customer's voice as this worker's microphone track."""
        rtc = self._rtc
        track = rtc.LocalAudioTrack.create_audio_track("customer", self.source)
        opts = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        await self.room.local_participant.publish_track(track, opts)

    async def frames(self) -> AsyncIterator[bytes]:
        stream = self._rtc.AudioStream.from_participant(
            participant=self.participant,
            track_source=self._rtc.TrackSource.SOURCE_MICROPHONE,
            sample_rate=WIRE_RATE_HZ,
            num_channels=1,
            frame_size_ms=FRAME_MS,
        )
        try:
            async for event in stream:
                yield bytes(event.frame.data)
        finally:
            await stream.aclose()

    async def play(self, pcm: bytes) -> None:
        frame = self._rtc.AudioFrame(
            data=pcm, sample_rate=WIRE_RATE_HZ, num_channels=1, samples_per_channel=len(pcm) // 2
        )
        await self.source.capture_frame(frame)

    def send(self, message: dict[str, Any]) -> None:
        payload = json.dumps(message, separators=(",", ":"))
        task = asyncio.ensure_future(
            self.room.local_participant.publish_data(
                payload,
                reliable=True,
                destination_identities=[self.participant.identity],
                topic=DATA_TOPIC,
            )
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_forget)

    async def messages(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            doc = await self._inbox.get()
            if doc is None:
                return
            yield doc


#: Marks the end of the caller's messages in the note queue.
_LEFT = "_left"


def _forget(task: asyncio.Task[Any]) -> None:
    """A data message to a caller who already left fails; that is not worth a warning."""
    if not task.cancelled():
        task.exception()


# ----------------------------------------------------------------------------- the job


@dataclass
class RoomCall:
    """What a job did: the finished calls, the case notes written, where it was stored."""

    results: list[CallResult] = field(default_factory=list)
    notes: list[Path] = field(default_factory=list)
    session_ids: list[int] = field(default_factory=list)
    error: str | None = None


async def run_room_call(
    job: JobPlan,
    link: RoomLink,
    *,
    folder: Path,
    settings: CallSettings | None = None,
    note_wait_s: float = NOTE_WAIT_S,
    after_call: Callable[[JobPlan, CallPlan, list[Path]], tuple[list[int], str]] | None = None,
) -> RoomCall:
    """Run a job's calls over ``link``, take the case note, then ``after_call`` (score, store).

    The caller leaving (the frames end) ends the live call as ``disconnected``.
    """
    plan = call_plan(job, folder, settings or CallSettings())
    out = RoomCall()
    bridge = CallBridge(plan, emit=link.send)
    runner = asyncio.ensure_future(bridge.run())

    async def control() -> None:
        async for msg in link.messages():
            if msg.get("type") == "hangup":
                bridge.hangup()
            elif msg.get("type") == "note":
                pending_notes.put_nowait(msg)
        pending_notes.put_nowait({"type": _LEFT})  # the caller left: no note will come

    pending_notes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    controller = asyncio.ensure_future(control())
    try:
        async for pcm in link.frames():
            reply = bridge.feed(pcm)
            if reply:
                await link.play(reply)
            if runner.done():
                break
        else:
            bridge.stop("disconnected")
        out.results = list(await runner)
        link.send({"type": "done", "calls": len(out.results), "review": None})
        folders = [r.out_dir for r in out.results]
        left = any(r.end_reason == "disconnected" for r in out.results)
        if job.note and folders and not left:
            out.notes = await _take_notes(pending_notes, folders, note_wait_s)
    finally:
        controller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await controller
        if not runner.done():
            bridge.stop("disconnected")
            await runner
    if after_call is not None and out.results:
        try:
            out.session_ids, review = await asyncio.to_thread(
                after_call, job, plan, [r.out_dir for r in out.results]
            )
            link.send({"type": "stored", "session_ids": out.session_ids, "review": review})
        except Exception as exc:  # the folders are complete on disk: import them later
            out.error = one_line(exc)
            log.exception("after-call work failed for %s", folder)
            link.send({"type": "error", "message": f"the call was not stored: {out.error}"})
    return out


async def _take_notes(
    inbox: asyncio.Queue[dict[str, Any]], folders: list[Path], wait_s: float
) -> list[Path]:
    """Case notes from the page (``{"type": "note", "call": n, "text": ...}``) until the last
    call's note (or skip) arrives, the caller leaves, or ``wait_s`` passes."""
    written: list[Path] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        left = deadline - loop.time()
        if left <= 0:
            return written
        try:
            msg = await asyncio.wait_for(inbox.get(), timeout=left)
        except TimeoutError:
            return written
        if msg.get("type") == _LEFT:
            return written
        n = msg.get("call", len(folders))
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(folders):
            continue
        text = msg.get("text")
        path = write_note(folders[n - 1], text) if isinstance(text, str) else None
        if path is not None:
            written.append(path)
        if n == len(folders):
            return written


def analyse_score_store(
    job: JobPlan, plan: CallPlan, folders: list[Path], *, data_dir: Path | None = None
) -> tuple[list[int], str]:
    """After the call, in the job's process at a lower CPU priority: analyse and score every
    call (the gauntlet's session scorecard too) and store them in the shared store; returns
    the session ids and the web app's page to review them."""
    from .store.hook import open_store
    from .store.register import read_session, store_records

    with contextlib.suppress(OSError, AttributeError):
        os.nice(AFTER_CALL_NICE)
    scored = True
    try:
        for f in folders:
            analyse_folder(str(f))
        score_target(str(plan.folder if plan.gauntlet else folders[0]))
    except Exception as exc:  # stored unscored: the recording is what matters
        scored = False
        log.warning("call not scored: %s", exc)
    db = open_store(data_dir)
    try:
        gid, ids = store_records(
            db,
            [read_session(f) for f in folders],
            trainee=job.trainee,
            team=job.team,
            source="live",
            gauntlet=plan.folder if plan.gauntlet else None,
        )
    finally:
        db.close()
    review = f"/sessions?gauntlet={gid}" if gid is not None else f"/sessions/{ids[0]}"
    log.info("stored sessions %s (%s)", ids, "scored" if scored else "not scored")
    return ids, review


# ----------------------------------------------------------------------------- the worker


@dataclass
class SlotLoad:
    """The worker's load for dispatch: the share of its call slots in use, 0-1.

    livekit-server stops sending jobs to a worker whose load reaches the threshold, so a
    worker takes ``capacity`` calls and no more, and idle workers get the next ones.
    """

    capacity: int = WORKER_CAPACITY

    def __call__(self, server: Any) -> float:
        active = len(getattr(server, "active_jobs", []) or [])
        return min(1.0, active / max(1, self.capacity))

    @property
    def threshold(self) -> float:
        """Load at which the worker is full (just under 1 / capacity short of 1)."""
        return 1.0 - 0.5 / max(1, self.capacity)


def prewarm(proc: Any) -> None:
    """Load the models once per job process, before any job (livekit's prewarm hook)."""
    settings = CallSettings()
    load_models(settings)
    proc.userdata["settings"] = settings


def session_folder(data_dir: Path, job: JobPlan, job_id: str) -> Path:
    """``<data>/practice/<trainee>/<job id>-<persona or gauntlet>``."""
    what = "gauntlet" if (job.gauntlet or job.calls > 1) else slug(job.persona or "angry-billing")
    return data_dir / "practice" / slug(job.trainee) / f"{slug(job_id)}-{what}"


async def join_room(ctx: Any) -> tuple[RoomLink, bool]:
    """Connect, wait for the caller, publish the customer's track; (link, caller is SIP)."""
    from livekit import rtc
    from livekit.agents import AutoSubscribe

    await ctx.connect(auto_subscribe=AutoSubscribe.AUDIO_ONLY)
    participant = await ctx.wait_for_participant()
    link = LiveKitLink(ctx.room, participant)
    await link.publish()
    return link, participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP


async def entrypoint(ctx: Any) -> None:
    """A job: join the room, wait for the caller, run the call, store it.

    ``ctx.proc.userdata`` may hold ``settings`` (from :func:`prewarm`), ``data_dir`` and
    ``join`` (a replacement for :func:`join_room`, which is how the tests drive a job without
    a livekit-server).
    """
    from . import config

    job = parse_metadata(ctx.job.metadata or "")
    userdata = ctx.proc.userdata
    settings = userdata.get("settings") or CallSettings()
    link, sip = await userdata.get("join", join_room)(ctx)
    if sip:
        job = replace(job, phone_line=False, note=False)  # the phone line is real
    data_dir = Path(userdata.get("data_dir") or config.data_dir())
    result = await run_room_call(
        job,
        link,
        folder=session_folder(data_dir, job, ctx.job.id),
        settings=settings,
        note_wait_s=float(userdata.get("note_wait_s", NOTE_WAIT_S)),
        after_call=lambda j, p, f: analyse_score_store(j, p, f, data_dir=data_dir),
    )
    userdata["result"] = result
    log.info("job %s: %d calls, stored %s", ctx.job.id, len(result.results), result.session_ids)
    ctx.shutdown("call finished")


def make_server(capacity: int = WORKER_CAPACITY) -> Any:
    """The livekit-agents ``AgentServer`` running voice-sim calls (explicit dispatch)."""
    from livekit.agents import AgentServer

    load = SlotLoad(capacity)
    server = AgentServer(setup_fnc=prewarm, load_fnc=load, load_threshold=load.threshold)
    server.rtc_session(entrypoint, agent_name=AGENT_NAME)
    return server
