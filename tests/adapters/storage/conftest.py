"""Every StationRepository implementation, for the shared contract suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evroam.storage.station_repository import SqlStationRepository
from evroam.storage.status_repository import SqlStatusStore
from tests.adapters.conftest import engine_for
from tests.fakes import InMemoryStationRepository, InMemoryStatusStore

SQL_ENGINES = [
    "sqlite",
    pytest.param(
        "postgres", marks=[pytest.mark.postgres, pytest.mark.xdist_group("pg")]
    ),
]


@pytest.fixture(params=["memory", *SQL_ENGINES])
def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[object, object]]:
    """(station repository, status store) over the same data."""
    if request.param == "memory":
        repo = InMemoryStationRepository()
        yield repo, InMemoryStatusStore(repo)
        return
    for engine in engine_for(request, tmp_path):
        yield SqlStationRepository(engine), SqlStatusStore(engine)


@pytest.fixture
def repo(store: tuple[object, object]) -> object:
    return store[0]


@pytest.fixture
def status_store(store: tuple[object, object]) -> object:
    return store[1]


@pytest.fixture(params=SQL_ENGINES)
def sql_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[SqlStationRepository, SqlStatusStore]]:
    """(station repository, status store) of the SQL engines only."""
    for engine in engine_for(request, tmp_path):
        yield SqlStationRepository(engine), SqlStatusStore(engine)
