"""Practice calls from the browser, behind the web app: the calls of this process, the models
they share, and the work after each call.

What happens to a call
----------------------
1. The trainee picks a persona (or an assigned gauntlet) and presses Call: a CSRF-checked POST
   registers a :class:`~voice_sim.transport.PracticeCall` with a session folder under
   ``<data>/practice/``, and the page opens the call socket.
2. The call runs on the socket (:mod:`voice_sim.transport`); up to ``capacity`` calls run at
   once in this process, later callers wait in a visible queue.
3. When a call ends (hang-up either side, the time limit, or the browser going away) its
   folder is complete on disk, and its analysis starts at once in a worker process, at a lower
   CPU priority than the live calls.
4. The page asks for the case note (``case_note.md`` in the session folder). Once it is saved
   or skipped (or the trainee left: a disconnected call is not waited for), the call is scored
   and stored, and the page turns into its review page.

Whisper, Piper and Silero load once per process (:func:`prewarm`, before the first call) and
every call shares them: faster-whisper and ONNX Runtime sessions are safe to call from
several threads, each call keeps its own stream state.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Literal

from personas import DEFAULT_PERSONA

from ..errors import one_line
from ..session import CallResult, CallSpec
from ..settings import MAX_CALL_S, CallSettings
from ..transport import Authenticate, CallPlan, CallRegistry, CallSocket, PracticeCall
from ..transport.aftercall import (
    AFTER_CALL_NICE,
    analyse_folder,
    init_worker,
    prewarm,
    score_target,
    slug,
    write_note,
)

log = logging.getLogger("voice_sim.web.practice")

#: Calls one server process runs at once before callers queue: the most that kept voice-to-voice
#: p95 <= 1.5 s on 2 cores in bench/browser_capacity.py on an idle machine (5 held at 1035 ms,
#: 6 did not at 2350 ms, since answers are prepared ahead; README: Figures).
CAPACITY = 5
#: How long a finished call waits for its case note before it is scored without one, seconds.
NOTE_WAIT_S = 30 * 60.0
#: Worker processes for the analysis after calls (one keeps a core for the live calls).
AFTER_CALL_WORKERS = 1
#: Rest between the calls of a gauntlet taken from the browser (the after-call work), seconds.
GAUNTLET_BREAK_S = 30.0

Phase = Literal["calling", "analysing", "waiting_note", "scoring", "done", "failed"]


@dataclass(frozen=True)
class PracticeSettings:
    """Browser practice calls ([practice] in the config file, VOICE_SIM_PRACTICE_* in the env)."""

    capacity: int = CAPACITY
    """Calls run at once by one server process; more wait in a queue."""
    max_call_s: float = MAX_CALL_S
    """A call ends by itself after this long, seconds."""
    gauntlet_break_s: float = GAUNTLET_BREAK_S
    """Rest between the calls of a gauntlet, seconds."""
    note_wait_s: float = NOTE_WAIT_S
    """How long a finished call waits for its case note, seconds."""
    after_call_workers: int = AFTER_CALL_WORKERS
    """Worker processes analysing and scoring finished calls."""
    trusted_origins: str = ""
    """Comma-separated origins allowed besides the server's own (a proxy's public name)."""
    phone_line: bool = False
    """Pass the customer's voice through the telephone-line effect."""
    livekit_url: str | None = None
    """Carry calls through LiveKit instead of this server's call socket: the livekit-server URL
    browsers connect to (e.g. wss://lk.example.org). Calls then run on ``voice-sim worker``s."""
    livekit_api_key: str | None = None
    """API key that signs the browsers' room tokens (default: $LIVEKIT_API_KEY)."""
    livekit_api_secret: str | None = None
    """Its secret (default: $LIVEKIT_API_SECRET)."""


@dataclass
class Aftercare:
    """Where one practice request stands after its calls."""

    phase: Phase = "calling"
    """What is happening now."""
    folders: list[Path] = field(default_factory=list)
    """Session folders of the finished calls, in order."""
    disconnected: bool = False
    """The trainee's browser went away: nobody will write a note."""
    note_done: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the note is saved or skipped (or will not come)."""
    plan_ended: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the socket closed: every call of the plan that will happen has happened."""
    analyses: list[asyncio.Future[None]] = field(default_factory=list)
    """Analysis of each finished call."""
    session_ids: list[int] = field(default_factory=list)
    """Stored session ids."""
    review: str | None = None
    """The page to open when done."""
    error: str | None = None
    """Why the work failed (one line)."""
    task: asyncio.Task[None] | None = None


#: A browser's LiveKit room token is valid this long (it only has to join once), seconds.
LIVEKIT_TOKEN_TTL_S = 10 * 60


def livekit_token(
    settings: PracticeSettings, *, identity: str, name: str, metadata: dict[str, Any]
) -> dict[str, str] | None:
    """A room and a token for a browser to join it, dispatching a ``voice-sim worker`` with the
    call's ``metadata`` (persona, trainee, team, gauntlet); None when LiveKit is not set up."""
    if not settings.livekit_url:
        return None
    import datetime as _dt
    import json
    import secrets

    from livekit import api

    from ..errors import VoiceSimError
    from ..worker import AGENT_NAME

    key = settings.livekit_api_key or os.environ.get("LIVEKIT_API_KEY")
    secret = settings.livekit_api_secret or os.environ.get("LIVEKIT_API_SECRET")
    if not key or not secret:
        raise VoiceSimError(
            "[practice] livekit_url is set but not the API key and secret "
            "(livekit_api_key / livekit_api_secret, or $LIVEKIT_API_KEY / $LIVEKIT_API_SECRET)"
        )
    room = f"practice-{secrets.token_urlsafe(9)}"
    token = (
        api.AccessToken(key, secret)
        .with_identity(identity)
        .with_name(name)
        .with_grants(
            api.VideoGrants(
                room_join=True,
                room=room,
                can_publish=True,
                can_subscribe=True,
                can_publish_data=True,
            )
        )
        .with_room_config(
            api.RoomConfiguration(
                agents=[api.RoomAgentDispatch(agent_name=AGENT_NAME, metadata=json.dumps(metadata))]
            )
        )
        .with_ttl(_dt.timedelta(seconds=LIVEKIT_TOKEN_TTL_S))
        .to_jwt()
    )
    return {"url": settings.livekit_url, "room": room, "token": token}


class PracticeService:
    """The practice calls of one web app process.

    Parameters
    ----------
    data_dir : Path
        The web app's data directory; calls go to ``<data_dir>/practice/``.
    store : callable
        ``store(call, folders) -> (session ids, review url)``: run on a thread when a call (or
        gauntlet) is scored.
    settings : PracticeSettings
        Capacity, limits and timings.
    call_settings : CallSettings
        Settings of every call (models, VAD, phone line).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        store: Callable[[PracticeCall, list[Path]], tuple[list[int], str | None]],
        settings: PracticeSettings | None = None,
        call_settings: CallSettings | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.settings = settings or PracticeSettings()
        base = call_settings or CallSettings()
        self.call_settings = replace(
            base, max_call_s=self.settings.max_call_s, phone_line=self.settings.phone_line
        )
        self.registry = CallRegistry(capacity=self.settings.capacity)
        self._store = store
        self.aftercare: dict[str, Aftercare] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._ready: asyncio.Future[None] | None = None
        self._socket: CallSocket | None = None

    # -- set-up ---------------------------------------------------------------------------
    async def ready(self) -> None:
        """Wait until the models are loaded (the first caller starts loading them)."""
        if self._ready is None:
            loop = asyncio.get_running_loop()
            self._ready = asyncio.ensure_future(
                loop.run_in_executor(None, prewarm, self.call_settings)
            )
        await asyncio.shield(self._ready)

    def socket(self, authenticate: Authenticate) -> CallSocket:
        """The call socket of this service's calls (made on first use): ``authenticate`` gives
        the logged-in user's id from the connection, as the web app knows it."""
        if self._socket is None:
            trusted = [o.strip() for o in self.settings.trusted_origins.split(",") if o.strip()]
            self._socket = CallSocket(
                self.registry,
                authenticate=authenticate,
                trusted_origins=trusted,
                on_call_end=self.on_call_end,
                on_done=self.plan_done,
                prepare=self.ready,
            )
        return self._socket

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=max(1, self.settings.after_call_workers),
                mp_context=get_context("spawn"),
                initializer=init_worker,
                initargs=(AFTER_CALL_NICE,),
            )
        return self._pool

    def close(self) -> None:
        """Stop the worker processes (unfinished work is lost; the folders stay on disk)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    # -- creating calls ------------------------------------------------------------------------
    def create(
        self,
        owner: str,
        trainee: str,
        *,
        persona: str | None = None,
        gauntlet: tuple[Any, ...] = (),
    ) -> PracticeCall:
        """Register a call (``persona``) or a gauntlet (its planned calls) for ``owner``."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        what = "gauntlet" if gauntlet else slug(persona or DEFAULT_PERSONA)
        folder = self.data_dir / "practice" / slug(trainee) / f"{stamp}-{what}"
        n = 2
        while folder.exists():
            folder = folder.with_name(f"{stamp}-{what}-{n}")
            n += 1
        spec = CallSpec(
            out_dir=folder,
            persona=persona,
            trainee_name=trainee,
            mode="live",
            settings=self.call_settings,
        )
        plan = CallPlan(spec, tuple(gauntlet), self.settings.gauntlet_break_s if gauntlet else 0.0)
        call = self.registry.create(owner, plan)
        for cid in [c for c in self.aftercare if not self.registry.knows(c)]:
            del self.aftercare[cid]  # the registry forgot it (long ended, or never joined)
        self.aftercare[call.id] = Aftercare()
        return call

    # -- after each call -----------------------------------------------------------------------
    def on_call_end(self, call: PracticeCall) -> Callable[[CallResult, int], Awaitable[None]]:
        """The bridge's after-call hook for ``call``: start the analysis of each call."""
        care = self.aftercare.setdefault(call.id, Aftercare())

        async def hook(result: CallResult, index: int) -> None:
            care.folders.append(result.out_dir)
            if result.end_reason == "disconnected":
                care.disconnected = True
            loop = asyncio.get_running_loop()
            fut = loop.run_in_executor(self._workers(), analyse_folder, str(result.out_dir))
            care.analyses.append(fut)
            if care.task is None:
                care.task = loop.create_task(self._finish(call, care))

        return hook

    def plan_done(self, call: PracticeCall) -> None:
        """The socket closed: every call that will happen has happened."""
        care = self.aftercare.setdefault(call.id, Aftercare())
        care.plan_ended.set()
        if care.disconnected or not care.folders:
            care.note_done.set()  # nobody is left to write a note
        if not care.folders:
            care.phase = "done"

    def save_note(self, call: PracticeCall, index: int, text: str | None) -> Path | None:
        """Save (or skip, with None) the case note of call ``index`` (0-based) of ``call``.

        Returns the file written. The last call's note (or skip) lets scoring start.
        """
        care = self.aftercare.get(call.id)
        if care is None or index < 0 or index >= len(care.folders):
            return None
        written = write_note(care.folders[index], text) if text is not None else None
        last_planned = index >= call.plan.calls - 1
        last_made = call.state == "ended" and index == len(care.folders) - 1
        if last_planned or last_made:
            care.note_done.set()
        return written

    async def _finish(self, call: PracticeCall, care: Aftercare) -> None:
        """Analysis of every call, the note, scoring, the store. A call that cannot be
        analysed or scored (too short, silent) is still stored, unscored: it happened."""
        try:
            care.phase = "analysing"
            await care.plan_ended.wait()
            for outcome in await asyncio.gather(*care.analyses, return_exceptions=True):
                if isinstance(outcome, BaseException):
                    care.error = one_line(outcome)
            care.phase = "waiting_note"
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(care.note_done.wait(), timeout=self.settings.note_wait_s)
            care.phase = "scoring"
            target = care.folders[0] if not call.plan.gauntlet else call.plan.folder
            loop = asyncio.get_running_loop()
            if care.error is None:
                try:
                    await loop.run_in_executor(self._workers(), score_target, str(target))
                except Exception as exc:
                    care.error = one_line(exc)
            if care.error is not None:
                log.warning("practice call %s stored unscored: %s", target, care.error)
            ids, review = await asyncio.to_thread(self._store, call, list(care.folders))
            care.session_ids, care.review = ids, review
            care.phase = "done"
        except Exception as exc:
            care.error = one_line(exc)
            care.phase = "failed"
            log.exception("after-call work failed for %s", call.plan.folder)

    def status(self, call: PracticeCall) -> dict[str, Any]:
        """What the page shows after the call."""
        care = self.aftercare.get(call.id) or Aftercare()
        return {
            "phase": care.phase,
            "calls": len(care.folders),
            "review": care.review,
            "session_ids": list(care.session_ids),
            "error": care.error,
            "disconnected": care.disconnected,
        }
