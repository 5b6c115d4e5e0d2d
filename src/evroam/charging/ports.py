"""What charging needs: session storage, the wallet, partners' remote charging."""

from __future__ import annotations

from collections.abc import Sequence
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


class SessionStore(Protocol):
    def add(
        self, session: ChargingSession, idempotency_key: str, fingerprint: str
    ) -> ChargingSession:
        """Store a new session, or return the one already stored under this
        account's key; raise IdempotencyKeyReusedError if its request differed."""
        ...

    def find(self, session_id: SessionId) -> ChargingSession | None: ...

    def update(self, session: ChargingSession) -> None: ...

    def discard_unheld(self, session_id: SessionId) -> None:
        """Forget a session that never got its hold (frees its idempotency key)."""
        ...

    def list_for_account(
        self, account_id: AccountId, limit: int
    ) -> Sequence[ChargingSession]: ...

    def open_created_before(self, cutoff: datetime) -> Sequence[ChargingSession]: ...

    def bill(
        self, session: ChargingSession, receipt: Receipt, charge: BilledCharge
    ) -> bool:
        """Atomically mark the session billed with its receipt and charge record;
        False (and nothing written) when it was billed before."""
        ...

    def find_receipt(self, session_id: SessionId) -> Receipt | None: ...

    def list_receipts(self, account_id: AccountId, limit: int) -> Sequence[Receipt]: ...


class HoldRecord(Protocol):
    @property
    def id(self) -> str: ...


class Wallet(Protocol):
    """The wallet use-cases charging calls (wallet.service.WalletService)."""

    def place_hold(
        self, account_id: str, amount: Money, reference: str, idempotency_key: str
    ) -> HoldRecord: ...

    def settle_hold(
        self,
        hold_id: str,
        partner_amount: Money,
        discount_amount: Money,
        partner_operator: str,
        idempotency_key: str,
    ) -> HoldRecord: ...

    def release_hold(self, hold_id: str, idempotency_key: str) -> HoldRecord: ...

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
