"""Authorization references: what the hub answers when it allows a token (ADR 0043).

A CPO that authorizes a driver's token in real time (OCPI Tokens module, POST
``{uid}/authorize``) and then starts a session itself names the reference in
its Session and CDR (``authorization_reference``). The reference is the hub
session's id to be: 18 characters of ``0-9A-Z`` like every session ref, made of
the time it was issued and a MAC over that time and the token uid with the
hub's key. So the hub keeps nothing per authorization, and a reference is good
for that token only and for ``VALID_FOR`` after it was issued.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from evroam.shared.clock import Clock

VALID_FOR = timedelta(hours=12)
_TIME_BYTES, _MAC_BYTES = 4, 7  # 88 bits: 18 base32 characters, no padding


class AuthorizationReferences:
    """Issues and checks references; ``key`` is the hub's signing key."""

    def __init__(self, key: bytes, clock: Clock) -> None:
        if len(key) < 16:
            raise ValueError("the signing key must be at least 16 bytes")
        self._key = key
        self._clock = clock

    def issue(self, uid: str) -> str:
        """A reference for ``uid`` allowed now."""
        issued = int(self._clock.now().timestamp()).to_bytes(_TIME_BYTES, "big")
        raw = issued + self._mac(issued, uid)
        return base64.b32encode(raw).decode().rstrip("=")

    def is_issued_for(self, reference: str, uid: str) -> bool:
        """True when the hub issued ``reference`` for ``uid`` within VALID_FOR."""
        try:
            raw = base64.b32decode(reference.upper() + "======")
        except ValueError:
            return False
        if len(raw) != _TIME_BYTES + _MAC_BYTES:
            return False
        issued, mac = raw[:_TIME_BYTES], raw[_TIME_BYTES:]
        if not hmac.compare_digest(mac, self._mac(issued, uid)):
            return False
        at = datetime.fromtimestamp(int.from_bytes(issued, "big"), UTC)
        return timedelta(0) <= self._clock.now() - at <= VALID_FOR

    def _mac(self, issued: bytes, uid: str) -> bytes:
        # OCPI token uids are CiString: compared without case.
        message = issued + uid.upper().encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_MAC_BYTES]
