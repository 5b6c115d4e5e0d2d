"""A wallet wired to a store, the sandbox provider and a fixed clock, for tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

from evroam.payments.sandbox import SandboxPaymentProvider
from evroam.shared.money import Money
from evroam.wallet.plan import PlanWriter
from evroam.wallet.ports import LedgerStore, TopUp
from evroam.wallet.service import WalletService
from tests.fakes import FixedClock

SECRET = b"whsec_test_0123456789"
START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@dataclass
class Wallet:
    service: WalletService
    provider: SandboxPaymentProvider
    clock: FixedClock
    store: LedgerStore

    def paid_top_up(self, account_id: str, yuan: str, key: str) -> TopUp:
        """Top up and have the sandbox confirm it (the webhook arrives)."""
        top_up = self.service.top_up(account_id, Money.of(yuan), key)
        webhook = self.provider.confirm(top_up.intent_id)
        return self.service.confirm_top_up(webhook.body, webhook.signature_header)


def wire(
    store: LedgerStore,
    deterministic_ids: bool = True,
    writer: PlanWriter | None = None,
) -> Wallet:
    clock = FixedClock(START)
    provider = SandboxPaymentProvider(SECRET, clock)
    counter = itertools.count(1)

    def new_id(prefix: str) -> str:
        return f"{prefix}_{next(counter):06d}"

    service = (
        WalletService(store, provider, clock, new_id=new_id, writer=writer)
        if deterministic_ids
        else WalletService(store, provider, clock, writer=writer)
    )
    return Wallet(service, provider, clock, store)


def yuan(value: str) -> Money:
    return Money.of(value)
