"""Passwords kept as scrypt hashes (RFC 7914, Python's ``hashlib.scrypt``).

A stored hash is ``scrypt$<n>$<r>$<p>$<salt>$<key>`` (salt and key in unpadded
URL-safe Base64), so the cost can be raised later and old hashes still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

_KEY_BYTES = 32
_SALT_BYTES = 16
_MAX_MEMORY = 128 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=_MAX_MEMORY,
        dklen=_KEY_BYTES,
    )


@dataclass(frozen=True, slots=True)
class PasswordHasher:
    """scrypt with OWASP's N=2^14, r=8, p=5 by default: the CPU cost of their
    N=2^17 minimum in 16 MiB per hash instead of 128 MiB (ADR 0036)."""

    n: int = 2**14
    r: int = 8
    p: int = 5

    def hash(self, password: str) -> str:
        salt = secrets.token_bytes(_SALT_BYTES)
        key = _derive(password, salt, self.n, self.r, self.p)
        return f"scrypt${self.n}${self.r}${self.p}${_b64(salt)}${_b64(key)}"

    def decoy(self) -> str:
        """A hash no password gives, verified when a login is unknown so that an
        unknown login costs as long as a wrong password (no timing oracle)."""
        zero_salt, zero_key = _b64(bytes(_SALT_BYTES)), _b64(bytes(_KEY_BYTES))
        return f"scrypt${self.n}${self.r}${self.p}${zero_salt}${zero_key}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` gives ``stored``; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        derived = _derive(password, _unb64(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(derived, _unb64(key))
