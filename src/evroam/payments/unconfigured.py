"""The payment provider of a hub that has none configured: it takes no money.

A real provider (a bank, a wallet app) implements ``wallet.ports.PaymentProvider``
(create an intent; verify the signed webhook that confirms it) and is picked in
``bootstrap`` by ``EVROAM_PAYMENT_PROVIDER``; until then top-ups answer 503.
"""

from __future__ import annotations

from evroam.shared.money import Money
from evroam.wallet.errors import NoPaymentProviderError
from evroam.wallet.ports import PaymentConfirmed, PaymentIntent


class NoPaymentProvider:
    def create_top_up(
        self,
        account_id: str,  # noqa: ARG002 - the PaymentProvider port
        amount: Money,  # noqa: ARG002
        idempotency_key: str,  # noqa: ARG002
    ) -> PaymentIntent:
        raise NoPaymentProviderError()

    def verify_webhook(
        self,
        raw_body: bytes,  # noqa: ARG002 - the PaymentProvider port
        signature_header: str,  # noqa: ARG002
    ) -> PaymentConfirmed:
        raise NoPaymentProviderError()
