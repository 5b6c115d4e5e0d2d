"""Every StationRepository implementation, for the shared contract suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evroam.storage.engine import create_database_engine, create_schema, drop_schema
from evroam.storage.station_repository import SqlStationRepository
from evroam.storage.status_repository import SqlStatusStore
from tests.fakes import InMemoryStationRepository, InMemoryStatusStore


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param(
            "postgres", marks=[pytest.mark.postgres, pytest.mark.xdist_group("pg")]
        ),
    ]
)
def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[object, object]]:
    """(station repository, status store) over the same data."""
    if request.param == "memory":
        repo = InMemoryStationRepository()
        yield repo, InMemoryStatusStore(repo)
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'contract.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_database_engine(url)
    drop_schema(engine)
    create_schema(engine)
    try:
        yield SqlStationRepository(engine), SqlStatusStore(engine)
    finally:
        engine.dispose()


@pytest.fixture
def repo(store: tuple[object, object]) -> object:
    return store[0]


@pytest.fixture
def status_store(store: tuple[object, object]) -> object:
    return store[1]
