"""Shared helpers: a real OpenAI-compatible chat server on 127.0.0.1 and a call driver."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from personas import Customer, IntensityChange, TraineeTurn


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@dataclass
class ChatServer:
    """POST /v1/chat/completions with SSE streaming (``stream: true``) or a plain JSON reply.

    ``script(body)`` returns ``(status, pieces)``; pieces are streamed as content deltas.
    ``delay_s`` sleeps before answering (to provoke client timeouts).
    """

    requests: list[dict[str, Any]] = field(default_factory=list)
    script: Callable[[dict[str, Any]], tuple[int, list[str]]] = lambda body: (200, ["Okay."])
    delay_s: float = 0.0
    url: str = ""

    def start(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                n = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(n) or b"{}")
                outer.requests.append({"path": self.path, "body": body})
                if outer.delay_s:
                    time.sleep(outer.delay_s)
                status, pieces = outer.script(body)
                if status != 200:
                    data = json.dumps(
                        {"error": {"message": "boom", "type": "server_error"}}
                    ).encode()
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if not body.get("stream"):
                    data = json.dumps(
                        {
                            "id": "x",
                            "object": "chat.completion",
                            "created": 0,
                            "model": body.get("model"),
                            "choices": [
                                {
                                    "index": 0,
                                    "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": "".join(pieces)},
                                }
                            ],
                        }
                    ).encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.end_headers()
                for i, piece in enumerate([*pieces, None]):
                    delta: dict[str, Any] = {"content": piece} if piece is not None else {}
                    if i == 0:
                        delta["role"] = "assistant"
                    chunk = {
                        "id": "c",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": body.get("model"),
                        "choices": [
                            {
                                "index": 0,
                                "delta": delta,
                                "finish_reason": None if piece is not None else "stop",
                            }
                        ],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    s = ChatServer()
    s.start()
    try:
        yield s
    finally:
        s.stop()


def say(customer: Customer, text: str, **how: Any) -> tuple[list[IntensityChange], str]:
    """One trainee turn and the customer's answer (the whole line)."""
    changes = customer.hear(TraineeTurn(text, **how))

    async def collect() -> str:
        return "".join([c async for c in customer.reply()])

    return changes, asyncio.run(collect())


def reply_text(customer: Customer, on_error: Callable[[str], None] | None = None) -> str:
    async def collect() -> str:
        return "".join([c async for c in customer.reply(on_error=on_error)])

    return asyncio.run(collect())
