"""An ASGI app on a real uvicorn server in a thread of the test process, reached over HTTP."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

#: How long a server may take to start, and to stop once asked, seconds.
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_app(app: Any, **config: Any) -> Iterator[str]:
    """``app`` on uvicorn at 127.0.0.1 on a free port, in a daemon thread; yields the base URL
    (``http://127.0.0.1:PORT``) once the server accepts connections and stops it on exit.
    ``config``: more ``uvicorn.Config`` options (``ws_max_size``...)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    t0 = time.monotonic()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server thread died before it started")
        if time.monotonic() - t0 > START_TIMEOUT_S:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STOP_TIMEOUT_S)
