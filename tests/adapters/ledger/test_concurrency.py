"""Many clients at once: one transfer per key, no overdraft, one resolution."""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from evroam.shared.money import Money
from evroam.wallet.errors import HoldAlreadyResolvedError, InsufficientFunds
from evroam.wallet.ledger import TransferKind
from tests.unit.wallet.wiring import Wallet, yuan

CLIENTS = 50
DRIVER = "driver-1"


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` on ``count`` threads released at the same moment."""
    start = threading.Barrier(count)

    def client(i: int) -> Any:
        start.wait()
        try:
            return work(i)
        except (InsufficientFunds, HoldAlreadyResolvedError) as exc:
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(client, range(count)))


def funded(wallet: Wallet, amount: str) -> None:
    wallet.service.open_wallet(DRIVER)
    wallet.paid_top_up(DRIVER, amount, "top-up-1")


class TestRetriedKeys:
    def test_fifty_clients_retrying_the_same_keys_make_one_transfer_per_key(
        self, wallet: Wallet
    ):
        funded(wallet, "1000.00")
        keys = [f"hold-{n}" for n in range(10)]

        def client(i: int) -> list[tuple[str, Any]]:
            order = random.Random(i).sample(keys, len(keys))
            return [
                (k, wallet.service.place_hold(DRIVER, yuan("5.00"), k, k))
                for k in order
            ]

        outcomes = run_together(CLIENTS, client)

        results: dict[str, set[Any]] = defaultdict(set)
        for outcome in outcomes:
            for key, hold in outcome:
                results[key].add(hold)
        assert all(len(holds) == 1 for holds in results.values())
        kinds = Counter(t.kind for t in wallet.store.transfers())
        assert kinds[TransferKind.HOLD] == len(keys)
        assert wallet.service.balance(DRIVER).held == yuan("50.00")
        assert wallet.store.trial_balance().is_consistent


class TestConcurrentHolds:
    def test_concurrent_holds_never_overdraw_the_wallet(self, wallet: Wallet):
        funded(wallet, "100.00")

        outcomes = run_together(
            CLIENTS,
            lambda i: wallet.service.place_hold(
                DRIVER, yuan("3.00"), f"session-{i}", f"hold-{i}"
            ),
        )

        refused = [o for o in outcomes if isinstance(o, InsufficientFunds)]
        balance = wallet.service.balance(DRIVER)
        assert len(refused) == CLIENTS - 33
        assert (balance.available, balance.held) == (yuan("1.00"), yuan("99.00"))
        assert wallet.store.trial_balance().is_consistent


class TestConcurrentResolution:
    def test_a_hold_raced_by_settles_and_releases_resolves_once(self, wallet: Wallet):
        funded(wallet, "100.00")
        hold = wallet.service.place_hold(DRIVER, yuan("60.00"), "session-1", "h1")

        def client(i: int) -> Any:
            if i % 2:
                return wallet.service.release_hold(hold.id, f"release-{i}")
            return wallet.service.settle_hold(
                hold.id, yuan("40.00"), Money.zero(), "swapway", f"settle-{i}"
            )

        outcomes = run_together(20, client)

        winners = [o for o in outcomes if not isinstance(o, Exception)]
        assert len(winners) == 1
        resolutions = [t for t in wallet.store.transfers() if t.reference == hold.id]
        assert len(resolutions) == 2  # the hold itself and its one resolution
        assert wallet.service.balance(DRIVER).held == Money.zero()
