"""Settlement storage on every SQL engine: SQLite (file, WAL) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

import evroam.storage.settlement_tables  # noqa: F401 - registers the statements table
from evroam.storage.engine import create_database_engine, create_schema, drop_schema

ENGINES = [
    "sqlite",
    pytest.param(
        "postgres", marks=[pytest.mark.postgres, pytest.mark.xdist_group("pg")]
    ),
]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'settlement.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_database_engine(url)
    drop_schema(engine)
    create_schema(engine)
    try:
        yield engine
    finally:
        engine.dispose()
