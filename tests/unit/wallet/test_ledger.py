"""Ledger rules: balanced transfers, settlement arithmetic, top-up recovery."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.wallet.errors import UnbalancedTransferError
from evroam.wallet.ledger import (
    AccountKind,
    Charge,
    Hold,
    LedgerAccount,
    Posting,
    Transfer,
    TransferKind,
    replay,
    settle,
    top_up_postings,
)

AT = datetime(2026, 3, 1, tzinfo=UTC)
WALLET = LedgerAccount.wallet("driver-1")
HOLDS = LedgerAccount.holds("driver-1")
OWED = LedgerAccount.receivable("driver-1")
PAYABLE = LedgerAccount.payable("swapway")
DISCOUNT = LedgerAccount.platform(AccountKind.DISCOUNT_EXPENSE)


def a_hold(amount_fen: int = 10_000) -> Hold:
    return Hold("hold-1", "driver-1", amount_fen, "session-1", AT)


class TestTransfers:
    def test_rejects_postings_that_do_not_sum_to_zero(self):
        with pytest.raises(UnbalancedTransferError):
            Transfer(
                "t1",
                TransferKind.TOP_UP,
                (Posting(WALLET, 100), Posting(HOLDS, -99)),
                "ref",
                AT,
            )

    def test_rejects_a_transfer_with_a_single_posting(self):
        with pytest.raises(UnbalancedTransferError):
            Transfer("t1", TransferKind.TOP_UP, (Posting(WALLET, 0),), "ref", AT)

    def test_rejects_fractional_fen(self):
        with pytest.raises(TypeError):
            Posting(WALLET, 1.5)  # type: ignore[arg-type]

    def test_account_keys_round_trip(self):
        assert LedgerAccount.parse(PAYABLE.key) == PAYABLE
        assert LedgerAccount.parse(DISCOUNT.key) == DISCOUNT


class TestSettlement:
    def test_charges_the_driver_the_discounted_price_and_releases_the_rest(self):
        charge = Charge("swapway", partner_fen=5_000, discount_fen=500)

        settled, lines = settle(a_hold(10_000), charge, available_fen=0, at=AT)

        amounts = {p.account: p.amount_fen for p in lines}
        assert amounts == {
            HOLDS: -10_000,
            WALLET: 5_500,
            PAYABLE: 5_000,
            DISCOUNT: -500,
        }
        assert settled.driver_paid_fen == 4_500

    def test_pays_an_overrun_from_the_available_balance(self):
        charge = Charge("swapway", partner_fen=12_000, discount_fen=0)

        settled, lines = settle(a_hold(10_000), charge, available_fen=5_000, at=AT)

        amounts = {p.account: p.amount_fen for p in lines}
        assert amounts[WALLET] == -2_000
        assert settled.from_wallet_fen == 2_000
        assert settled.receivable_fen == 0

    def test_records_what_the_wallet_cannot_pay_as_owed(self):
        charge = Charge("swapway", partner_fen=12_000, discount_fen=0)

        _, lines = settle(a_hold(10_000), charge, available_fen=500, at=AT)

        amounts = {p.account: p.amount_fen for p in lines}
        assert amounts[WALLET] == -500
        assert amounts[OWED] == -1_500
        assert amounts[PAYABLE] == 12_000

    @given(
        hold_fen=st.integers(1, 10**7),
        partner_fen=st.integers(0, 2 * 10**7),
        discount_share=st.fractions(0, 1),
        available_fen=st.integers(0, 10**7),
    )
    def test_every_settlement_balances_and_never_overdraws(
        self, hold_fen, partner_fen, discount_share, available_fen
    ):
        discount_fen = int(partner_fen * discount_share)
        charge = Charge("swapway", partner_fen, discount_fen)

        settled, lines = settle(a_hold(hold_fen), charge, available_fen, AT)

        transfer = Transfer("t", TransferKind.SETTLEMENT, lines, "hold-1", AT)
        balances = replay([transfer])
        assert available_fen + balances.get(WALLET.key, 0) >= 0
        assert settled.driver_paid_fen == charge.driver_fen
        assert balances.get(PAYABLE.key, 0) == partner_fen


class TestTopUpPostings:
    def test_pays_back_what_the_driver_owes_first(self):
        lines = top_up_postings("driver-1", 10_000, owed_fen=1_500)

        amounts = {p.account: p.amount_fen for p in lines}
        assert amounts[OWED] == 1_500
        assert amounts[WALLET] == 8_500
