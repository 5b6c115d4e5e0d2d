"""A hypothesis state machine over WalletService, checked against a plain model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from evroam.shared.money import Money
from evroam.wallet.errors import (
    HoldAlreadyResolvedError,
    IdempotencyConflict,
    InsufficientFunds,
    RefundExceedsChargeError,
)
from evroam.wallet.ledger import HoldState, RefundSource, TransferKind
from evroam.wallet.plan import PlanWriter
from evroam.wallet.ports import LedgerStore
from tests.unit.wallet.wiring import Wallet, wire


class ClosablePlanWriter(PlanWriter, Protocol):
    def close(self) -> None: ...


DRIVERS = ("ann", "bo", "cy")
RESOLUTIONS = {TransferKind.SETTLEMENT, TransferKind.RELEASE, TransferKind.EXPIRY}


@dataclass
class Account:
    available: int = 0
    held: int = 0
    owed: int = 0


@dataclass
class ModelHold:
    id: str
    driver: str
    amount: int
    placed_minute: int
    state: HoldState = HoldState.PENDING
    paid: int = 0
    refunded: int = 0


@dataclass
class Call:
    """A money-moving call already made: how to retry it and how to conflict."""

    retry: Callable[[], Any]
    result: Any
    conflict: Callable[[], Any]


@dataclass
class Model:
    accounts: dict[str, Account] = field(
        default_factory=lambda: {d: Account() for d in DRIVERS}
    )
    holds: list[ModelHold] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    minute: int = 0


def fen(amount: int) -> Money:
    return Money.from_fen(amount)


class WalletMachine(RuleBasedStateMachine):
    """Subclasses set ``make_store`` (and may set ``make_writer``); each run
    gets a fresh store."""

    make_store: Callable[[], LedgerStore]
    make_writer: Callable[[], ClosablePlanWriter | None] = staticmethod(lambda: None)

    def __init__(self) -> None:
        super().__init__()
        self.writer = type(self).make_writer()
        self.wallet: Wallet = wire(type(self).make_store(), writer=self.writer)
        self.model = Model()
        self.keys = 0

    def teardown(self) -> None:
        if self.writer is not None:
            self.writer.close()

    def key(self) -> str:
        self.keys += 1
        return f"key-{self.keys}"

    @initialize()
    def open_wallets(self) -> None:
        for driver in DRIVERS:
            self.wallet.service.open_wallet(driver)

    @rule(
        driver=st.sampled_from(DRIVERS),
        amount=st.integers(1, 50_000),
        replays=st.integers(0, 2),
    )
    def top_up(self, driver: str, amount: int, replays: int) -> None:
        service, key = self.wallet.service, self.key()
        top_up = service.top_up(driver, fen(amount), key)
        webhook = self.wallet.provider.confirm(top_up.intent_id)
        for _ in range(1 + replays):
            service.confirm_top_up(webhook.body, webhook.signature_header)
        account = self.model.accounts[driver]
        recovered = min(amount, account.owed)
        account.owed -= recovered
        account.available += amount - recovered
        self.model.calls.append(
            Call(
                lambda: service.top_up(driver, fen(amount), key),
                top_up,
                lambda: service.top_up(driver, fen(amount + 1), key),
            )
        )

    @rule(
        driver=st.sampled_from(DRIVERS),
        amount=st.integers(1, 60_000),
        everything=st.booleans(),
    )
    def place_hold(self, driver: str, amount: int, everything: bool) -> None:
        service, key = self.wallet.service, self.key()
        account = self.model.accounts[driver]
        if everything and account.available:
            amount = account.available  # then any overrun is more than the wallet
        if amount > account.available:
            try:
                service.place_hold(driver, fen(amount), "session", key)
            except InsufficientFunds:
                return
            raise AssertionError("a hold larger than the balance went through")
        hold = service.place_hold(driver, fen(amount), "session", key)
        account.available -= amount
        account.held += amount
        self.model.holds.append(ModelHold(hold.id, driver, amount, self.model.minute))
        self.model.calls.append(
            Call(
                lambda: service.place_hold(driver, fen(amount), "session", key),
                hold,
                lambda: service.place_hold(driver, fen(amount), "other", key),
            )
        )

    @precondition(lambda self: self.model.holds)
    @rule(
        data=st.data(),
        is_overrun=st.booleans(),
        percent=st.integers(0, 100),
        discount_percent=st.sampled_from([0, 10, 37, 100]),
    )
    def settle(
        self, data: st.DataObject, is_overrun: bool, percent: int, discount_percent: int
    ) -> None:
        hold = self._pick_hold(data)
        partner = hold.amount * percent // 100  # at most the hold
        if is_overrun:
            partner += hold.amount + 1  # more than the hold
        discount_fen = partner * discount_percent // 100
        service, key = self.wallet.service, self.key()

        def call(partner_fen: int) -> Any:
            return service.settle_hold(
                hold.id, fen(partner_fen), fen(discount_fen), "swapway", key
            )

        if hold.state is not HoldState.PENDING:
            self._expect_resolved(lambda: call(partner))
            return
        result = call(partner)
        self._settle_model(hold, partner - discount_fen)
        self.model.calls.append(
            Call(lambda: call(partner), result, lambda: call(partner + 1))
        )

    def _pick_hold(self, data: st.DataObject) -> ModelHold:
        """Mostly a pending hold, sometimes any (to try resolving twice)."""
        pending = [h for h in self.model.holds if h.state is HoldState.PENDING]
        if pending and data.draw(st.integers(0, 4)):
            return data.draw(st.sampled_from(pending))
        return data.draw(st.sampled_from(self.model.holds))

    def _settle_model(self, hold: ModelHold, driver_fen: int) -> None:
        account = self.model.accounts[hold.driver]
        from_hold = min(driver_fen, hold.amount)
        overrun = driver_fen - from_hold
        from_wallet = min(overrun, account.available)
        account.held -= hold.amount
        account.available += hold.amount - from_hold - from_wallet
        account.owed += overrun - from_wallet
        hold.state, hold.paid = HoldState.SETTLED, driver_fen

    @precondition(lambda self: self.model.holds)
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        hold = self._pick_hold(data)
        service, key = self.wallet.service, self.key()
        if hold.state is not HoldState.PENDING:
            self._expect_resolved(lambda: service.release_hold(hold.id, key))
            return
        result = service.release_hold(hold.id, key)
        self._release_model(hold, HoldState.RELEASED)
        self.model.calls.append(
            Call(
                lambda: service.release_hold(hold.id, key),
                result,
                # the same key for another operation on the same driver
                lambda: service.settle_hold(hold.id, fen(1), fen(0), "swapway", key),
            )
        )

    def _release_model(self, hold: ModelHold, state: HoldState) -> None:
        account = self.model.accounts[hold.driver]
        account.held -= hold.amount
        account.available += hold.amount
        hold.state = state

    def _expect_resolved(self, call: Callable[[], Any]) -> None:
        try:
            call()
        except HoldAlreadyResolvedError:
            return
        raise AssertionError("a resolved hold resolved again")

    @precondition(lambda self: self.model.holds)
    @rule(data=st.data(), amount=st.integers(1, 30_000), partner=st.booleans())
    def refund(self, data: st.DataObject, amount: int, partner: bool) -> None:
        hold = data.draw(st.sampled_from(self.model.holds))
        source = RefundSource.PARTNER if partner else RefundSource.PLATFORM
        service, key = self.wallet.service, self.key()
        refundable = hold.paid - hold.refunded
        if hold.state is not HoldState.SETTLED or amount > refundable:
            try:
                service.refund(hold.id, fen(amount), source, key)
            except RefundExceedsChargeError:
                return
            raise AssertionError("refunded more than the driver paid")
        result = service.refund(hold.id, fen(amount), source, key)
        hold.refunded += amount
        self.model.accounts[hold.driver].available += amount
        self.model.calls.append(
            Call(
                lambda: service.refund(hold.id, fen(amount), source, key),
                result,
                lambda: service.refund(hold.id, fen(amount + 1), source, key),
            )
        )

    @rule(minutes=st.integers(1, 8 * 60))
    def expire(self, minutes: int) -> None:
        self.model.minute += minutes
        clock = self.wallet.clock
        clock.set(clock.now() + timedelta(minutes=minutes))
        expired = {h.id for h in self.wallet.service.release_expired_holds()}
        timeout = int(self.wallet.service.hold_timeout.total_seconds() // 60)
        due = {
            h.id
            for h in self.model.holds
            if h.state is HoldState.PENDING
            and h.placed_minute < self.model.minute - timeout
        }
        assert expired == due
        for hold in self.model.holds:
            if hold.id in due:
                self._release_model(hold, HoldState.EXPIRED)

    @precondition(lambda self: self.model.calls)
    @rule(data=st.data())
    def retry_with_the_same_key(self, data: st.DataObject) -> None:
        call = data.draw(st.sampled_from(self.model.calls))
        assert call.retry() == call.result

    @precondition(lambda self: self.model.calls)
    @rule(data=st.data())
    def reuse_a_key_for_another_request(self, data: st.DataObject) -> None:
        call = data.draw(st.sampled_from(self.model.calls))
        try:
            call.conflict()
        except IdempotencyConflict:
            return
        raise AssertionError("a reused key with another request went through")

    @invariant()
    def balances_match_the_model(self) -> None:
        for driver, expected in self.model.accounts.items():
            balance = self.wallet.service.balance(driver)
            assert (balance.available.fen, balance.held.fen, balance.owed.fen) == (
                expected.available,
                expected.held,
                expected.owed,
            )

    @invariant()
    def the_books_balance(self) -> None:
        trial = self.wallet.store.trial_balance()
        assert trial.is_consistent, "a cached balance differs from its replay"
        assert trial.total_fen == 0
        for key, amount in trial.cached_fen.items():
            if key.startswith(("wallet:", "holds:")):
                assert amount >= 0, f"{key} went negative"

    @invariant()
    def every_transfer_balances_and_each_hold_resolves_once(self) -> None:
        resolved: dict[str, int] = {}
        for transfer in self.wallet.store.transfers():
            assert sum(p.amount_fen for p in transfer.postings) == 0
            if transfer.kind in RESOLUTIONS:
                resolved[transfer.reference] = resolved.get(transfer.reference, 0) + 1
        assert all(n == 1 for n in resolved.values())
