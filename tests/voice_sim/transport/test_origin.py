"""Cross-site protection: a request is accepted only when its Origin is the Host it was sent
to, or an origin the operator trusts; a missing or opaque Origin is refused."""

from __future__ import annotations

import pytest

from voice_sim.transport import origin_allowed


def _h(**kv: str) -> list[tuple[bytes, bytes]]:
    return [(k.encode(), v.encode()) for k, v in kv.items()]


@pytest.mark.parametrize(
    ("origin", "host", "ok"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
        ("https://coach.example.org", "coach.example.org", True),
        ("http://COACH.example.org", "coach.example.org", True),
        ("http://evil.example", "127.0.0.1:8000", False),
        ("http://127.0.0.1:9999", "127.0.0.1:8000", False),  # another port is another site
        ("null", "127.0.0.1:8000", False),
        ("file://", "127.0.0.1:8000", False),
        ("ws://127.0.0.1:8000", "127.0.0.1:8000", False),
    ],
)
def test_origin_must_match_host(origin: str, host: str, ok: bool) -> None:
    assert origin_allowed(_h(origin=origin, host=host)) is ok


def test_missing_origin_is_refused() -> None:
    assert not origin_allowed(_h(host="127.0.0.1:8000"))


def test_trusted_origin_behind_a_proxy() -> None:
    h = _h(origin="https://practice.example.org", host="10.0.0.5:8000")
    assert not origin_allowed(h)
    assert origin_allowed(h, trusted=["https://practice.example.org/"])
