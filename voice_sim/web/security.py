"""Web security in one module: the signed session cookie, who is asking, CSRF, Origin checks,
role checks and the login throttle. Every route family (ours and any added later) reuses these.

How a request is authenticated
------------------------------
Every visitor carries one cookie, ``vs_session``: a JSON payload signed with HMAC-SHA256 under
the server's secret key (``<data dir>/secret_key``, created 0600 on first start), HttpOnly and
SameSite=Lax. It holds a random nonce and, once logged in, the user id and the user's
``auth_epoch`` (a password change bumps it, which logs out every old cookie). The nonce is
replaced at login and logout, so a cookie planted before login is worth nothing after it.

CSRF
----
Every state-changing request (POST, PUT, PATCH, DELETE) must carry the token
``csrf_token(nonce)`` — an HMAC of the cookie's nonce — either in the ``X-CSRF-Token`` header or
as a form field ``csrf_token`` (for multipart forms, the first field, so an upload is refused
before a byte of it is stored). :class:`SecurityMiddleware` checks it for every route, so a new
route cannot forget; a request without a valid token gets 403. As defence in depth a request
whose ``Origin`` names another site is refused too, and a WebSocket must come from our own
origin (:func:`websocket_actor`).

Using it in a route
-------------------
``actor(request)`` is the logged-in :class:`Actor` or ``None``; decorate endpoints with
``@login_required`` (pages redirect to /login, ``/api/`` paths answer 401) or
``@roles_required("coach", "admin")`` (403 for other roles). Resources a user may not see are
404, never 403, so their existence does not leak.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

COOKIE_NAME = "vs_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
#: Methods that change state and so need a CSRF token.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Longest form body the middleware reads to find the token (an urlencoded form, or the
#: beginning of a multipart one up to the end of its first field).
MAX_PEEK_BYTES = 64 * 1024
SECRET_FILENAME = "secret_key"
#: Sent with every answer: no MIME sniffing, no framing by other sites (clickjacking), no full
#: URLs (with their filters) leaking to other sites in Referer.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)
SECRET_ENV = "VOICE_SIM_WEB_SECRET_KEY"

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Actor:
    """The logged-in user, as a route sees them."""

    id: int
    name: str
    role: str
    """``admin``, ``coach`` or ``trainee``."""
    team_ids: tuple[int, ...] = ()
    """Teams a coach coaches (the team of a trainee)."""
    trainee_id: int | None = None
    """A trainee account's own trainee row."""

    @property
    def is_staff(self) -> bool:
        """Admin or coach: may override scores, upload, see team pages."""
        return self.role in ("admin", "coach")


@dataclass
class AuthState:
    """Per-connection authentication, set by the middleware on ``scope["state"]["auth"]``."""

    nonce: str
    actor: Actor | None = None
    new_cookie: dict[str, Any] | None = None
    """A payload to sign into a fresh cookie on the way out (new visitor, login, logout)."""
    extra: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- signing


def load_secret(data_dir: Path) -> bytes:
    """The server's signing key: ``$VOICE_SIM_WEB_SECRET_KEY``, else ``<data dir>/secret_key``
    (32 random bytes, created with mode 0600 on first use)."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return env.encode("utf-8")
    path = data_dir / SECRET_FILENAME
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except ValueError:
        raise ValueError(f"{path}: not a hex secret key; delete it to make a new one") from None
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex())
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, payload: dict[str, Any]) -> str:
    """``payload`` as JSON, base64url, dot, HMAC-SHA256 of that."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    mac = hmac.new(key, b"cookie:" + body.encode("ascii"), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(key: bytes, token: str, max_age_s: float) -> dict[str, Any] | None:
    """The payload of a valid, unexpired token, else None."""
    try:
        body, mac = token.split(".", 1)
        want = hmac.new(key, b"cookie:" + body.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(want, _unb64(mac)):
            return None
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        return None
    issued = payload.get("t")
    if not isinstance(issued, int | float) or time.time() - issued > max_age_s:
        return None
    return payload


def csrf_token(key: bytes, nonce: str) -> str:
    """The CSRF token of a session nonce (an HMAC, so it needs no storage)."""
    return hmac.new(key, b"csrf:" + nonce.encode("ascii"), hashlib.sha256).hexdigest()


def new_payload(actor: Actor | None = None, epoch: int = 0) -> dict[str, Any]:
    """A fresh cookie payload: new nonce, now, and the user if logged in."""
    p: dict[str, Any] = {"n": secrets.token_urlsafe(18), "t": int(time.time())}
    if actor is not None:
        p["u"], p["e"] = actor.id, epoch
    return p


# ----------------------------------------------------------------------------- lookups


def auth_state(conn: HTTPConnection) -> AuthState:
    state: AuthState = conn.scope["state"]["auth"]
    return state


def actor(conn: HTTPConnection) -> Actor | None:
    """The logged-in user of this request or WebSocket, or None."""
    return auth_state(conn).actor


def request_csrf_token(conn: HTTPConnection) -> str:
    """The CSRF token a page must send back with its forms and API calls."""
    key: bytes = conn.app.state.vs.secret
    return csrf_token(key, auth_state(conn).nonce)


def log_in(conn: HTTPConnection, who: Actor, epoch: int) -> None:
    """Start a logged-in session: a new nonce (no session fixation) with the user in it."""
    st = auth_state(conn)
    st.new_cookie = new_payload(who, epoch)
    st.nonce, st.actor = st.new_cookie["n"], who


def log_out(conn: HTTPConnection) -> None:
    """End the session: a new anonymous cookie."""
    st = auth_state(conn)
    st.new_cookie = new_payload()
    st.nonce, st.actor = st.new_cookie["n"], None


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def login_required(endpoint: Endpoint) -> Endpoint:
    """Pages redirect anonymous visitors to /login?next=...; API paths answer 401."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        if actor(request) is None:
            if _wants_json(request):
                return JSONResponse({"error": "log in first"}, status_code=401)
            from urllib.parse import quote

            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return await endpoint(request)

    return wrapper


def roles_required(*roles: str) -> Callable[[Endpoint], Endpoint]:
    """Only these roles (403 for the others; anonymous as in :func:`login_required`)."""

    def deco(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def inner(request: Request) -> Response:
            who = actor(request)
            assert who is not None  # login_required runs first
            if who.role not in roles:
                return forbidden(request, "your role may not do this")
            return await endpoint(request)

        return login_required(inner)

    return deco


def forbidden(request: Request, reason: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": reason}, status_code=403)
    return PlainTextResponse(f"Forbidden: {reason}", status_code=403)


def same_origin(conn: HTTPConnection) -> bool:
    """Whether the ``Origin`` header, when present, is this server's own origin."""
    origin = conn.headers.get("origin")
    if origin is None:
        return True
    host = conn.headers.get("host", "")
    scheme = "https" if conn.url.scheme in ("https", "wss") else "http"
    return origin in (f"{scheme}://{host}", f"http://{host}", f"https://{host}")


async def websocket_actor(ws: WebSocket, *roles: str) -> Actor | None:
    """Authenticate a WebSocket before ``accept()``: it must come from our own origin (browsers
    always send ``Origin`` on WebSockets, and cookies ride along on cross-site ones too) and
    carry a logged-in cookie with one of ``roles`` (any role when none are given). On failure it
    closes the socket (code 1008, policy violation) and returns None."""
    who = actor(ws)
    if ws.headers.get("origin") is None or not same_origin(ws):
        await ws.close(code=1008, reason="cross-origin WebSocket refused")
        return None
    if who is None or (roles and who.role not in roles):
        await ws.close(code=1008, reason="log in first")
        return None
    return who


# ----------------------------------------------------------------------------- throttle


class LoginThrottle:
    """Slows down repeated failed logins, per user name and per client address.

    After ``free`` failures each further attempt waits ``base_s * 2**(extra failures)`` seconds
    (at most ``max_s``) before it is answered, right or wrong, so guessing gets slow while a user
    who mistyped twice notices nothing. A success clears the name's count.
    """

    def __init__(self, free: int, base_s: float, max_s: float) -> None:
        self.free, self.base_s, self.max_s = free, base_s, max_s
        self._fails: dict[str, int] = {}

    def delay_s(self, name: str, address: str) -> float:
        n = max(self._fails.get(f"u:{name.lower()}", 0), self._fails.get(f"a:{address}", 0))
        if n < self.free:
            return 0.0
        return float(min(self.max_s, self.base_s * 2 ** (n - self.free)))

    def failed(self, name: str, address: str) -> None:
        for k in (f"u:{name.lower()}", f"a:{address}"):
            self._fails[k] = self._fails.get(k, 0) + 1
        if len(self._fails) > 100_000:  # bounded memory under a spray of names
            self._fails.clear()

    def succeeded(self, name: str, address: str) -> None:
        self._fails.pop(f"u:{name.lower()}", None)
        self._fails.pop(f"a:{address}", None)


# ----------------------------------------------------------------------------- middleware


def _cookie_value(scope: Scope) -> str | None:
    for k, v in scope.get("headers", []):
        if k == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(v.decode("latin-1"))
            except Exception:
                return None
            if COOKIE_NAME in jar:
                return jar[COOKIE_NAME].value
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return str(v.decode("latin-1"))
    return None


def _first_multipart_field(body: bytes, boundary: bytes) -> tuple[str, bytes] | None:
    """(name, value) of the first part of a multipart body prefix, or None when incomplete."""
    start = b"--" + boundary + b"\r\n"
    if not body.startswith(start):
        return None
    head_end = body.find(b"\r\n\r\n", len(start))
    if head_end < 0:
        return None
    headers = body[len(start) : head_end].decode("latin-1").lower()
    end = body.find(b"\r\n--" + boundary, head_end + 4)
    if end < 0:
        return None
    name = ""
    for part in headers.split(";"):
        part = part.strip()
        if part.startswith("name="):
            name = part[5:].strip('"')
    return name, body[head_end + 4 : end]


def _same(got: str, want: str) -> bool:
    """Constant-time comparison that takes any text a client may send."""
    return hmac.compare_digest(got.encode("utf-8", "replace"), want.encode("ascii"))


def _with_headers(send: Send, cookie: bytes | None) -> Send:
    """``send`` that adds SECURITY_HEADERS (unless the answer set its own) and a cookie."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            have = {k.lower() for k, _ in headers}
            headers += [(k, v) for k, v in SECURITY_HEADERS if k not in have]
            if cookie is not None:
                headers.append((b"set-cookie", cookie))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


class SecurityMiddleware:
    """Authenticates every request and WebSocket from the cookie, enforces CSRF and same-origin
    on every state-changing request, and sets the cookie on the way out."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret: bytes,
        load_actor: Callable[..., Any],
        max_age_s: int,
        secure: bool,
    ) -> None:
        self.app, self.secret, self.load_actor = app, secret, load_actor
        self.max_age_s, self.secure = max_age_s, secure

    def _state(self, scope: Scope) -> AuthState:
        raw = _cookie_value(scope)
        payload = unsign(self.secret, raw, self.max_age_s) if raw else None
        if payload is None:
            fresh = new_payload()
            return AuthState(nonce=fresh["n"], new_cookie=fresh)
        who = None
        if isinstance(payload.get("u"), int):
            who = self.load_actor(payload["u"], payload.get("e"))
        return AuthState(nonce=payload["n"], actor=who)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"].startswith("/static/"):
            await self.app(scope, receive, _with_headers(send, None))  # public: no session
            return
        state = self._state(scope)
        scope.setdefault("state", {})["auth"] = state
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE_METHODS:
            refused, receive = await self._check_csrf(scope, receive, state)
            if refused is not None:
                await PlainTextResponse(refused, status_code=403)(
                    scope, receive, _with_headers(send, None)
                )
                return

        async def send_with_cookie(message: Message) -> None:
            # the cookie is signed when the answer starts: a login or logout in the endpoint
            # replaced it
            extra = None if state.new_cookie is None else self._cookie_header(state.new_cookie)
            await _with_headers(send, extra)(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie_header(self, payload: dict[str, Any]) -> bytes:
        parts = [
            f"{COOKIE_NAME}={sign(self.secret, payload)}",
            "Path=/",
            f"Max-Age={self.max_age_s}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts).encode("latin-1")

    async def _check_csrf(
        self, scope: Scope, receive: Receive, state: AuthState
    ) -> tuple[str | None, Receive]:
        """(refusal reason or None, the receive to hand on: the peeked body is replayed)."""
        origin = _header(scope, b"origin")
        if origin is not None and origin != "null":
            host = _header(scope, b"host") or ""
            if origin not in (f"http://{host}", f"https://{host}"):
                return "cross-origin request refused", receive
        elif origin == "null":
            return "cross-origin request refused", receive
        want = csrf_token(self.secret, state.nonce)
        got = _header(scope, CSRF_HEADER.encode())
        if got is not None:
            return (None if _same(got, want) else "CSRF token invalid"), receive
        ctype = (_header(scope, b"content-type") or "").lower()
        if not (
            ctype.startswith("application/x-www-form-urlencoded")
            or ctype.startswith("multipart/form-data")
        ):
            return "CSRF token missing (X-CSRF-Token header or csrf_token form field)", receive
        peeked, more, replay = await self._peek(receive, ctype)
        token: str | None = None
        if ctype.startswith("application/x-www-form-urlencoded"):
            if more:
                return "form too large", replay
            from urllib.parse import parse_qs

            values = parse_qs(peeked.decode("latin-1")).get(CSRF_FIELD)
            token = values[0] if values else None
        else:
            # the boundary is case-sensitive: read it from the header as sent
            raw_ct = _header(scope, b"content-type") or ""
            i = raw_ct.lower().find("boundary=")
            boundary = raw_ct[i + 9 :].split(";")[0].strip().strip('"') if i >= 0 else ""
            first = _first_multipart_field(peeked, boundary.encode("latin-1")) if boundary else None
            if first is not None and first[0] == CSRF_FIELD:
                token = first[1].decode("latin-1")
        if token is None:
            return "CSRF token missing (X-CSRF-Token header or csrf_token form field)", replay
        return (None if _same(token, want) else "CSRF token invalid"), replay

    async def _peek(self, receive: Receive, ctype: str) -> tuple[bytes, bool, Receive]:
        """Read the body's start (up to MAX_PEEK_BYTES, or the whole of a small body) and
        return (bytes, more to come, a receive that replays them first)."""
        chunks: list[Message] = []
        buf = b""
        more = True
        while more and len(buf) < MAX_PEEK_BYTES:
            msg = await receive()
            chunks.append(msg)
            if msg["type"] != "http.request":
                more = False
                break
            buf += msg.get("body", b"")
            more = bool(msg.get("more_body", False))
            if ctype.startswith("multipart/") and b"\r\n--" in buf[2:]:
                break  # the first field is complete
        pending = list(chunks)

        async def replay() -> Message:
            if pending:
                return pending.pop(0)
            return await receive()

        return buf, more, replay
