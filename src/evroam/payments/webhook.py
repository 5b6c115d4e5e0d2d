"""Signed payment webhooks: ``Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256>``.

The signature is HMAC-SHA256 with the shared secret over ``f"{t}.{raw_body}"``
(the exact bytes received, before any JSON parsing). A webhook verifies when
one ``v1`` entry matches (several allow secret rotation) and ``t`` is within
the tolerance (5 minutes) of now, in either direction. Event ids are
deduplicated by the wallet, in the same transaction as the credit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from evroam.shared.clock import Clock
from evroam.wallet.errors import PaymentMismatchError, WebhookSignatureError
from evroam.wallet.ports import PaymentConfirmed

SIGNATURE_HEADER = "Webhook-Signature"
DEFAULT_TOLERANCE_S = 300
TOP_UP_SUCCEEDED = "top_up.succeeded"


def sign(secret: bytes, raw_body: bytes, timestamp: int) -> str:
    """The ``Webhook-Signature`` header value for ``raw_body`` sent at ``timestamp``."""
    return f"t={timestamp},v1={_mac(secret, raw_body, timestamp)}"


def _mac(secret: bytes, raw_body: bytes, timestamp: int) -> str:
    message = str(timestamp).encode("ascii") + b"." + raw_body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _parse_header(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    macs: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
        if name == "t" and value.isascii() and value.isdigit() and timestamp is None:
            timestamp = int(value)
        elif name == "v1" and value:
            macs.append(value)
    if timestamp is None or not macs:
        raise WebhookSignatureError("malformed Webhook-Signature header")
    return timestamp, macs


class WebhookVerifier:
    def __init__(
        self, secret: bytes, clock: Clock, tolerance_s: int = DEFAULT_TOLERANCE_S
    ) -> None:
        if not secret:
            raise ValueError("a webhook secret is required")
        self._secret = secret
        self._clock = clock
        self._tolerance_s = tolerance_s

    def verify(self, raw_body: bytes, signature_header: str) -> dict[str, Any]:
        """The event as JSON, once its signature and timestamp check out."""
        timestamp, macs = _parse_header(signature_header)
        expected = _mac(self._secret, raw_body, timestamp).encode("ascii")
        # Compare against every entry, in constant time each, without early exit.
        matches = [
            hmac.compare_digest(expected, m.encode("ascii", "replace")) for m in macs
        ]
        if not any(matches):
            raise WebhookSignatureError("signature does not match")
        age_s = self._clock.now().timestamp() - timestamp
        if abs(age_s) > self._tolerance_s:
            raise WebhookSignatureError(f"timestamp is {age_s:.0f} s off")
        try:
            event = json.loads(raw_body)
        except ValueError as exc:
            raise WebhookSignatureError("body is not JSON") from exc
        if not isinstance(event, dict):
            raise WebhookSignatureError("body is not a JSON object")
        return event

    def payment_confirmed(
        self, raw_body: bytes, signature_header: str
    ) -> PaymentConfirmed:
        return payment_confirmed_from(self.verify(raw_body, signature_header))


def payment_confirmed_from(event: dict[str, Any]) -> PaymentConfirmed:
    if event.get("type") != TOP_UP_SUCCEEDED:
        raise PaymentMismatchError(f"unsupported event type {event.get('type')!r}")
    data = event.get("data")
    try:
        assert isinstance(data, dict)
        confirmed = PaymentConfirmed(
            str(event["id"]), str(data["intent_id"]), data["amount_fen"]
        )
    except (AssertionError, KeyError) as exc:
        raise PaymentMismatchError("event lacks id, intent_id or amount_fen") from exc
    if type(confirmed.amount_fen) is not int:
        raise PaymentMismatchError("amount_fen must be an integer")
    return confirmed
