"""The interleavings state machine through the real service on SQLite and PostgreSQL.

Every run starts from empty tables on one schema; ``make test`` runs about 200
derandomized runs per engine and the named examples, ``make test-slow`` 10,000
(``slow``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from sqlalchemy import Engine

from evroam.storage.ledger_repository import SqlLedgerStore
from evroam.storage.session_repository import SqlSessionStore
from evroam.storage.tables import metadata
from tests.adapters.conftest import ENGINES, engine_for
from tests.adapters.ledger.conftest import plan_writer_for
from tests.unit.charging.machine import NAMED_EXAMPLES, ChargingMachine


@pytest.fixture(scope="module", params=ENGINES)
def shared_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One schema per engine for the module; each run empties it."""
    yield from engine_for(request, tmp_path_factory.mktemp("interleavings"))


def machine_on(engine: Engine) -> type[ChargingMachine]:
    def empty_stores() -> tuple[SqlSessionStore, SqlLedgerStore]:
        with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
        return SqlSessionStore(engine), SqlLedgerStore(engine)

    class SqlChargingMachine(ChargingMachine):
        make_stores = staticmethod(empty_stores)
        make_writer = staticmethod(lambda: plan_writer_for(engine))

    return SqlChargingMachine


def run(engine: Engine, examples: int) -> None:
    run_state_machine_as_test(
        machine_on(engine),
        settings=settings(
            max_examples=examples,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


class TestInterleavings:
    def test_random_interleavings_keep_every_money_rule(self, shared_engine):
        run(shared_engine, examples=200)

    @pytest.mark.parametrize("example", NAMED_EXAMPLES, ids=lambda f: f.__name__)
    def test_named_interleaving(
        self, shared_engine, example: Callable[[ChargingMachine], None]
    ):
        machine = machine_on(shared_engine)()
        try:
            example(machine)
        finally:
            machine.teardown()

    @pytest.mark.slow
    def test_ten_thousand_random_interleavings(self, shared_engine):
        run(shared_engine, examples=10_000)
