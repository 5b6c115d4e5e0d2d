"""Every StationRepository implementation, for the shared contract suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evroam.storage.station_repository import SqlStationRepository
from evroam.storage.status_repository import SqlStatusStore
from tests.adapters.conftest import engine_for
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
    for engine in engine_for(request, tmp_path):
        yield SqlStationRepository(engine), SqlStatusStore(engine)


@pytest.fixture
def repo(store: tuple[object, object]) -> object:
    return store[0]


@pytest.fixture
def status_store(store: tuple[object, object]) -> object:
    return store[1]
