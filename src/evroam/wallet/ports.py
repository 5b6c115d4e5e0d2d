"""What the wallet needs from storage and from a payment provider."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from evroam.shared.money import Money
from evroam.wallet.ledger import Hold, LedgerAccount, Transfer


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    """A provider's record of money the driver is about to pay in."""

    id: str
    account_id: str
    amount_fen: int
    confirm_url: str


@dataclass(frozen=True, slots=True)
class PaymentConfirmed:
    """A verified provider event: the intent's money has arrived."""

    event_id: str
    intent_id: str
    amount_fen: int


class TopUpState(StrEnum):
    PENDING = "pending"  # waiting for the provider's confirmed webhook
    CREDITED = "credited"


@dataclass(frozen=True, slots=True)
class TopUp:
    intent_id: str
    account_id: str
    amount_fen: int
    confirm_url: str
    state: TopUpState
    created_at: datetime
    transfer_id: str | None = None

    @property
    def amount(self) -> Money:
        return Money.from_fen(self.amount_fen)


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """A money-moving call's key, request fingerprint and stored response."""

    scope: str
    key: str
    fingerprint: str
    response: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One transfer as seen from a driver: deltas of available, held and owed."""

    seq: int
    transfer: Transfer
    account_id: str

    @property
    def available_fen(self) -> int:
        return self.transfer.amount_for(LedgerAccount.wallet(self.account_id))

    @property
    def held_fen(self) -> int:
        return self.transfer.amount_for(LedgerAccount.holds(self.account_id))

    @property
    def owed_fen(self) -> int:
        return -self.transfer.amount_for(LedgerAccount.receivable(self.account_id))


@dataclass(frozen=True, slots=True)
class TrialBalance:
    """Cached balances next to the balances replayed from every posting."""

    cached_fen: Mapping[str, int]
    replayed_fen: Mapping[str, int]
    transfer_count: int

    @property
    def is_consistent(self) -> bool:
        keys = set(self.cached_fen) | set(self.replayed_fen)
        return all(
            self.cached_fen.get(k, 0) == self.replayed_fen.get(k, 0) for k in keys
        )

    @property
    def total_fen(self) -> int:
        return sum(self.cached_fen.values())


class LedgerUnitOfWork(Protocol):
    """One atomic unit: everything done through it commits together or not at all.

    Call order inside a unit (it keeps lock order deadlock-free): claim the
    idempotency key, lock the driver's wallet, then read and write.
    """

    def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """Reserve ``(scope, key)``; return the stored record if it exists."""
        ...

    def store_response(
        self, scope: str, key: str, response: Mapping[str, Any]
    ) -> None: ...

    def open_wallet(self, account_id: str) -> bool:
        """Create the driver's accounts; False when they already exist."""
        ...

    def lock_wallet(self, account_id: str) -> bool:
        """Lock the driver's accounts until commit; False when there is no wallet."""
        ...

    def balance_fen(self, account: LedgerAccount) -> int: ...

    def append(self, transfer: Transfer) -> None:
        """Store the transfer and move cached balances.

        Raises ``InsufficientFunds`` when a never-negative account would go
        below zero (checked by the store itself, not only by the caller).
        """
        ...

    def add_hold(self, hold: Hold) -> None: ...

    def find_hold(self, hold_id: str) -> Hold | None: ...

    def resolve_hold(self, hold: Hold) -> bool:
        """Save a settled/released hold only if it is still pending."""
        ...

    def add_refund(self, hold_id: str, amount_fen: int) -> bool:
        """Count a refund against the hold unless it would exceed what was paid."""
        ...

    def pending_holds_placed_before(
        self, cutoff: datetime, limit: int
    ) -> list[Hold]: ...

    def add_top_up(self, top_up: TopUp) -> None: ...

    def find_top_up(self, intent_id: str) -> TopUp | None: ...

    def mark_credited(self, intent_id: str, transfer_id: str) -> bool:
        """Mark a pending top-up credited; False if it was credited before."""
        ...

    def record_event(self, event_id: str, at: datetime) -> bool:
        """Remember a provider event id; False when it was seen before."""
        ...

    def commit(self) -> None: ...


class LedgerStore(Protocol):
    def unit_of_work(self) -> AbstractContextManager[LedgerUnitOfWork]:
        """A writing unit of work; leaving it without ``commit()`` rolls back."""
        ...

    def wallet_balances(self, account_id: str) -> Mapping[LedgerAccount, int] | None:
        """The driver's cached balances by account, or None without a wallet."""
        ...

    def lines(
        self, account_id: str, limit: int, before_seq: int | None
    ) -> Sequence[LedgerLine]:
        """Transfers touching the driver, newest first, older than ``before_seq``."""
        ...

    def get_hold(self, hold_id: str) -> Hold | None: ...

    def trial_balance(self) -> TrialBalance: ...

    def transfers(self) -> Sequence[Transfer]:
        """Every transfer in order (audits and tests)."""
        ...


class PaymentProvider(Protocol):
    """A payment service that takes the driver's money and tells us by webhook."""

    def create_top_up(
        self, account_id: str, amount: Money, idempotency_key: str
    ) -> PaymentIntent:
        """Same key → the same intent (the provider deduplicates too)."""
        ...

    def verify_webhook(
        self, raw_body: bytes, signature_header: str
    ) -> PaymentConfirmed:
        """Check the signature and parse; raises ``WebhookSignatureError``."""
        ...
