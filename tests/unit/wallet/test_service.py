"""Wallet use-cases: top-ups, holds, settlement, release, expiry, refunds, history."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from evroam.payments.webhook import sign
from evroam.shared.errors import InvalidInputError
from evroam.shared.money import Money
from evroam.wallet.errors import (
    HoldAlreadyResolvedError,
    IdempotencyConflict,
    InsufficientFunds,
    PaymentMismatchError,
    RefundExceedsChargeError,
    WalletNotFoundError,
)
from evroam.wallet.ledger import AccountKind, HoldState, LedgerAccount, RefundSource
from evroam.wallet.ports import TopUpState
from tests.unit.wallet.wiring import SECRET, Wallet, yuan

DRIVER = "driver-1"
PAYABLE = LedgerAccount.payable("swapway").key
DISCOUNT = LedgerAccount.platform(AccountKind.DISCOUNT_EXPENSE).key
REFUNDS = LedgerAccount.platform(AccountKind.REFUND_EXPENSE).key


@pytest.fixture
def funded(wallet: Wallet) -> Wallet:
    """A driver with 100.00 available."""
    wallet.service.open_wallet(DRIVER)
    wallet.paid_top_up(DRIVER, "100.00", "top-up-1")
    return wallet


def assert_books_balance(wallet: Wallet) -> None:
    trial = wallet.store.trial_balance()
    assert trial.is_consistent
    assert trial.total_fen == 0


def platform_balance(wallet: Wallet, key: str) -> int:
    return wallet.store.trial_balance().cached_fen.get(key, 0)


class TestOpenWallet:
    def test_a_new_wallet_is_empty(self, wallet):
        balance = wallet.service.open_wallet(DRIVER)

        assert (balance.available, balance.held, balance.owed) == (
            Money.zero(),
            Money.zero(),
            Money.zero(),
        )

    def test_opening_twice_keeps_the_money(self, funded):
        balance = funded.service.open_wallet(DRIVER)

        assert balance.available == yuan("100.00")

    def test_an_unknown_wallet_is_not_found(self, wallet):
        with pytest.raises(WalletNotFoundError):
            wallet.service.balance("nobody")


class TestTopUp:
    def test_credits_nothing_until_the_provider_confirms(self, wallet):
        wallet.service.open_wallet(DRIVER)

        top_up = wallet.service.top_up(DRIVER, yuan("50.00"), "k1")

        assert top_up.state is TopUpState.PENDING
        assert wallet.service.balance(DRIVER).available == Money.zero()

    def test_the_confirmed_webhook_credits_the_wallet(self, wallet):
        wallet.service.open_wallet(DRIVER)

        top_up = wallet.paid_top_up(DRIVER, "50.00", "k1")

        assert top_up.state is TopUpState.CREDITED
        assert wallet.service.balance(DRIVER).available == yuan("50.00")
        assert_books_balance(wallet)

    def test_a_replayed_webhook_credits_once(self, wallet):
        wallet.service.open_wallet(DRIVER)
        top_up = wallet.service.top_up(DRIVER, yuan("50.00"), "k1")
        webhook = wallet.provider.confirm(top_up.intent_id)

        for _ in range(3):
            wallet.service.confirm_top_up(webhook.body, webhook.signature_header)

        assert wallet.service.balance(DRIVER).available == yuan("50.00")

    def test_a_second_event_for_a_credited_intent_credits_nothing(self, wallet):
        wallet.service.open_wallet(DRIVER)
        top_up = wallet.paid_top_up(DRIVER, "50.00", "k1")
        body = json.dumps(
            {
                "id": "evt_other",
                "type": "top_up.succeeded",
                "data": {"intent_id": top_up.intent_id, "amount_fen": 5000},
            }
        ).encode()
        now = int(wallet.clock.now().timestamp())

        wallet.service.confirm_top_up(body, sign(SECRET, body, now))

        assert wallet.service.balance(DRIVER).available == yuan("50.00")

    def test_refuses_a_confirmation_for_another_amount(self, wallet):
        wallet.service.open_wallet(DRIVER)
        top_up = wallet.service.top_up(DRIVER, yuan("50.00"), "k1")
        body = json.dumps(
            {
                "id": "evt_1",
                "type": "top_up.succeeded",
                "data": {"intent_id": top_up.intent_id, "amount_fen": 500000},
            }
        ).encode()
        now = int(wallet.clock.now().timestamp())

        with pytest.raises(PaymentMismatchError):
            wallet.service.confirm_top_up(body, sign(SECRET, body, now))
        assert wallet.service.balance(DRIVER).available == Money.zero()

    def test_the_same_key_returns_the_same_top_up(self, wallet):
        wallet.service.open_wallet(DRIVER)

        first = wallet.service.top_up(DRIVER, yuan("50.00"), "k1")
        again = wallet.service.top_up(DRIVER, yuan("50.00"), "k1")

        assert again == first

    def test_the_same_key_for_another_amount_conflicts(self, wallet):
        wallet.service.open_wallet(DRIVER)
        wallet.service.top_up(DRIVER, yuan("50.00"), "k1")

        with pytest.raises(IdempotencyConflict):
            wallet.service.top_up(DRIVER, yuan("60.00"), "k1")

    def test_refuses_a_zero_or_negative_amount(self, wallet):
        wallet.service.open_wallet(DRIVER)

        with pytest.raises(InvalidInputError):
            wallet.service.top_up(DRIVER, yuan("0.00"), "k1")


class TestPlaceHold:
    def test_moves_money_from_available_to_held(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("30.00"), "session-1", "h1")

        balance = funded.service.balance(DRIVER)
        assert hold.state is HoldState.PENDING
        assert (balance.available, balance.held) == (yuan("70.00"), yuan("30.00"))
        assert_books_balance(funded)

    def test_never_lets_the_wallet_go_negative(self, funded):
        with pytest.raises(InsufficientFunds):
            funded.service.place_hold(DRIVER, yuan("100.01"), "session-1", "h1")

        assert funded.service.balance(DRIVER).available == yuan("100.00")

    def test_a_retry_with_the_same_key_holds_once(self, funded):
        first = funded.service.place_hold(DRIVER, yuan("30.00"), "session-1", "h1")
        again = funded.service.place_hold(DRIVER, yuan("30.00"), "session-1", "h1")

        assert again == first
        assert funded.service.balance(DRIVER).held == yuan("30.00")

    def test_the_same_key_for_another_request_conflicts(self, funded):
        funded.service.place_hold(DRIVER, yuan("30.00"), "session-1", "h1")

        with pytest.raises(IdempotencyConflict):
            funded.service.place_hold(DRIVER, yuan("31.00"), "session-1", "h1")

    def test_keys_belong_to_one_driver(self, funded):
        funded.service.open_wallet("driver-2")
        funded.paid_top_up("driver-2", "10.00", "top-up-1")

        funded.service.place_hold(DRIVER, yuan("30.00"), "session-1", "h1")
        other = funded.service.place_hold("driver-2", yuan("5.00"), "session-2", "h1")

        assert other.account_id == "driver-2"

    def test_a_failed_call_stores_nothing_so_a_retry_can_succeed(self, funded):
        with pytest.raises(InsufficientFunds):
            funded.service.place_hold(DRIVER, yuan("150.00"), "session-1", "h1")
        funded.paid_top_up(DRIVER, "50.00", "top-up-2")

        hold = funded.service.place_hold(DRIVER, yuan("150.00"), "session-1", "h1")

        assert hold.amount == yuan("150.00")


class TestSettleHold:
    def test_charges_the_actual_amount_and_releases_the_rest(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("50.00"), "session-1", "h1")

        settled = funded.service.settle_hold(
            hold.id, yuan("32.00"), yuan("3.20"), "swapway", "s1"
        )

        balance = funded.service.balance(DRIVER)
        assert settled.state is HoldState.SETTLED
        assert (balance.available, balance.held) == (yuan("71.20"), Money.zero())
        assert_books_balance(funded)

    def test_books_the_partner_price_and_the_discount_as_separate_lines(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("50.00"), "session-1", "h1")

        funded.service.settle_hold(
            hold.id, yuan("32.00"), yuan("3.20"), "swapway", "s1"
        )

        assert platform_balance(funded, PAYABLE) == 3200
        assert platform_balance(funded, DISCOUNT) == -320

    def test_pays_an_overrun_from_the_available_balance(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("50.00"), "session-1", "h1")

        settled = funded.service.settle_hold(
            hold.id, yuan("60.00"), Money.zero(), "swapway", "s1"
        )

        assert settled.from_wallet_fen == 1000
        assert funded.service.balance(DRIVER).available == yuan("40.00")

    def test_records_an_overrun_the_wallet_cannot_pay_as_owed(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("90.00"), "session-1", "h1")

        funded.service.settle_hold(
            hold.id, yuan("120.00"), Money.zero(), "swapway", "s1"
        )

        balance = funded.service.balance(DRIVER)
        assert (balance.available, balance.owed) == (Money.zero(), yuan("20.00"))
        assert_books_balance(funded)

    def test_the_next_top_up_pays_back_what_is_owed(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("90.00"), "session-1", "h1")
        funded.service.settle_hold(
            hold.id, yuan("120.00"), Money.zero(), "swapway", "s1"
        )

        funded.paid_top_up(DRIVER, "50.00", "top-up-2")

        balance = funded.service.balance(DRIVER)
        assert (balance.available, balance.owed) == (yuan("30.00"), Money.zero())

    def test_a_hold_settles_once(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("50.00"), "session-1", "h1")
        funded.service.settle_hold(
            hold.id, yuan("32.00"), Money.zero(), "swapway", "s1"
        )

        with pytest.raises(HoldAlreadyResolvedError):
            funded.service.settle_hold(
                hold.id, yuan("32.00"), Money.zero(), "swapway", "s2"
            )
        with pytest.raises(HoldAlreadyResolvedError):
            funded.service.release_hold(hold.id, "r1")
        assert funded.service.balance(DRIVER).available == yuan("68.00")

    def test_a_retry_with_the_same_key_returns_the_same_settlement(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("50.00"), "session-1", "h1")
        first = funded.service.settle_hold(
            hold.id, yuan("32.00"), Money.zero(), "swapway", "s1"
        )

        again = funded.service.settle_hold(
            hold.id, yuan("32.00"), Money.zero(), "swapway", "s1"
        )

        assert again == first

    def test_refuses_a_discount_above_the_price(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("50.00"), "session-1", "h1")

        with pytest.raises(InvalidInputError):
            funded.service.settle_hold(
                hold.id, yuan("10.00"), yuan("10.01"), "swapway", "s1"
            )


class TestReleaseHold:
    def test_gives_the_whole_hold_back(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("50.00"), "session-1", "h1")

        released = funded.service.release_hold(hold.id, "r1")

        assert released.state is HoldState.RELEASED
        assert funded.service.balance(DRIVER).available == yuan("100.00")

    def test_releases_holds_older_than_the_timeout(self, funded):
        old = funded.service.place_hold(DRIVER, yuan("20.00"), "session-1", "h1")
        funded.clock.set(funded.clock.now() + timedelta(hours=20))
        young = funded.service.place_hold(DRIVER, yuan("30.00"), "session-2", "h2")
        funded.clock.set(funded.clock.now() + timedelta(hours=5))

        expired = funded.service.release_expired_holds()

        assert [h.id for h in expired] == [old.id]
        assert funded.service.get_hold(young.id).state is HoldState.PENDING
        assert funded.service.balance(DRIVER).held == yuan("30.00")

    def test_an_expired_hold_cannot_be_settled(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("20.00"), "session-1", "h1")
        funded.service.release_expired_holds(funded.clock.now() + timedelta(days=2))

        with pytest.raises(HoldAlreadyResolvedError):
            funded.service.settle_hold(
                hold.id, yuan("5.00"), Money.zero(), "swapway", "s1"
            )


class TestRefund:
    def settled(self, wallet: Wallet) -> str:
        hold = wallet.service.place_hold(DRIVER, yuan("50.00"), "session-1", "h1")
        wallet.service.settle_hold(
            hold.id, yuan("40.00"), yuan("4.00"), "swapway", "s1"
        )
        return hold.id

    def test_a_partner_refund_credits_the_wallet_and_reduces_the_payable(self, funded):
        hold_id = self.settled(funded)

        funded.service.refund(hold_id, yuan("10.00"), RefundSource.PARTNER, "rf1")

        assert funded.service.balance(DRIVER).available == yuan("74.00")
        assert platform_balance(funded, PAYABLE) == 3000
        assert_books_balance(funded)

    def test_a_platform_refund_is_booked_to_the_platform(self, funded):
        hold_id = self.settled(funded)

        funded.service.refund(hold_id, yuan("10.00"), RefundSource.PLATFORM, "rf1")

        assert platform_balance(funded, REFUNDS) == -1000
        assert platform_balance(funded, PAYABLE) == 4000

    def test_refunds_never_exceed_what_the_driver_paid(self, funded):
        hold_id = self.settled(funded)
        funded.service.refund(hold_id, yuan("30.00"), RefundSource.PARTNER, "rf1")

        with pytest.raises(RefundExceedsChargeError):
            funded.service.refund(hold_id, yuan("6.01"), RefundSource.PARTNER, "rf2")

    def test_a_pending_hold_cannot_be_refunded(self, funded):
        hold = funded.service.place_hold(DRIVER, yuan("50.00"), "session-1", "h1")

        with pytest.raises(RefundExceedsChargeError):
            funded.service.refund(hold.id, yuan("1.00"), RefundSource.PARTNER, "rf1")


class TestHistory:
    def test_lists_the_drivers_transfers_newest_first_in_pages(self, funded):
        for n in range(3):
            funded.service.place_hold(DRIVER, yuan("1.00"), f"session-{n}", f"h{n}")

        first = funded.service.history(DRIVER, limit=2)
        second = funded.service.history(DRIVER, limit=2, before=first.next_before)

        kinds = [line.transfer.kind.value for line in first.lines + second.lines]
        assert kinds == ["hold", "hold", "hold", "top_up"]
        assert first.lines[0].available_fen == -100
        assert first.lines[0].held_fen == 100
        assert second.next_before is None
