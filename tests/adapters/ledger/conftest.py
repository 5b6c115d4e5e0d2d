"""The wallet on every SQL engine: SQLite (file, WAL) and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from evroam.storage.ledger_repository import SqlLedgerStore
from tests.unit.wallet.wiring import Wallet, wire


@pytest.fixture
def wallet(engine: Engine) -> Wallet:
    return wire(SqlLedgerStore(engine))
