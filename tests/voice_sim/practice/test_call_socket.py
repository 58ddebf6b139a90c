"""The call socket of the real web app, driven by simulated callers over real WebSockets: who may
connect, what is refused, two calls at once, the queue, and a browser that vanishes mid-call.
Real Silero, Whisper and Piper; no timed asserts (waits are upper bounds, not measurements)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from voice_sim.simulate import ScriptLine
from voice_sim.transport.botclient import call_over_socket
from voice_sim.transport.wire import FRAME_BYTES, MAX_MESSAGE_BYTES

from .conftest import SR, PracticeSite, cookie_header

pytestmark = pytest.mark.slow


def _wait_status(site: PracticeSite, c: object, call: dict[str, object], phase: str) -> dict:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        st = c.get(str(call["status"])).json()  # type: ignore[attr-defined]
        if st["phase"] in (phase, "failed"):
            return dict(st)
        time.sleep(0.5)
    raise AssertionError(f"status never reached {phase}: {st}")


async def _refused(url: str, **headers: str) -> int:
    try:
        async with connect(url, additional_headers=headers, open_timeout=20) as ws:
            await ws.recv()
    except InvalidStatus as exc:
        return int(exc.response.status_code)
    return 0


def test_foreign_origin_and_missing_login_are_refused_before_the_handshake(
    practice_site: PracticeSite,
) -> None:
    sam = practice_site.client("sam")
    call = practice_site.new_call(sam)
    url = practice_site.ws_base + str(call["socket"])
    cookie = cookie_header(sam)
    assert asyncio.run(_refused(url, Origin="http://evil.example", Cookie=cookie)) == 403
    assert asyncio.run(_refused(url, Cookie=cookie)) == 403  # no Origin at all
    assert asyncio.run(_refused(url, Origin=practice_site.base)) == 403  # no login cookie
    # none of those used the call up: the real page can still join it
    assert sam.get(str(call["status"])).json()["phase"] == "calling"


def test_another_users_call_is_not_found(practice_site: PracticeSite) -> None:
    sam, kim = practice_site.client("sam"), practice_site.client("kim")
    call = practice_site.new_call(sam)

    async def main() -> tuple[int | None, dict]:
        async with connect(
            practice_site.ws_base + str(call["socket"]),
            additional_headers={"Origin": practice_site.base, "Cookie": cookie_header(kim)},
        ) as ws:
            msg = json.loads(await ws.recv())
            with pytest.raises(ConnectionClosed):
                await ws.recv()
            return ws.close_code, msg

    code, msg = asyncio.run(main())
    assert code == 4404 and msg["type"] == "error"
    assert kim.get(str(call["status"])).status_code == 404


def test_oversized_and_malformed_messages_close_the_socket_and_keep_the_recording(
    practice_site: PracticeSite,
) -> None:
    sam = practice_site.client("sam")

    async def send_then_wait(payload: bytes) -> tuple[int | None, list[dict]]:
        call = practice_site.new_call(sam)
        got: list[dict] = []
        async with connect(
            practice_site.ws_base + str(call["socket"]),
            additional_headers={"Origin": practice_site.base, "Cookie": cookie_header(sam)},
            max_size=None,
        ) as ws:
            # a few real frames first so the call is live, then the bad message
            for _ in range(100):
                await ws.send(bytes(FRAME_BYTES))
                await asyncio.sleep(0.02)
                if any(m.get("type") == "call_start" for m in got):
                    break
                try:
                    while True:
                        m = await asyncio.wait_for(ws.recv(), 0.001)
                        if isinstance(m, str):
                            got.append(json.loads(m))
                except TimeoutError:
                    pass
            await ws.send(payload)
            try:
                async for m in ws:
                    if isinstance(m, str):
                        got.append(json.loads(m))
            except ConnectionClosed:
                pass
            return ws.close_code, got

    code, got = asyncio.run(send_then_wait(bytes(MAX_MESSAGE_BYTES + FRAME_BYTES)))
    assert code == 1009
    assert any(m["type"] == "error" and "bytes" in m["message"] for m in got)
    ends = [m for m in got if m["type"] == "call_end"]
    assert ends and ends[0]["reason"] == "disconnected"

    code, got = asyncio.run(send_then_wait(bytes(FRAME_BYTES + 6)))  # not whole frames
    assert code == 1008

    # a megabyte is refused by the WebSocket protocol itself (voice-sim serve's limit)
    code, got = asyncio.run(send_then_wait(bytes(1 << 20)))
    assert code == 1009


def test_two_calls_at_once_keep_their_audio_apart_and_a_third_caller_queues(
    practice_site: PracticeSite, trainee_lines: list[np.ndarray]
) -> None:
    sam, kim = practice_site.client("sam"), practice_site.client("kim")
    a, b = practice_site.new_call(sam), practice_site.new_call(kim)
    third = practice_site.new_call(sam)
    line_a = [(ScriptLine("a", latency_s=0.5), trainee_lines[0])]
    line_b = [(ScriptLine("b", latency_s=0.5), trainee_lines[1])]

    async def queued_caller() -> list[dict]:
        """Waits while both slots are busy, is told its place, then gives up."""
        await asyncio.sleep(4.0)
        seen: list[dict] = []
        async with connect(
            practice_site.ws_base + str(third["socket"]),
            additional_headers={"Origin": practice_site.base, "Cookie": cookie_header(sam)},
        ) as ws:
            for _ in range(25):  # half a second of silence, then read what came
                await ws.send(bytes(FRAME_BYTES))
                await asyncio.sleep(0.02)
            try:
                while True:
                    m = await asyncio.wait_for(ws.recv(), 1.0)
                    if isinstance(m, str):
                        seen.append(json.loads(m))
            except TimeoutError:
                pass
        return seen

    async def main() -> tuple:
        kw = {"origin": practice_site.base, "max_s": 180.0}
        return await asyncio.gather(
            call_over_socket(
                practice_site.ws_base + str(a["socket"]), line_a, cookie=cookie_header(sam), **kw
            ),
            call_over_socket(
                practice_site.ws_base + str(b["socket"]), line_b, cookie=cookie_header(kim), **kw
            ),
            queued_caller(),
        )

    ra, rb, seen = asyncio.run(main())
    assert seen and seen[0]["type"] == "queued" and seen[0]["position"] == 1
    assert not any(m["type"] == "call_start" for m in seen)
    for r, call, who in ((ra, a, sam), (rb, b, kim)):
        assert r.close_code == 1000
        st = _wait_status(practice_site, who, call, "waiting_note")
        assert st["calls"] == 1
    recs = {}
    for r, who, call in ((ra, sam, a), (rb, kim, b)):
        who.post(
            str(call["notes"]) + "1",
            json={"skip": True},
            headers={"X-CSRF-Token": who.get("/api/me").json()["csrf_token"]},
        )
        st = _wait_status(practice_site, who, call, "done")
        assert st["phase"] == "done", st
        sid = st["session_ids"][0]
        rec = who.get(f"/sessions/{sid}/recording")
        assert rec.status_code == 200
        path = Path(practice_site.data_dir) / f"rec-{sid}.wav"
        path.write_bytes(rec.content)
        recs[id(r)] = sf.read(str(path), dtype="int16")[0]
    for r in (ra, rb):
        y = recs[id(r)]
        sent = np.concatenate(r.sent)
        received = np.concatenate(r.received)
        # channel 1 is exactly what this caller received, channel 0 exactly what it sent
        # (from the first frame the call ticked on): no sample of the other call in either
        n = min(y.shape[0], received.shape[0])
        np.testing.assert_array_equal(y[:n, 1], received[:n])
        voiced_sent, voiced_rec = np.flatnonzero(sent), np.flatnonzero(y[:, 0])
        assert voiced_rec.size > SR  # the line was heard, over a second of it
        start = int(voiced_sent[0] - voiced_rec[0])
        assert start >= 0
        np.testing.assert_array_equal(y[:, 0], sent[start : start + y.shape[0]])
    ya, yb = recs[id(ra)], recs[id(rb)]
    n = min(ya.shape[0], yb.shape[0])
    assert not np.array_equal(ya[:n, 0], yb[:n, 0])


def test_a_browser_that_vanishes_mid_call_leaves_an_ended_session(
    practice_site: PracticeSite,
) -> None:
    sam = practice_site.client("sam")
    call = practice_site.new_call(sam)

    async def main() -> list[dict]:
        got: list[dict] = []
        ws = await connect(
            practice_site.ws_base + str(call["socket"]),
            additional_headers={"Origin": practice_site.base, "Cookie": cookie_header(sam)},
        )
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60:
            await ws.send(bytes(FRAME_BYTES))
            try:
                while True:
                    m = await asyncio.wait_for(ws.recv(), 0.015)
                    if isinstance(m, str):
                        got.append(json.loads(m))
            except TimeoutError:
                pass
            if any(m["type"] == "speech" and m["speaking"] is False for m in got):
                break  # the customer finished their opening line
        ws.transport.abort()  # the tab is killed: no close frame, the TCP connection drops
        return got

    got = asyncio.run(main())
    assert any(m["type"] == "call_start" for m in got)
    st = _wait_status(practice_site, sam, call, "done")  # nobody to write a note: not waited for
    assert st["phase"] == "done" and st["disconnected"]
    sid = st["session_ids"][0]
    page = sam.get(f"/sessions/{sid}")
    assert page.status_code == 200
    folder = practice_site.folder(sid)
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["end_reason"] == "disconnected"
    info = sf.info(str(folder / "recording.wav"))
    assert info.channels == 2 and info.duration > 1.0
    events = [json.loads(x) for x in (folder / "events.jsonl").read_text().splitlines()]
    assert events[-1]["type"] == "call_end" and events[-1]["reason"] == "disconnected"


def test_a_gauntlet_runs_back_to_back_with_the_break_then_the_session_scorecard(
    practice_site: PracticeSite, trainee_lines: list[np.ndarray]
) -> None:
    sam = practice_site.client("sam")
    call = practice_site.new_call(sam, gauntlet="elderly-confused,angry-billing")
    assert call["calls"] == 2
    lines = [(ScriptLine("one", latency_s=0.5), trainee_lines[0])]
    got = asyncio.run(
        call_over_socket(
            practice_site.ws_base + str(call["socket"]),
            lines,
            origin=practice_site.base,
            cookie=cookie_header(sam),
            max_s=300.0,
        )
    )
    kinds = [m["type"] for m in got.messages if m["type"] in ("call_start", "call_end", "break")]
    assert kinds == ["call_start", "call_end", "break", "call_start", "call_end"], kinds
    starts = got.of_type("call_start")
    assert [(m["index"], m["of"]) for m in starts] == [(1, 2), (2, 2)]
    assert [m["persona"] for m in starts] == ["elderly-confused", "angry-billing"]
    assert got.of_type("break")[0] == {"type": "break", "seconds": 3.0, "next": 2}
    assert got.of_type("done") and got.close_code == 1000

    headers = {"X-CSRF-Token": sam.get("/api/me").json()["csrf_token"]}
    for n in (1, 2):
        saved = sam.post(str(call["notes"]) + str(n), json={"text": f"note {n}"}, headers=headers)
        assert saved.status_code == 200 and saved.json()["saved"]
    st = _wait_status(practice_site, sam, call, "done")
    assert st["phase"] == "done" and len(st["session_ids"]) == 2, st
    assert st["review"] == f"/practice/calls/{call['id']}/scorecard"
    page = sam.get(st["review"])
    assert page.status_code == 200
    assert "Gauntlet scorecard" in page.text and "Patience across the calls" in page.text
    for sid in st["session_ids"]:
        assert f"/sessions/{sid}" in page.text
    gauntlet = practice_site.data_dir / "practice" / "sam"
    folder = max(gauntlet.glob("*-gauntlet"), key=lambda p: p.stat().st_mtime)
    plan = json.loads((folder / "gauntlet.json").read_text())
    assert [c["persona"] for c in plan["calls"]] == ["elderly-confused", "angry-billing"]
    assert (folder / "session_scorecard.json").is_file()
    notes = sorted(p.read_text().strip() for p in folder.glob("*/case_note.md"))
    assert notes == ["note 1", "note 2"]


def test_a_second_tab_is_refused_and_a_call_ends_at_its_time_limit(
    practice_site: PracticeSite,
) -> None:
    from dataclasses import replace

    sam = practice_site.client("sam")
    svc = practice_site.service()
    saved = svc.call_settings  # type: ignore[attr-defined]
    svc.call_settings = replace(saved, max_call_s=4.0)  # type: ignore[attr-defined]
    try:
        call = practice_site.new_call(sam)
    finally:
        svc.call_settings = saved  # type: ignore[attr-defined]
    url = practice_site.ws_base + str(call["socket"])
    headers = {"Origin": practice_site.base, "Cookie": cookie_header(sam)}

    async def main() -> tuple[list[dict], int | None, dict]:
        got: list[dict] = []
        async with connect(url, additional_headers=headers) as first:
            async with connect(url, additional_headers=headers) as second:
                refusal = json.loads(await second.recv())
                with pytest.raises(ConnectionClosed):
                    await second.recv()
                second_code = second.close_code
            t0 = time.monotonic()
            while time.monotonic() - t0 < 60:  # the first tab goes on until the limit
                await first.send(bytes(FRAME_BYTES))
                try:
                    while True:
                        m = await asyncio.wait_for(first.recv(), 0.015)
                        if isinstance(m, str):
                            got.append(json.loads(m))
                except TimeoutError:
                    pass
                except ConnectionClosed:
                    break
        return got, second_code, refusal

    got, second_code, refusal = asyncio.run(main())
    assert second_code == 4409 and "another tab" in refusal["message"]
    ends = [m for m in got if m["type"] == "call_end"]
    assert ends and ends[0]["reason"] == "timeout"
    assert ends[0]["duration_s"] < 60  # this call's 4 s limit, not the 20-minute default
