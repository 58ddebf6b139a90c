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
origin (the call socket checks it with :func:`voice_sim.transport.origin.origin_allowed`
before it accepts).

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
import ipaddress
import json
import os
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "vs_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
#: Methods that change state and so need a CSRF token.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Longest form body the middleware reads to find the token (an urlencoded form, or the
#: beginning of a multipart one up to the end of its first field).
MAX_PEEK_BYTES = 64 * 1024
SECRET_FILENAME = "secret_key"
#: Largest body of a state-changing request other than an upload, bytes: a comment or reason
#: is 4000 characters, a case note 20,000 (JSON-escaped, up to 6 bytes each). Read before the
#: login, so anyone could otherwise make the server hold any amount in memory.
MAX_BODY_BYTES = 256 * 1024
#: Paths that stream their body under a limit of their own (uploads: the size setting).
STREAMED_BODY_PATHS = ("/api/uploads",)


#: What a page may load: only this server's own scripts, styles, images, media and sockets
#: (``'self'`` covers ws:/wss: to the same host in CSP 3); no inline script or style, no
#: plugins, no <base> rewriting, forms only to us, never framed.
def content_security_policy(connect: Sequence[str] = ()) -> str:
    """The pages' policy; ``connect`` adds origins a page may open sockets and requests to (the
    practice page's LiveKit server)."""
    sources = " ".join(["'self'", *connect])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"media-src 'self'; connect-src {sources}; worker-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def socket_origins(url: str) -> tuple[str, ...]:
    """What ``connect-src`` needs to reach a WebSocket server at ``url`` (``wss://host``): the
    socket's origin and the same host over HTTP(S), which clients call to diagnose a failure.
    Anything but a plain ws(s)/http(s) origin gives nothing (it could not widen the policy)."""
    parts = urlsplit(url.strip())
    host = parts.netloc
    if parts.scheme not in ("ws", "wss", "http", "https") or not host:
        return ()
    if not all(c.isalnum() or c in ".-:[]" for c in host):
        return ()
    secure = parts.scheme in ("wss", "https")
    return (f"{'wss' if secure else 'ws'}://{host}", f"{'https' if secure else 'http'}://{host}")


CONTENT_SECURITY_POLICY = content_security_policy()
#: Sent with every answer: the policy above, no MIME sniffing, no framing by other sites
#: (clickjacking), no full URLs (with their filters) leaking to other sites in Referer, and no
#: copy of a private answer kept by the browser or a proxy (Back after logout shows nothing).
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)
#: Sent when cookies are Secure (the app is served over HTTPS): a year of HTTPS only.
HSTS = (b"strict-transport-security", b"max-age=31536000")
#: Static assets: the same, but cacheable (their URLs carry a content hash).
STATIC_HEADERS = tuple(h for h in SECURITY_HEADERS if h[0] != b"cache-control")
SECRET_ENV = "VOICE_SIM_WEB_SECRET_KEY"
#: Shortest signing key accepted from the environment, characters, and from the key file, bytes.
MIN_ENV_SECRET_CHARS = 32
MIN_FILE_SECRET_BYTES = 16
#: Failed logins older than this are forgotten, seconds.
LOGIN_WINDOW_S = 15 * 60.0
#: Names and addresses the login throttle remembers at most (about 100 bytes each).
LOGIN_MAX_KEYS = 100_000

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
    """The server's signing key: ``$VOICE_SIM_WEB_SECRET_KEY`` (at least 32 characters), else
    ``<data dir>/secret_key`` (32 random bytes, hex, created with mode 0600 on first use).

    Whoever knows the key can sign a cookie as any user, so a short or damaged key is a
    :class:`~voice_sim.errors.VoiceSimError` (one line from the CLI), never a silent weak key.
    """
    from ..errors import VoiceSimError

    env = os.environ.get(SECRET_ENV)
    if env:
        if len(env) < MIN_ENV_SECRET_CHARS:
            raise VoiceSimError(
                f"${SECRET_ENV}: use at least {MIN_ENV_SECRET_CHARS} characters "
                "(e.g. the output of: python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        return env.encode("utf-8")
    path = data_dir / SECRET_FILENAME
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        return _new_secret(data_dir, path)
    except (ValueError, UnicodeDecodeError):
        raise VoiceSimError(f"{path}: not a hex secret key; delete it to make a new one") from None
    if len(key) < MIN_FILE_SECRET_BYTES:
        raise VoiceSimError(
            f"{path}: too short ({len(key)} bytes, at least {MIN_FILE_SECRET_BYTES}); "
            "delete it to make a new one"
        )
    return key


def _new_secret(data_dir: Path, path: Path) -> bytes:
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return load_secret(data_dir)
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


def new_nonce() -> str:
    """A cookie's random nonce (144 bits)."""
    return secrets.token_urlsafe(18)


def new_payload(
    actor: Actor | None = None, epoch: int = 0, nonce: str | None = None
) -> dict[str, Any]:
    """A fresh cookie payload: a new nonce (or ``nonce``), now, and the user if logged in."""
    p: dict[str, Any] = {"n": nonce or new_nonce(), "t": int(time.time())}
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


def logged_in(conn: HTTPConnection) -> Actor:
    """The logged-in user of a route behind :func:`login_required` or :func:`roles_required`
    (which answered anonymous requests already)."""
    who = actor(conn)
    assert who is not None
    return who


def request_csrf_token(conn: HTTPConnection) -> str:
    """The CSRF token a page must send back with its forms and API calls."""
    key: bytes = conn.app.state.vs.secret
    return csrf_token(key, auth_state(conn).nonce)


def log_in(conn: HTTPConnection, who: Actor, epoch: int, nonce: str) -> None:
    """Start a logged-in session: a new nonce (no session fixation; the caller recorded it in
    the store's logins) with the user in it."""
    st = auth_state(conn)
    st.new_cookie = new_payload(who, epoch, nonce)
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
            who = logged_in(request)  # login_required runs first
            if who.role not in roles:
                return forbidden(request, "your role may not do this")
            return await endpoint(request)

        return login_required(inner)

    return deco


def forbidden(request: Request, reason: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": reason}, status_code=403)
    return PlainTextResponse(f"Forbidden: {reason}", status_code=403)


# ----------------------------------------------------------------------------- throttle


def address_key(address: str) -> str:
    """The throttle's key for a client address: the address itself, or for IPv6 its /64 (one
    host is handed a whole /64 and can rotate through it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0
    last: float = 0.0


class LoginThrottle:
    """Locks out repeated failed logins, per user name and per client address.

    Every attempt counts as a failure the moment it starts (a success gives it back), so
    guesses sent all at once are counted all at once. After ``free`` failures the name and the
    address are locked for ``base_s`` seconds, doubling with each further failure up to
    ``max_s``; an attempt while either is locked is refused without a password check (the web
    app answers 429 with Retry-After), the right password included. A success clears the
    name's count and gives back the address's one attempt (an attacker's own account must not
    reset their address). Failures older than ``window_s`` are forgotten; at most ``max_keys``
    names and addresses are remembered, and when memory is full the unlocked ones go first.
    """

    def __init__(
        self,
        free: int,
        base_s: float,
        max_s: float,
        *,
        window_s: float = LOGIN_WINDOW_S,
        max_keys: int = LOGIN_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.base_s, self.max_s = free, base_s, max_s
        self.window_s, self.max_keys, self.clock = window_s, max_keys, clock
        self._fails: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._fails)

    @staticmethod
    def _keys(name: str, address: str) -> tuple[str, str]:
        return f"u:{name.strip().lower()}", f"a:{address_key(address)}"

    def _get(self, key: str, now: float) -> _Failures | None:
        f = self._fails.get(key)
        if f is not None and f.locked_until <= now and now - f.last > self.window_s:
            del self._fails[key]
            return None
        return f

    def locked_s(self, name: str, address: str) -> float:
        """Seconds until ``name`` from ``address`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [
                f.locked_until - now for k in self._keys(name, address) if (f := self._get(k, now))
            ]
        return max([0.0, *waits])

    def attempt(self, name: str, address: str) -> float:
        """Start an attempt: 0 when it may go ahead (it is counted as a failure until
        :meth:`succeeded`), else the seconds until the lock ends (nothing counted)."""
        wait = self.locked_s(name, address)
        if wait > 0:
            return wait
        now = self.clock()
        with self._lock:
            for key in self._keys(name, address):
                f = self._get(key, now) or self._fails.setdefault(key, _Failures())
                f.count += 1
                f.last = now
                if f.count >= self.free:
                    f.locked_until = now + min(self.max_s, self.base_s * 2 ** (f.count - self.free))
            if len(self._fails) > self.max_keys:
                self._forget(now)
        return 0.0

    def succeeded(self, name: str, address: str) -> None:
        """The attempt was right: forget the name's failures, give the address its one back."""
        user, addr = self._keys(name, address)
        with self._lock:
            self._fails.pop(user, None)
            f = self._fails.get(addr)
            if f is not None:
                f.count = max(0, f.count - 1)
                if f.count < self.free:
                    f.locked_until = 0.0

    def _forget(self, now: float) -> None:
        """Bring memory back under ``max_keys``: expired entries, then unlocked ones (oldest
        first), then, only if a flood of locks fills it, the locks that end soonest."""
        for key in [k for k in self._fails if self._get(k, now) is None]:
            self._fails.pop(key, None)
        excess = len(self._fails) - self.max_keys
        if excess <= 0:
            return
        by_value = sorted(
            self._fails.items(),
            key=lambda kv: (kv[1].locked_until > now, kv[1].locked_until, kv[1].last),
        )
        for key, _ in by_value[:excess]:
            del self._fails[key]


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


class BodyTooLarge(Exception):
    """A request body ran past its limit while it was being read (answered 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises :class:`BodyTooLarge` once more than ``limit`` bytes came in
    (a chunked body says no length up front)."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        msg = await receive()
        if msg["type"] == "http.request":
            seen += len(msg.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return msg

    return wrapped


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    reason = f"request body too large (at most {limit // 1024} KB)"
    if scope["path"].startswith("/api/"):
        resp: Response = JSONResponse({"error": reason}, status_code=413)
    else:
        resp = PlainTextResponse(reason, status_code=413)
    resp.headers["connection"] = "close"
    await resp(scope, receive, _with_headers(send, None))


def _with_headers(
    send: Send, cookie: bytes | None, extra: tuple[tuple[bytes, bytes], ...] = SECURITY_HEADERS
) -> Send:
    """``send`` that adds ``extra`` headers (unless the answer set its own) and a cookie."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            have = {k.lower() for k, _ in headers}
            headers += [(k, v) for k, v in extra if k not in have]
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
        load_actor: Callable[[int, Any, str], Actor | None],
        max_age_s: int,
        secure: bool,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.app, self.secret, self.load_actor = app, secret, load_actor
        self.max_age_s, self.secure, self.max_body = max_age_s, secure, max_body
        # behind HTTPS, browsers are told to come back over HTTPS only
        self.headers = SECURITY_HEADERS + ((HSTS,) if secure else ())

    async def _state(self, scope: Scope) -> AuthState:
        raw = _cookie_value(scope)
        payload = unsign(self.secret, raw, self.max_age_s) if raw else None
        if payload is None:
            fresh = new_payload()
            return AuthState(nonce=fresh["n"], new_cookie=fresh)
        who = None
        if isinstance(payload.get("u"), int):
            # a store read: on a thread, so the loop that carries live calls' audio never waits
            who = await run_in_threadpool(
                self.load_actor, payload["u"], payload.get("e"), payload["n"]
            )
        return AuthState(nonce=payload["n"], actor=who)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"].startswith("/static/"):
            # public, no session
            await self.app(scope, receive, _with_headers(send, None, STATIC_HEADERS))
            return
        state = await self._state(scope)
        scope.setdefault("state", {})["auth"] = state
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE_METHODS:
            if scope["path"] not in STREAMED_BODY_PATHS:
                declared = _header(scope, b"content-length")
                if declared is not None and (
                    not declared.isdigit() or int(declared) > self.max_body
                ):
                    await _too_large(scope, receive, send, self.max_body)
                    return
                receive = _limited(receive, self.max_body)
            refused, receive = await self._check_csrf(scope, receive, state)
            if refused is not None:
                await PlainTextResponse(refused, status_code=403)(
                    scope, receive, _with_headers(send, None)
                )
                return

        started = False

        async def send_with_cookie(message: Message) -> None:
            # the cookie is signed when the answer starts: a login or logout in the endpoint
            # replaced it
            nonlocal started
            started = True
            extra = None if state.new_cookie is None else self._cookie_header(state.new_cookie)
            await _with_headers(send, extra, self.headers)(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        except BodyTooLarge as exc:
            if started:
                raise
            await _too_large(scope, receive, send, exc.limit)

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
