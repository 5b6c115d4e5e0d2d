"""Group commit on PostgreSQL: many drivers' transfers share one durable commit,
and one refused or broken plan never takes the others down with it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from evroam.storage.ledger_batch import PostgresPlanWriter
from evroam.storage.ledger_repository import SqlLedgerStore
from evroam.wallet.errors import (
    HoldAlreadyResolvedError,
    IdempotencyConflict,
    InsufficientFunds,
    WalletNotFoundError,
)
from evroam.wallet.ledger import TransferKind
from evroam.wallet.plan import Applied, WritePlan
from tests.adapters.conftest import engine_for
from tests.adapters.ledger.test_concurrency import run_together
from tests.unit.wallet.wiring import Wallet, wire, yuan

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("pg")]

DRIVERS = [f"driver-{n}" for n in range(40)]


@pytest.fixture(params=["postgres"])
def pg_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from engine_for(request, tmp_path)


@pytest.fixture
def writer(pg_engine: Engine) -> Iterator[PostgresPlanWriter]:
    writer = PostgresPlanWriter(pg_engine, writers=1)
    yield writer
    writer.close()


@pytest.fixture
def wallet(pg_engine: Engine, writer: PostgresPlanWriter) -> Wallet:
    wallet = wire(SqlLedgerStore(pg_engine), deterministic_ids=False, writer=writer)
    for driver in DRIVERS:
        wallet.service.open_wallet(driver)
        wallet.paid_top_up(driver, "100.00", f"top-up-{driver}")
    return wallet


class TestOneCommitForMany:
    def test_concurrent_drivers_share_commits_and_the_books_balance(
        self, wallet: Wallet, writer: PostgresPlanWriter
    ):
        def session(i: int) -> object:
            driver = DRIVERS[i]
            hold = wallet.service.place_hold(driver, yuan("80.00"), f"s-{i}", f"h-{i}")
            return wallet.service.settle_hold(
                hold.id, yuan("42.37"), yuan("4.24"), "swapway", f"c-{i}"
            )

        settled = run_together(len(DRIVERS), session)

        assert all(not isinstance(s, Exception) for s in settled)
        assert writer.plans == 2 * len(DRIVERS)
        assert writer.batches < writer.plans  # some commits carried several
        balance = wallet.service.balance(DRIVERS[0]).available
        assert balance == yuan("100.00") - yuan("38.13")
        trial = wallet.store.trial_balance()
        assert trial.is_consistent
        assert trial.total_fen == 0

    def test_an_overdraft_in_a_batch_is_refused_alone(self, wallet: Wallet):
        def hold(i: int) -> object:
            amount = yuan("500.00") if i == 7 else yuan("10.00")
            return wallet.service.place_hold(DRIVERS[i], amount, f"s-{i}", f"h-{i}")

        outcomes = run_together(len(DRIVERS), hold)

        assert isinstance(outcomes[7], InsufficientFunds)
        others = [o for n, o in enumerate(outcomes) if n != 7]
        assert not any(isinstance(o, Exception) for o in others)
        assert wallet.service.balance(DRIVERS[7]).held == yuan("0.00")
        assert wallet.service.balance(DRIVERS[8]).held == yuan("10.00")
        assert wallet.store.trial_balance().is_consistent

    def test_a_refused_plan_keeps_no_key_so_a_retry_can_succeed(self, wallet: Wallet):
        driver = DRIVERS[0]
        with pytest.raises(InsufficientFunds):
            wallet.service.place_hold(driver, yuan("500.00"), "s", "k")
        wallet.paid_top_up(driver, "500.00", "more")

        hold = wallet.service.place_hold(driver, yuan("500.00"), "s", "k")

        assert wallet.service.balance(driver).held == hold.amount


class TestKeysAndHoldsThroughTheWriter:
    def test_a_replayed_key_answers_the_stored_hold(self, wallet: Wallet):
        first = wallet.service.place_hold(DRIVERS[0], yuan("5.00"), "s", "k")
        again = wallet.service.place_hold(DRIVERS[0], yuan("5.00"), "s", "k")

        assert again == first
        with pytest.raises(IdempotencyConflict):
            wallet.service.place_hold(DRIVERS[0], yuan("6.00"), "s", "k")
        holds = [t for t in wallet.store.transfers() if t.kind is TransferKind.HOLD]
        assert len(holds) == 1

    def test_a_hold_resolves_once(self, wallet: Wallet):
        hold = wallet.service.place_hold(DRIVERS[0], yuan("5.00"), "s", "h")
        wallet.service.release_hold(hold.id, "r1")

        with pytest.raises(HoldAlreadyResolvedError, match="released"):
            wallet.service.settle_hold(hold.id, yuan("1.00"), yuan("0"), "x", "c1")

    def test_no_wallet_is_reported_as_such(self, wallet: Wallet):
        with pytest.raises(WalletNotFoundError):
            wallet.service.place_hold("nobody", yuan("5.00"), "s", "k")


class TestABrokenPlan:
    def test_a_plan_the_database_rejects_fails_alone(
        self, wallet: Wallet, writer: PostgresPlanWriter
    ):
        """A transfer id used twice breaks the whole database call; the
        writer then applies its batch plan by plan and only that one fails."""
        first = wallet.service.place_hold(DRIVERS[0], yuan("5.00"), "s", "h0")
        used_id = next(
            t.id for t in wallet.store.transfers() if t.reference == first.id
        )
        plans: list[WritePlan] = []

        class Capture:
            def apply(self, plan: WritePlan) -> Applied:
                plans.append(plan)
                return Applied()

        capturing = wire(wallet.store, deterministic_ids=False, writer=Capture())
        for n in range(1, 21):
            capturing.service.place_hold(DRIVERS[n], yuan("5.00"), "s", f"h{n}")
        plans[0] = replace(plans[0], transfer=replace(plans[0].transfer, id=used_id))

        outcomes = _together([lambda p=p: writer.apply(p) for p in plans])

        assert isinstance(outcomes[0], IntegrityError)
        assert outcomes[1:] == [Applied()] * 19
        assert wallet.service.balance(DRIVERS[1]).held == yuan("0.00")
        assert wallet.service.balance(DRIVERS[2]).held == yuan("5.00")
        assert wallet.store.trial_balance().is_consistent

    def test_a_closed_writer_takes_no_more_plans(self, writer: PostgresPlanWriter):
        writer.close()
        with pytest.raises(RuntimeError, match="closed"):
            writer.apply(None)  # type: ignore[arg-type]


def _together(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls on threads released at once; exceptions are returned."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> object:
        start.wait()
        try:
            return call()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
