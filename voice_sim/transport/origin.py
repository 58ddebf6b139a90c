"""Cross-site protection for the call socket and the WebRTC signalling route.

Browsers send ``Origin`` on every WebSocket handshake and every cross-origin POST, and a page
cannot forge it. WebSockets are not covered by the same-origin policy or by SameSite cookies
in every browser, so a socket is accepted only when its ``Origin`` is this server's own (the
``Host`` it was asked for) or one the operator trusts; a request without ``Origin`` is refused.
The login cookie is checked on top of this, by the web app.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

Headers = Iterable[tuple[bytes, bytes]]


def header(headers: Headers, name: str) -> str | None:
    """The first value of header ``name`` in ASGI headers, decoded as Latin-1."""
    key = name.lower().encode("latin-1")
    for k, v in headers:
        if k.lower() == key:
            return v.decode("latin-1")
    return None


def origin_allowed(headers: Headers, *, trusted: Iterable[str] = ()) -> bool:
    """True when the request's ``Origin`` is its own ``Host`` or a trusted origin.

    Parameters
    ----------
    headers : iterable of (bytes, bytes)
        The ASGI scope's headers.
    trusted : iterable of str
        Extra origins allowed, as ``scheme://host[:port]`` (e.g. a reverse proxy's public name).
    """
    origin = header(headers, "origin")
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    norm = f"{parts.scheme}://{parts.netloc}".lower()
    if norm in {t.rstrip("/").lower() for t in trusted}:
        return True
    host = header(headers, "host")
    return host is not None and parts.netloc.lower() == host.strip().lower()


def scope_headers(scope: Mapping[str, object]) -> list[tuple[bytes, bytes]]:
    """The ASGI scope's headers as a list."""
    raw = scope.get("headers") or []
    return list(raw)  # type: ignore[call-overload]
