"""A real OpenAI-compatible chat-completions server on 127.0.0.1 for tests.

Not a mock of the client: the code under test talks HTTP to this server exactly as it would to
OpenAI, Ollama, vLLM or llama.cpp. Each request takes the next behaviour from a script:

* ``"ok"`` - stream the reply from ``reply(body)`` as SSE deltas (or one JSON reply);
* ``500`` (any int) - answer with that HTTP status and an error body;
* ``"timeout"`` - wait ``hang_s`` before answering (past the client's timeout);
* ``"garbage"`` - a 200 event stream that is not JSON.

After the script runs out, every request is ``"ok"``.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Behaviour = str | int


@dataclass
class ChatServer:
    """See the module docstring. ``requests`` records ``{"path", "body"}`` of every request."""

    reply: Callable[[dict[str, Any]], list[str]] = lambda body: ["Okay."]
    script: list[Behaviour] = field(default_factory=list)
    hang_s: float = 10.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def _next(self) -> Behaviour:
        return self.script.pop(0) if self.script else "ok"

    def start(self) -> ChatServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status: int, ctype: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # GET /v1/models, asked by some clients
                self._send(
                    200, "application/json", json.dumps({"object": "list", "data": []}).encode()
                )

            def do_POST(self) -> None:
                # the client gave up (a timeout under test): nothing to answer
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._post()

            def _post(self) -> None:
                n = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(n) or b"{}")
                outer.requests.append({"path": self.path, "body": body})
                behaviour = outer._next()
                if behaviour == "timeout":
                    time.sleep(outer.hang_s)
                    behaviour = "ok"
                if isinstance(behaviour, int):
                    self._send(
                        behaviour,
                        "application/json",
                        json.dumps(
                            {"error": {"message": "test server error", "type": "server_error"}}
                        ).encode(),
                    )
                    return
                if behaviour == "garbage":
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.send_header("connection", "close")
                    self.end_headers()
                    self.wfile.write(b"data: {this is not json\n\ndata: \x00\x01garbage\n\n")
                    self.wfile.flush()
                    self.close_connection = True
                    return
                pieces = outer.reply(body)
                if not body.get("stream"):
                    self._send(
                        200,
                        "application/json",
                        json.dumps(
                            {
                                "id": "x",
                                "object": "chat.completion",
                                "created": 0,
                                "model": body.get("model"),
                                "choices": [
                                    {
                                        "index": 0,
                                        "finish_reason": "stop",
                                        "message": {
                                            "role": "assistant",
                                            "content": "".join(pieces),
                                        },
                                    }
                                ],
                            }
                        ).encode(),
                    )
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
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def chat_server(**kwargs: Any) -> Iterator[ChatServer]:
    """Start a :class:`ChatServer` for the ``with`` block."""
    server = ChatServer(**kwargs).start()
    try:
        yield server
    finally:
        server.stop()
