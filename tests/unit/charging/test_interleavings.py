"""Random interleavings of drivers, partner messages, timeouts and restarts, in memory.

The same machine runs on SQLite and PostgreSQL in tests/adapters/charging.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.fakes import InMemorySessionStore
from tests.unit.charging.machine import NAMED_EXAMPLES, ChargingMachine


def in_memory() -> tuple[InMemorySessionStore, object]:
    store = InMemorySessionStore()
    return store, store.ledger


class InMemoryChargingMachine(ChargingMachine):
    make_stores = staticmethod(in_memory)


TestInterleavingsInMemory = InMemoryChargingMachine.TestCase
TestInterleavingsInMemory.settings = settings(
    max_examples=100,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.parametrize("example", NAMED_EXAMPLES, ids=lambda f: f.__name__)
def test_named_interleaving(example: Callable[[ChargingMachine], None]):
    machine = InMemoryChargingMachine()
    try:
        example(machine)
    finally:
        machine.teardown()


@pytest.mark.slow
def test_ten_thousand_random_interleavings_in_memory():
    run_state_machine_as_test(
        InMemoryChargingMachine,
        settings=settings(
            max_examples=10_000,
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
