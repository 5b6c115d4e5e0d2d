"""The wallet under test: in memory here; tests/adapters/ledger reruns it on SQL."""

from __future__ import annotations

import pytest

from evroam.wallet.memory import InMemoryLedgerStore
from tests.unit.wallet.wiring import Wallet, wire


@pytest.fixture
def wallet() -> Wallet:
    return wire(InMemoryLedgerStore())
