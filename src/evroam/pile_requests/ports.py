"""What pile requests need: storage, and a partner's commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from evroam.partners.model import Partner
from evroam.pile_requests.model import CableReport, Outcome, Reservation
from evroam.shared.ids import AccountId


@dataclass(frozen=True, slots=True)
class PileTarget:
    """A pile in the partner's own ids (OCPI Location id, EVSE uid, connector)."""

    station_external_id: str
    pile_external_uid: str
    connector_id: str | None = None


@dataclass(frozen=True, slots=True)
class CommandAnswer:
    """The partner's synchronous answer: taken (REQUESTED, result to come by
    ``timeout_s``) or refused (REJECTED/FAILED with ``reason``)."""

    outcome: Outcome
    timeout_s: int = 0
    reason: str | None = None


class PileCommands(Protocol):
    """A partner's pile commands (OCPI: RESERVE_NOW, CANCEL_RESERVATION,
    UNLOCK_CONNECTOR); results come back through ``PileRequestService``."""

    async def reserve(
        self,
        partner: Partner,
        pile: PileTarget,
        reservation_id: str,
        account_id: AccountId,
        expires_at: datetime,
    ) -> CommandAnswer: ...

    async def cancel(self, partner: Partner, reservation_id: str) -> CommandAnswer: ...

    async def unlock(
        self, partner: Partner, pile: PileTarget, report_id: str
    ) -> CommandAnswer: ...


class PileRequestStore(Protocol):
    def add_reservation(self, reservation: Reservation) -> None: ...

    def find_reservation(self, reservation_id: str) -> Reservation | None: ...

    def save_reservation(self, reservation: Reservation) -> None: ...

    def reservations_of(
        self, account_id: AccountId, limit: int
    ) -> Sequence[Reservation]: ...

    def open_reservations(self) -> Sequence[Reservation]: ...

    def add_report(self, report: CableReport) -> None: ...

    def find_report(self, report_id: str) -> CableReport | None: ...

    def save_report(self, report: CableReport) -> None: ...

    def list_reports(self, limit: int) -> Sequence[CableReport]: ...
