"""``voice-sim worker``: job metadata, load reporting, the livekit-agents server it builds, and a
whole job run through the real entrypoint.

No livekit-server can run here, so the job runs inside livekit-agents' own
``livekit.agents.testing.fake_job_context`` (a real ``JobContext`` marked as a fake job) with a
hand-written room link in place of the LiveKit room: it plays a Piper WAV as the caller's
microphone at real time, hangs up, and sends the case note as the page would. Everything past
the room is real: Silero, Whisper, Piper, the analysis, scoring, and a PostgreSQL store started
by the test.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from voice_sim.errors import VoiceSimError
from voice_sim.transport.bridge import frames_of
from voice_sim.worker import (
    AGENT_NAME,
    JobPlan,
    SlotLoad,
    entrypoint,
    make_server,
    parse_metadata,
    prewarm,
)

SR = 16_000
NOTE = "Dana Whitaker, charged twice on the Visa ending 4417. Promised a refund today by email."


def test_metadata_picks_persona_trainee_team_and_gauntlet() -> None:
    one = parse_metadata('{"persona": "angry-billing", "trainee": "sam", "team": "red"}')
    assert one == JobPlan(persona="angry-billing", trainee="sam", team="red")
    g = parse_metadata('{"gauntlet": ["elderly-confused", "abusive-caller"], "break_s": 20}')
    assert g.gauntlet == ("elderly-confused", "abusive-caller") and g.break_s == 20.0
    assert parse_metadata("").note is False  # a bare SIP dispatch: no page to write a note on


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("not json", "not JSON"),
        ("[1]", "JSON object"),
        ('{"persona": 3}', "persona"),
        ('{"gauntlet": "angry-billing"}', "gauntlet"),
        ('{"calls": -1}', "calls"),
        ('{"break_s": "soon"}', "break_s"),
        ('{"phone_line": "yes"}', "phone_line"),
        ('{"room": "x"}', "unknown field 'room'"),
    ],
)
def test_bad_metadata_is_one_line_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(VoiceSimError, match="job metadata") as info:
        parse_metadata(text)
    assert field in str(info.value) and "\n" not in str(info.value)


class _Server:
    def __init__(self, n: int) -> None:
        self.active_jobs = [object()] * n


def test_load_is_the_share_of_call_slots_in_use_and_a_full_worker_is_unavailable() -> None:
    load = SlotLoad(capacity=2)
    assert [load(_Server(n)) for n in range(4)] == [0.0, 0.5, 1.0, 1.0]
    assert load(_Server(1)) < load.threshold <= load(_Server(2))
    three = SlotLoad(capacity=3)
    assert three(_Server(2)) < three.threshold <= three(_Server(3))


def test_the_server_dispatches_voice_sim_jobs_with_prewarm_and_slot_load() -> None:
    server = make_server(capacity=3)
    assert server.setup_fnc is prewarm
    assert isinstance(server.load_fnc, SlotLoad) and server.load_fnc.capacity == 3
    assert server._entrypoint_fnc is entrypoint
    assert server._agent_name == AGENT_NAME


class FakeRoomLink:
    """The caller's side of a room: a WAV as the microphone, a hang-up, then the case note."""

    def __init__(self, audio: np.ndarray) -> None:
        self.audio = audio
        self.sent: list[dict[str, Any]] = []
        self.received: list[bytes] = []
        self.fed: list[bytes] = []
        self._inbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    def _seen(self, kind: str) -> bool:
        return any(m.get("type") == kind for m in self.sent)

    async def frames(self) -> AsyncIterator[bytes]:
        frames = list(frames_of(self.audio))
        t0 = time.monotonic()
        i = 0
        hung_up = False
        while i < 50 * 240:  # four minutes at most
            frame = frames[i] if i < len(frames) else bytes(640)
            self.fed.append(frame)
            yield frame
            i += 1
            if i >= len(frames) and not hung_up:
                self._inbox.put_nowait({"type": "hangup"})
                hung_up = True
            if self._seen("done"):
                return
            delay = t0 + i * 0.02 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    async def play(self, pcm: bytes) -> None:
        self.received.append(pcm)

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        if message.get("type") == "call_end":  # the page asks for the note and sends it
            self._inbox.put_nowait({"type": "note", "call": 1, "text": NOTE})

    async def messages(self) -> AsyncIterator[dict[str, Any]]:
        while (msg := await self._inbox.get()) is not None:
            yield msg


@pytest.mark.slow
def test_a_job_runs_the_call_takes_the_note_and_stores_it_in_postgresql(
    tmp_path: Path, fresh_pg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from livekit.agents.testing import fake_job_context
    from sqlalchemy import select

    from voice_sim.simulate import DEFAULT_BOT_VOICE, synthesize_line
    from voice_sim.store import Database, StoreSettings
    from voice_sim.store.models import Session, Trainee

    line = synthesize_line(
        "I'm so sorry you were charged twice. Can I have the email address on the account?",
        DEFAULT_BOT_VOICE,
        sample_rate=SR,
    )
    audio = np.concatenate([np.zeros(7 * SR, np.int16), line, np.zeros(5 * SR, np.int16)])
    link = FakeRoomLink(audio)
    monkeypatch.setenv("VOICE_SIM_STORE_DATABASE_URL", fresh_pg)
    meta = {"persona": "angry-billing", "trainee": "sam", "team": "red"}

    async def join(ctx: Any) -> tuple[FakeRoomLink, bool]:
        return link, False

    async def run() -> Any:
        with fake_job_context(job_id="AJ_test", job_metadata=json.dumps(meta)) as ctx:
            ctx.proc.userdata.update(join=join, data_dir=tmp_path, note_wait_s=60.0)
            await entrypoint(ctx)
            return ctx.proc.userdata["result"]

    result = asyncio.run(run())
    assert result.error is None
    assert len(result.results) == 1 and result.results[0].end_reason == "trainee_hangup"
    folder = result.results[0].out_dir
    assert folder.parent == tmp_path / "practice" / "sam"
    assert (folder / "case_note.md").read_text(encoding="utf-8").strip() == NOTE
    assert (folder / "scorecard.json").is_file()

    # channel 0 is the caller's audio as fed, channel 1 exactly what went back to the room
    rec, _ = sf.read(str(folder / "recording.wav"), dtype="int16")
    fed = np.frombuffer(b"".join(link.fed), dtype="<i2")
    back = np.frombuffer(b"".join(link.received), dtype="<i2")
    start = int(np.flatnonzero(fed)[0] - np.flatnonzero(rec[:, 0])[0])
    np.testing.assert_array_equal(rec[:, 0], fed[start : start + rec.shape[0]])
    np.testing.assert_array_equal(rec[:, 1], back[: rec.shape[0]])
    assert any(m["type"] == "transcript" and m["speaker"] == "trainee" for m in link.sent)
    stored = [m for m in link.sent if m["type"] == "stored"]
    assert stored and stored[0]["review"] == f"/sessions/{result.session_ids[0]}"

    db = Database.open(tmp_path, StoreSettings(database_url=fresh_pg))
    try:
        assert not db.is_sqlite
        with db.read() as s:
            row = s.scalar(select(Session).where(Session.id == result.session_ids[0]))
            assert row is not None and row.source == "live" and row.overall is not None
            who = s.get(Trainee, row.trainee_id)
            assert who is not None and who.name == "sam"
    finally:
        db.close()


def test_notes_are_taken_until_the_last_call_or_until_the_caller_leaves(tmp_path: Path) -> None:
    from voice_sim.worker import _LEFT, _take_notes

    folders = [tmp_path / "01", tmp_path / "02"]
    for f in folders:  # session folders, as a call leaves them
        f.mkdir()
        (f / "meta.json").write_text("{}", encoding="utf-8")

    async def take(*messages: dict[str, Any], wait_s: float = 600.0) -> list[Path]:
        q: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for m in messages:
            q.put_nowait(m)
        return await _take_notes(q, folders, wait_s)

    written = asyncio.run(
        take(
            {"type": "note", "call": 1, "text": "first"},
            {"type": "note", "call": 7, "text": "no such call"},
            {"type": "note", "call": 2, "text": "  "},  # skipped: the last call's, so done
            {"type": "note", "call": 1, "text": "never read"},
        )
    )
    assert written == [folders[0] / "case_note.md"]
    assert (folders[0] / "case_note.md").read_text(encoding="utf-8") == "first\n"
    assert not (folders[1] / "case_note.md").exists()
    # the caller left: nothing to wait ten minutes for
    assert asyncio.run(take({"type": _LEFT})) == []
