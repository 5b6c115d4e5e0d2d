"""What charging needs: session storage, the wallet, partners' remote charging."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from evroam.charging.model import (
    BilledCharge,
    ChargeDispute,
    ChargingSession,
    DisputeReason,
    Receipt,
)
from evroam.shared.ids import AccountId, OperatorId, SessionId
from evroam.shared.money import Money
from evroam.wallet.ledger import Refund, RefundSource
from evroam.wallet.ports import LedgerUnitOfWork


class SessionTransaction(Protocol):
    """One unit of work over sessions and the wallet's ledger: everything done
    through it commits together or not at all (ADR 0018)."""

    @property
    def ledger(self) -> LedgerUnitOfWork:
        """The wallet's unit of work in the same database transaction."""
        ...

    def save(self, session: ChargingSession) -> bool:
        """Store ``session`` if the stored one is still at ``session.version - 1``
        (compare-and-set); False, writing nothing, when another change came first."""
        ...

    def add_receipt(self, receipt: Receipt, charge: BilledCharge) -> None: ...

    def open_dispute(self, dispute: ChargeDispute) -> None:
        """Open ``dispute`` with the rest of the unit (one per record and reason:
        a record judged once opens each of its disputes once)."""
        ...

    def commit(self) -> None: ...


class SessionStore(Protocol):
    def add(
        self, session: ChargingSession, idempotency_key: str, fingerprint: str
    ) -> ChargingSession:
        """Store a new session, or return the one already stored under this
        account's key; raise IdempotencyKeyReusedError if its request differed."""
        ...

    def find_by_key(
        self, account_id: AccountId, idempotency_key: str
    ) -> tuple[ChargingSession, str] | None:
        """The session stored under the account's key, with its request's
        fingerprint."""
        ...

    def find(self, session_id: SessionId) -> ChargingSession | None: ...

    def transaction(self) -> AbstractContextManager[SessionTransaction]:
        """A writing unit of work; leaving it without ``commit()`` rolls back."""
        ...

    def discard_unheld(self, session_id: SessionId) -> None:
        """Forget a session that never got its hold (frees its idempotency key)."""
        ...

    def list_for_account(
        self, account_id: AccountId, limit: int
    ) -> Sequence[ChargingSession]: ...

    def list_requested(self, limit: int) -> Sequence[ChargingSession]:
        """Sessions waiting for their start (the start command's outbox), oldest
        first."""
        ...

    def list_silent(
        self, heard_before: datetime, limit: int
    ) -> Sequence[ChargingSession]:
        """Sessions waiting on their partner (charging, stopping, ended without
        a record) that it last spoke of at or before ``heard_before`` (its last word,
        else the start), longest silent first (``charging.silence``)."""
        ...

    def find_receipt(self, session_id: SessionId) -> Receipt | None: ...

    def list_receipts(self, account_id: AccountId, limit: int) -> Sequence[Receipt]: ...

    def list_disputes(self, session_id: SessionId) -> Sequence[ChargeDispute]: ...


class HoldRecord(Protocol):
    @property
    def id(self) -> str: ...


class Wallet(Protocol):
    """The wallet use-cases charging calls (wallet.service.WalletService)."""

    def place_hold(
        self, account_id: str, amount: Money, reference: str, idempotency_key: str
    ) -> HoldRecord: ...

    def settle_within(
        self,
        uow: LedgerUnitOfWork,
        hold_id: str,
        partner_amount: Money,
        discount_amount: Money,
        partner_operator: str,
        idempotency_key: str,
    ) -> HoldRecord: ...

    def release_within(
        self, uow: LedgerUnitOfWork, hold_id: str, idempotency_key: str
    ) -> HoldRecord: ...

    def refund(
        self, hold_id: str, amount: Money, source: RefundSource, idempotency_key: str
    ) -> Refund: ...


class DisputeStore(Protocol):
    """Disputed charge records (table ``disputes``), for every worker."""

    def open(self, dispute: ChargeDispute) -> ChargeDispute:
        """Store ``dispute``, or return the one already held for its partner,
        record and reason (opening twice keeps the first)."""
        ...

    def find(
        self, operator_id: OperatorId, partner_record_id: str, reason: DisputeReason
    ) -> ChargeDispute | None: ...

    def list(
        self,
        operator_id: OperatorId | None = None,
        opened_from: datetime | None = None,
        opened_before: datetime | None = None,
        limit: int = 500,
    ) -> Sequence[ChargeDispute]:
        """Newest first; optionally one partner's, opened in [from, before)."""
        ...
