"""The wallet state machine on SqlLedgerStore: the books balance after every step."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from sqlalchemy import Engine

from evroam.storage.engine import create_schema, drop_schema
from evroam.storage.ledger_repository import SqlLedgerStore
from tests.adapters.ledger.conftest import plan_writer_for
from tests.unit.wallet.machine import WalletMachine


class TestLedgerInvariants:
    def test_random_wallet_use_keeps_the_books_balanced(self, engine: Engine):
        def fresh_store() -> SqlLedgerStore:
            drop_schema(engine)
            create_schema(engine)
            return SqlLedgerStore(engine)

        class SqlWalletMachine(WalletMachine):
            make_store = staticmethod(fresh_store)
            make_writer = staticmethod(lambda: plan_writer_for(engine))

        run_state_machine_as_test(
            SqlWalletMachine,
            settings=settings(
                max_examples=25,
                stateful_step_count=30,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
