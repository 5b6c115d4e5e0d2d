"""The wallet on every SQL engine: SQLite (file, WAL) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from evroam.storage.engine import is_sqlite
from evroam.storage.ledger_batch import PostgresPlanWriter
from evroam.storage.ledger_repository import SqlLedgerStore
from evroam.storage.ledger_sqlite import SqlitePlanWriter
from tests.unit.wallet.wiring import Wallet, wire


@pytest.fixture
def wallet(engine: Engine) -> Iterator[Wallet]:
    """The hot calls go through the engine's plan writer, as the app runs them."""
    writer = plan_writer_for(engine)
    yield wire(SqlLedgerStore(engine), writer=writer)
    writer.close()


def plan_writer_for(engine: Engine) -> SqlitePlanWriter | PostgresPlanWriter:
    return SqlitePlanWriter(engine) if is_sqlite(engine) else PostgresPlanWriter(engine)
