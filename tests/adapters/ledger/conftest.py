"""The wallet on every SQL engine: SQLite (file, WAL) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

import evroam.storage.ledger_tables  # noqa: F401 - registers the ledger tables
from evroam.storage.engine import create_database_engine, create_schema, drop_schema
from evroam.storage.ledger_repository import SqlLedgerStore
from tests.unit.wallet.wiring import Wallet, wire

ENGINES = [
    "sqlite",
    pytest.param(
        "postgres", marks=[pytest.mark.postgres, pytest.mark.xdist_group("pg")]
    ),
]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_database_engine(url)
    drop_schema(engine)
    create_schema(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def wallet(engine: Engine) -> Wallet:
    return wire(SqlLedgerStore(engine))
