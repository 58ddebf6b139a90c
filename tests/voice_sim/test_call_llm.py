"""The LLM path of a call, against a real OpenAI-compatible server on 127.0.0.1.

The server streams chat completions for the first reply, then fails in every way an endpoint
fails mid-call (HTTP 500, a timeout, a garbage stream), then recovers. The call must keep going:
each failure is an ``error`` event and a scripted fallback line, never a crash.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from personas import LLMConfig
from personas.call_log import CustomerLine, Error
from tests.support.openai_server import chat_server
from voice_sim.events import read_events
from voice_sim.session import CallSpec
from voice_sim.settings import CallSettings
from voice_sim.simulate import ScriptLine, TraineeScript, simulate_call

pytestmark = pytest.mark.slow

SERVER_LINE = "I said my invoice number is seven seven three, are you even listening?"
LINES = (
    "I'm sorry about the double charge. What is the invoice number?",
    "Thank you. Which card was charged?",
    "I understand. When did you first notice the charge?",
    "Okay. I have refunded the duplicate, and you will get an email today.",
    "Is there anything else I can help with?",
)


def test_llm_lines_are_spoken_and_failures_fall_back(tmp_path: Path) -> None:
    with chat_server(
        reply=lambda body: [SERVER_LINE[:20], SERVER_LINE[20:]],
        script=["ok", 500, "timeout", "garbage", "ok"],
        hang_s=3.0,
    ) as server:
        llm = LLMConfig(base_url=server.url, model="test-model", timeout_s=1.5)
        script = TraineeScript("bot", tuple(ScriptLine(t, latency_s=0.5) for t in LINES))
        # Answers prepared ahead send requests that are withdrawn (cancelled, not failed) when
        # the trainee goes on after a "Thank you.", so which turn meets which of the server's
        # failures would depend on the trainee's pauses: this test is about the failures.
        settings = replace(CallSettings(), speculative_replies=False)
        spec = CallSpec(out_dir=tmp_path, llm=llm, settings=settings)
        result = asyncio.run(simulate_call(spec, script))
        requests = list(server.requests)

    # the customer may hang up, satisfied, after the closing line
    assert result.end_reason in ("script_done", "hangup")
    events = read_events(tmp_path / "events.jsonl")
    # (a reply taken back in a breath is not something the customer said)
    lines = [e.text for e in events if isinstance(e, CustomerLine) and e.kind != "taken_back"]
    errors = [e for e in events if isinstance(e, Error) and e.source == "llm"]
    # the server's words were spoken (first and last replies)
    assert "seven seven three" in lines[1]
    # three failures -> three error events, and the customer still answered each turn
    assert len(errors) >= 3
    assert len(lines) >= 1 + len(LINES)
    assert all(t.strip() for t in lines)
    # what the brain sent: streaming, the persona and the trainee's words in the prompt
    assert requests and all(r["body"].get("stream") is True for r in requests)
    prompt = " ".join(str(m.get("content", "")) for m in requests[0]["body"]["messages"])
    assert "invoice" in prompt.lower()
    assert "intensity" in prompt.lower() or "angry" in prompt.lower()
    meta = (tmp_path / "meta.json").read_text()
    assert '"llm:test-model"' in meta or "test-model" in meta
