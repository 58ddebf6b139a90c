"""The call transport on its own: a small ASGI app for the transport's tests and benches.

The web app (``voice-sim serve``) mounts the same :class:`~.ws.CallSocket` behind its login,
CSRF and pages. This app swaps those for one shared token cookie and a bare page, so the
transport can be tested and measured alone, WebRTC included:

    POST /calls              {"persona": ID, "calls": N, "break_s": S, "trainee": NAME}
                             -> {"id", "socket", "rtc", "folder"}
    GET  /calls/{id}         -> {"state", "results": [...]}
    WS   /calls/{id}/ws      the call socket
    POST /calls/{id}/rtc     WebRTC signalling (with ``webrtc=True``)
    GET  /page               a bare page with the call client (``?call=ID&transport=...``)
    GET  /static/call/*.js   the call client and its AudioWorklet

Every route needs the ``vs_token`` cookie and, for POSTs and the socket, a same-site Origin.

    python -m voice_sim.transport.standalone --port 8765 --token T --data out/calls
"""

from __future__ import annotations

import argparse
import hmac
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from personas import plan_gauntlet

from ..session import CallSpec
from ..settings import CallSettings
from .aftercall import prewarm
from .bridge import CallPlan
from .calls import CallRegistry
from .origin import header, origin_allowed, scope_headers
from .wire import WS_PROTOCOL_MAX_BYTES
from .ws import CallSocket, Receive, Scope, Send

TOKEN_COOKIE = "vs_token"
STATIC = Path(__file__).resolve().parent.parent / "web" / "static" / "call"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>voice-sim call</title></head>
<body>
<p id="state">idle</p>
<script src="/static/call/call-client.js"></script>
<script>
const q = new URLSearchParams(location.search);
window.vsLog = [];
window.vsState = "idle";
window.startCall = async function (callId, transport, meter) {
  const call = new VoiceSimCall({
    socketUrl: "/calls/" + callId + "/ws",
    rtcUrl: "/calls/" + callId + "/rtc",
    workletUrl: "/static/call/call-worklet.js",
    transport: transport || "websocket",
    meter: !!meter,
    forceResample: q.get("resample") === "1",
    onMessage: (m) => {
      window.vsLog.push(m);
      document.getElementById("state").textContent = m.type;
    },
    onClose: (code) => { window.vsState = "closed:" + code; },
  });
  window.vsCall = call;
  await call.start();
  window.vsState = "started";
};
</script>
</body></html>
"""


class TransportApp:
    """ASGI app: the call socket, WebRTC signalling, a bare page, one shared token.

    Parameters
    ----------
    data_dir : Path
        Session folders are created under it.
    token : str
        The value of the ``vs_token`` cookie every request must carry.
    capacity : int
        Calls run at once; more wait in the queue.
    settings : CallSettings
        Settings of every call.
    webrtc : bool
        Also serve WebRTC signalling (needs the ``webrtc`` extra).
    """

    def __init__(
        self,
        *,
        data_dir: Path,
        token: str,
        capacity: int = 2,
        settings: CallSettings | None = None,
        webrtc: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.token = token
        self.settings = settings or CallSettings()
        self.registry = CallRegistry(capacity=capacity)
        self.socket = CallSocket(self.registry, authenticate=self._auth)
        self.rtc: Any = None
        if webrtc:
            from .rtc import RtcSignalling

            self.rtc = RtcSignalling(self.registry, authenticate=self._auth)
        self._n = 0

    async def _auth(self, scope: Scope) -> str | None:
        cookie = header(scope_headers(scope), "cookie") or ""
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name == TOKEN_COOKIE and hmac.compare_digest(value, self.token):
                return "bench"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path = str(scope.get("path", ""))
        if scope["type"] == "websocket":
            await self.socket(scope, receive, send)
            return
        if path.startswith("/static/call/"):
            await self._static(path.rsplit("/", 1)[-1], send)
            return
        if await self._auth(scope) is None:
            await _text(send, 401, "log in first (vs_token cookie)")
            return
        method = scope.get("method")
        parts = [p for p in path.split("/") if p]
        if path == "/page":
            await _text(send, 200, PAGE, "text/html; charset=utf-8")
        elif path == "/calls" and method == "POST":
            await self._create(scope, receive, send)
        elif len(parts) == 3 and parts[0] == "calls" and parts[2] == "rtc" and self.rtc:
            await self.rtc(scope, receive, send)
        elif len(parts) == 2 and parts[0] == "calls" and method == "GET":
            call = self.registry.get(parts[1], "bench")
            if call is None:
                await _text(send, 404, "no such call")
                return
            doc = {
                "state": call.state,
                "results": [
                    {
                        "folder": str(r.out_dir),
                        "end_reason": r.end_reason,
                        "duration_s": r.duration_s,
                        "turns_answered": r.turns_answered,
                    }
                    for r in call.results
                ],
            }
            await _json(send, 200, doc)
        else:
            await _text(send, 404, "not found")

    async def _create(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not origin_allowed(scope_headers(scope)):
            await _text(send, 403, "foreign origin")
            return
        body = b""
        while True:
            msg = await receive()
            body += msg.get("body", b"")
            if len(body) > 4096:
                await _text(send, 413, "too big")
                return
            if not msg.get("more_body"):
                break
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            await _text(send, 400, "expected JSON")
            return
        self._n += 1
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = self.data_dir / f"{stamp}-{self._n:03d}"
        settings = self.settings
        if "seed" in req:
            settings = replace(settings, seed=int(req["seed"]))
        spec = CallSpec(
            out_dir=folder,
            persona=req.get("persona"),
            trainee_name=str(req.get("trainee", "trainee")),
            mode="live",
            settings=settings,
        )
        calls = int(req.get("calls", 1))
        plan = (
            CallPlan(
                spec,
                tuple(plan_gauntlet(req.get("personas"), calls)),
                float(req.get("break_s", 0)),
            )
            if calls > 1
            else CallPlan(spec)
        )
        call = self.registry.create("bench", plan)
        await _json(
            send,
            200,
            {
                "id": call.id,
                "socket": f"/calls/{call.id}/ws",
                "rtc": f"/calls/{call.id}/rtc",
                "folder": str(folder),
            },
        )

    async def _static(self, name: str, send: Send) -> None:
        path = STATIC / name
        if name not in {"call-client.js", "call-worklet.js"} or not path.is_file():
            await _text(send, 404, "not found")
            return
        await _text(send, 200, path.read_text(encoding="utf-8"), "text/javascript")


async def _text(send: Send, status: int, text: str, ctype: str = "text/plain") -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", ctype.encode()), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": text.encode("utf-8")})


async def _json(send: Send, status: int, doc: dict[str, Any]) -> None:
    await _text(send, status, json.dumps(doc), "application/json")


def main(argv: list[str] | None = None) -> None:
    """Serve the transport alone (benches and tests)."""
    import uvicorn

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--token", required=True)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--capacity", type=int, default=2)
    ap.add_argument("--webrtc", action="store_true")
    ap.add_argument("--no-persona-pauses", action="store_true")
    args = ap.parse_args(argv)
    settings = CallSettings(persona_pauses=not args.no_persona_pauses)
    prewarm(settings)
    app = TransportApp(
        data_dir=args.data,
        token=args.token,
        capacity=args.capacity,
        settings=settings,
        webrtc=args.webrtc,
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        ws_max_size=WS_PROTOCOL_MAX_BYTES,
        ws_per_message_deflate=False,
    )


if __name__ == "__main__":
    main()
