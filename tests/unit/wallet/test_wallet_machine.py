"""Ledger invariants hold after every step of random wallet use (in memory)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from evroam.wallet.memory import InMemoryLedgerStore
from tests.unit.wallet.machine import WalletMachine


class InMemoryWalletMachine(WalletMachine):
    make_store = InMemoryLedgerStore


TestWalletInvariantsInMemory = InMemoryWalletMachine.TestCase
TestWalletInvariantsInMemory.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
