"""Creating the schema is safe when several workers start on a fresh database."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from evroam.storage.engine import create_database_engine, create_schema, drop_schema


def _create(url: str) -> None:
    create_schema(create_database_engine(url))


def _race(url: str, workers: int = 6) -> list[int | None]:
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_create, args=(url,)) for _ in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=60)
    return [proc.exitcode for proc in procs]


class TestConcurrentSchemaCreation:
    def test_six_workers_on_a_fresh_sqlite_file_all_start(self, tmp_path: Path):
        assert _race(f"sqlite:///{tmp_path / 'fresh.db'}") == [0] * 6

    @pytest.mark.postgres
    @pytest.mark.xdist_group("pg")
    def test_six_workers_on_a_fresh_postgres_database_all_start(self, postgres_url):
        engine = create_database_engine(postgres_url)
        try:
            drop_schema(engine)
        finally:
            engine.dispose()
        assert _race(postgres_url) == [0] * 6
