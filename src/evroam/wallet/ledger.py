"""Ledger accounts, postings, balanced transfers and the holds that move money.

Sign convention: an account's balance is the sum of its postings, and a
positive balance is money the platform holds for someone (a credit balance).
A driver's wallet and holds are positive; payment clearing (money the provider
owes us), discount expense and a driver's receivable run negative. The sum
over every account is always zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from evroam.shared.money import Money
from evroam.wallet.errors import UnbalancedTransferError


class AccountKind(StrEnum):
    DRIVER_WALLET = "wallet"  # available balance; never negative
    DRIVER_HOLDS = "holds"  # pending holds; never negative
    DRIVER_RECEIVABLE = "receivable"  # what a driver owes after an overrun; ≤ 0
    PAYMENT_CLEARING = "clearing"  # money in from the payment provider
    PARTNER_PAYABLE = "payable"  # what we owe one partner operator
    DISCOUNT_EXPENSE = "discount"  # brand discounts the platform pays for
    REFUND_EXPENSE = "refunds"  # goodwill refunds the platform pays for
    PLATFORM_REVENUE = "revenue"  # fees, if any


DRIVER_KINDS = frozenset(
    {AccountKind.DRIVER_WALLET, AccountKind.DRIVER_HOLDS, AccountKind.DRIVER_RECEIVABLE}
)
NON_NEGATIVE_KINDS = frozenset({AccountKind.DRIVER_WALLET, AccountKind.DRIVER_HOLDS})


@dataclass(frozen=True, slots=True, order=True)
class LedgerAccount:
    """One ledger account: a kind and, for drivers and partners, its owner."""

    kind: AccountKind
    owner: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.owner}"

    @property
    def is_non_negative(self) -> bool:
        return self.kind in NON_NEGATIVE_KINDS

    @classmethod
    def parse(cls, key: str) -> LedgerAccount:
        kind, _, owner = key.partition(":")
        return cls(AccountKind(kind), owner)

    @classmethod
    def wallet(cls, account_id: str) -> LedgerAccount:
        return cls(AccountKind.DRIVER_WALLET, account_id)

    @classmethod
    def holds(cls, account_id: str) -> LedgerAccount:
        return cls(AccountKind.DRIVER_HOLDS, account_id)

    @classmethod
    def receivable(cls, account_id: str) -> LedgerAccount:
        return cls(AccountKind.DRIVER_RECEIVABLE, account_id)

    @classmethod
    def payable(cls, operator_id: str) -> LedgerAccount:
        return cls(AccountKind.PARTNER_PAYABLE, operator_id)

    @classmethod
    def platform(cls, kind: AccountKind) -> LedgerAccount:
        return cls(kind)


@dataclass(frozen=True, slots=True)
class Posting:
    account: LedgerAccount
    amount_fen: int

    def __post_init__(self) -> None:
        if type(self.amount_fen) is not int:
            raise TypeError("a posting's amount is a whole number of fen (int)")


class TransferKind(StrEnum):
    TOP_UP = "top_up"
    HOLD = "hold"
    SETTLEMENT = "settlement"
    RELEASE = "release"
    EXPIRY = "expiry"
    REFUND = "refund"


@dataclass(frozen=True, slots=True)
class Transfer:
    """A balanced, immutable set of postings; corrections are new transfers."""

    id: str
    kind: TransferKind
    postings: tuple[Posting, ...]
    reference: str
    created_at: datetime

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedTransferError("a transfer needs at least two postings")
        total = sum(p.amount_fen for p in self.postings)
        if total != 0:
            raise UnbalancedTransferError(f"postings sum to {total} fen, not zero")
        if self.created_at.utcoffset() is None:
            raise ValueError("created_at must be timezone-aware")

    def amount_for(self, account: LedgerAccount) -> int:
        return sum(p.amount_fen for p in self.postings if p.account == account)


def postings(*amounts: tuple[LedgerAccount, int]) -> tuple[Posting, ...]:
    """Merge amounts per account, drop zeros, and order by account."""
    merged: dict[LedgerAccount, int] = defaultdict(int)
    for account, amount_fen in amounts:
        merged[account] += amount_fen
    return tuple(Posting(a, n) for a, n in sorted(merged.items()) if n != 0)


def replay(transfers: Iterable[Transfer]) -> dict[str, int]:
    """Every account's balance, recomputed from the postings alone."""
    balances: dict[str, int] = defaultdict(int)
    for transfer in transfers:
        for posting in transfer.postings:
            balances[posting.account.key] += posting.amount_fen
    return dict(balances)


class HoldState(StrEnum):
    PENDING = "pending"
    SETTLED = "settled"
    RELEASED = "released"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Charge:
    """What a charge record says a session cost, before and after the discount."""

    partner_operator: str
    partner_fen: int  # what we owe the partner
    discount_fen: int  # the brand discount the platform pays for

    def __post_init__(self) -> None:
        if self.partner_fen < 0 or self.discount_fen < 0:
            raise ValueError("charge amounts are never negative")
        if self.discount_fen > self.partner_fen:
            raise ValueError("a discount cannot exceed the partner's price")

    @property
    def driver_fen(self) -> int:
        return self.partner_fen - self.discount_fen


@dataclass(frozen=True, slots=True)
class Hold:
    """Money set aside at session start; resolved once: settled, released or expired.

    After settlement ``from_hold_fen + from_wallet_fen + receivable_fen`` is
    what the driver paid (``charge.driver_fen``); see ADR 0007 for overruns.
    """

    id: str
    account_id: str
    amount_fen: int
    reference: str
    placed_at: datetime
    state: HoldState = HoldState.PENDING
    resolved_at: datetime | None = None
    charge: Charge | None = None
    from_hold_fen: int = 0
    from_wallet_fen: int = 0  # an overrun paid from the available balance
    receivable_fen: int = 0  # an overrun the wallet could not pay
    refunded_fen: int = 0

    @property
    def amount(self) -> Money:
        return Money.from_fen(self.amount_fen)

    @property
    def is_pending(self) -> bool:
        return self.state is HoldState.PENDING

    @property
    def driver_paid_fen(self) -> int:
        return self.from_hold_fen + self.from_wallet_fen + self.receivable_fen

    @property
    def refundable_fen(self) -> int:
        return self.driver_paid_fen - self.refunded_fen


def hold_postings(account_id: str, amount_fen: int) -> tuple[Posting, ...]:
    return postings(
        (LedgerAccount.wallet(account_id), -amount_fen),
        (LedgerAccount.holds(account_id), amount_fen),
    )


def release_postings(hold: Hold) -> tuple[Posting, ...]:
    return postings(
        (LedgerAccount.holds(hold.account_id), -hold.amount_fen),
        (LedgerAccount.wallet(hold.account_id), hold.amount_fen),
    )


def settle(
    hold: Hold, charge: Charge, available_fen: int, at: datetime
) -> tuple[Hold, tuple[Posting, ...]]:
    """Resolve a pending hold with the actual charge (ADR 0007).

    The driver pays up to the hold from the hold; the rest of the hold goes
    back to the available balance. Beyond the hold, the driver pays what the
    available balance allows and owes the remainder (a receivable).
    """
    from_hold = min(charge.driver_fen, hold.amount_fen)
    overrun = charge.driver_fen - from_hold
    from_wallet = min(overrun, max(available_fen, 0))
    receivable = overrun - from_wallet
    account = hold.account_id
    lines = postings(
        (LedgerAccount.holds(account), -hold.amount_fen),
        (LedgerAccount.wallet(account), hold.amount_fen - from_hold - from_wallet),
        (LedgerAccount.receivable(account), -receivable),
        (LedgerAccount.payable(charge.partner_operator), charge.partner_fen),
        (LedgerAccount.platform(AccountKind.DISCOUNT_EXPENSE), -charge.discount_fen),
    )
    settled = Hold(
        hold.id,
        account,
        hold.amount_fen,
        hold.reference,
        hold.placed_at,
        HoldState.SETTLED,
        at,
        charge,
        from_hold,
        from_wallet,
        receivable,
    )
    return settled, lines


def late_charge(
    hold: Hold, charge: Charge, available_fen: int, at: datetime, new_hold_id: str
) -> tuple[Hold, tuple[Posting, ...]]:
    """Charge a session whose hold was released or expired before its record
    came (ADR 0007): a new hold of nothing, settled at once, so the driver pays
    from the available balance and owes the rest. No postings for nothing."""
    empty = Hold(new_hold_id, hold.account_id, 0, hold.reference, at)
    return settle(empty, charge, available_fen, at)


def top_up_postings(
    account_id: str, amount_fen: int, owed_fen: int
) -> tuple[Posting, ...]:
    """Money in: first pays back what the driver owes, the rest is available."""
    recovered = min(amount_fen, max(owed_fen, 0))
    return postings(
        (LedgerAccount.platform(AccountKind.PAYMENT_CLEARING), -amount_fen),
        (LedgerAccount.receivable(account_id), recovered),
        (LedgerAccount.wallet(account_id), amount_fen - recovered),
    )


class RefundSource(StrEnum):
    PARTNER = "partner"  # the partner gives the money back (we owe them less)
    PLATFORM = "platform"  # goodwill paid by the platform


def refund_postings(
    hold: Hold, amount_fen: int, source: RefundSource
) -> tuple[Posting, ...]:
    if hold.charge is None:
        raise ValueError("only a settled hold can be refunded")
    funder = (
        LedgerAccount.payable(hold.charge.partner_operator)
        if source is RefundSource.PARTNER
        else LedgerAccount.platform(AccountKind.REFUND_EXPENSE)
    )
    return postings(
        (funder, -amount_fen), (LedgerAccount.wallet(hold.account_id), amount_fen)
    )


@dataclass(frozen=True, slots=True)
class Refund:
    """A credit note: money back to the wallet for a settled hold."""

    transfer_id: str
    hold_id: str
    account_id: str
    amount_fen: int
    source: RefundSource
    created_at: datetime

    @property
    def amount(self) -> Money:
        return Money.from_fen(self.amount_fen)
