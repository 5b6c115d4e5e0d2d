"""The built-in sandbox payment provider: stored intents, confirmed by webhook.

``create_top_up`` returns an intent with a confirm URL; "paying" it is
``confirm(intent_id)``, which returns the signed webhook the sandbox emits
(and hands it to ``deliver`` when one is given). The webhook goes to
``WalletService.confirm_top_up`` like a real provider's would. The hub keeps
the intents in its database (``SqlPaymentIntentStore``), so a top-up created
before a restart or on another worker is confirmed all the same; tests may
keep them in memory (``InMemoryIntentStore``).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from evroam.payments.webhook import TOP_UP_SUCCEEDED, WebhookVerifier, sign
from evroam.shared.clock import Clock
from evroam.shared.money import Money
from evroam.wallet.errors import TopUpNotFoundError
from evroam.wallet.ports import PaymentConfirmed, PaymentIntent


@dataclass(frozen=True, slots=True)
class SignedWebhook:
    body: bytes
    signature_header: str


class IntentStore(Protocol):
    """Where the sandbox keeps its intents (the hub: its database)."""

    def add(self, intent: PaymentIntent, idempotency_key: str) -> PaymentIntent:
        """Keep ``intent``, or answer the one kept under ``idempotency_key``."""
        ...

    def find(self, intent_id: str) -> PaymentIntent | None: ...


class InMemoryIntentStore:
    """``IntentStore`` in this process's memory (tests, one-off tools)."""

    def __init__(self) -> None:
        self._intents: dict[str, PaymentIntent] = {}
        self._by_key: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, intent: PaymentIntent, idempotency_key: str) -> PaymentIntent:
        with self._lock:
            known = self._by_key.get(idempotency_key)
            if known is not None:
                return self._intents[known]
            self._intents[intent.id] = intent
            self._by_key[idempotency_key] = intent.id
            return intent

    def find(self, intent_id: str) -> PaymentIntent | None:
        with self._lock:
            return self._intents.get(intent_id)


class SandboxPaymentProvider:
    def __init__(
        self,
        secret: bytes,
        clock: Clock,
        confirm_url_base: str = "/api/v1/wallet/top-ups/sandbox",
        deliver: Callable[[SignedWebhook], object] | None = None,
        intents: IntentStore | None = None,
    ) -> None:
        self._secret = secret
        self._clock = clock
        self._verifier = WebhookVerifier(secret, clock)
        self._confirm_url_base = confirm_url_base.rstrip("/")
        self._deliver = deliver
        self._intents = intents or InMemoryIntentStore()

    def create_top_up(
        self, account_id: str, amount: Money, idempotency_key: str
    ) -> PaymentIntent:
        intent_id = f"pi_{uuid.uuid4().hex}"
        intent = PaymentIntent(
            intent_id,
            account_id,
            amount.fen,
            f"{self._confirm_url_base}/{intent_id}/confirm",
        )
        return self._intents.add(intent, idempotency_key)

    def confirm(self, intent_id: str) -> SignedWebhook:
        """The driver paid: build (and deliver) the signed confirmation webhook.

        Confirming twice emits the same event id, as a provider's redelivery would.
        """
        intent = self._intents.find(intent_id)
        if intent is None:
            raise TopUpNotFoundError(intent_id)
        now = int(self._clock.now().timestamp())
        event = {
            "id": f"evt_{intent_id}",
            "type": TOP_UP_SUCCEEDED,
            "created": now,
            "data": {
                "intent_id": intent.id,
                "account_id": intent.account_id,
                "amount_fen": intent.amount_fen,
            },
        }
        body = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
        webhook = SignedWebhook(body, sign(self._secret, body, now))
        if self._deliver is not None:
            self._deliver(webhook)
        return webhook

    def verify_webhook(
        self, raw_body: bytes, signature_header: str
    ) -> PaymentConfirmed:
        return self._verifier.payment_confirmed(raw_body, signature_header)
