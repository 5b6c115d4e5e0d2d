"""SQL engines every storage contract runs on: SQLite (file, WAL) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from evroam.storage.engine import create_database_engine, create_schema, drop_schema

ENGINES = [
    "sqlite",
    pytest.param(
        "postgres", marks=[pytest.mark.postgres, pytest.mark.xdist_group("pg")]
    ),
]


def engine_for(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh schema on the engine ``request.param`` names ("sqlite"/"postgres")."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'contract.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_database_engine(url)
    drop_schema(engine)
    create_schema(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from engine_for(request, tmp_path)
