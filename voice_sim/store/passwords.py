"""Password hashing with scrypt (memory-hard, in Python's standard library through OpenSSL).

Stored as ``scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`` so the cost can rise later without
breaking existing hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: scrypt cost N=2^15, r=8, p=3: one of OWASP's equivalent minimums (N=2^17, r=8, p=1 is
#: another); 32 MiB and about 0.2 s per hash on one core here.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 3
#: Bytes of salt and of derived key.
SALT_BYTES = 16
KEY_BYTES = 32
#: Longest password accepted (scrypt's cost does not depend on it, but memory for the form does).
MAX_PASSWORD_CHARS = 1024
#: Shortest password ``voice-sim users add`` accepts.
MIN_PASSWORD_CHARS = 8


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=2 * 128 * r * n * p + (1 << 20),
        dklen=KEY_BYTES,
    )


def hash_password(password: str) -> str:
    """A new salted scrypt hash of ``password``."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant time in the comparison)."""
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        algo, n, r, p, salt, key = stored.split("$")
        if algo != "scrypt":
            return False
        got = _derive(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, bytes.fromhex(key))


def dummy_verify(password: str) -> None:
    """Spend the time of one real verification.

    Called when the user name is unknown, so a wrong name costs as long as a wrong password
    and timing does not tell which names exist.
    """
    _derive(password[:MAX_PASSWORD_CHARS], b"\0" * SALT_BYTES, SCRYPT_N, SCRYPT_R, SCRYPT_P)
