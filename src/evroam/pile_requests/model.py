"""What a driver asks of a pile besides charging: a reservation, or an unlock.

Help with a cable that will not come out is answered by an operator's unlock.

Both go to the partner as commands whose outcome comes later (OCPI Commands:
a CommandResponse at once, a CommandResult at the response URL); each
request keeps the partner's answer and, when refused, why.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from evroam.pile_requests.errors import InvalidRequestError
from evroam.shared.ids import AccountId, OperatorId, PileId, StationId

MIN_RESERVATION_MINUTES, MAX_RESERVATION_MINUTES = 5, 30
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_request_ref(prefix: str) -> str:
    """``R`` or ``U`` + 17 random characters: the command's id on the wire."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(17))


class Outcome(enum.StrEnum):
    """Where a command stands (OCPI CommandResponse/CommandResult in our words)."""

    REQUESTED = "requested"  # sent; the partner took it, the result is to come
    ACCEPTED = "accepted"  # done at the pile (reserved / unlocked / cancelled)
    REJECTED = "rejected"  # the partner or the pile refused
    TIMEOUT = "timeout"  # no result in time, or the pile did not answer
    FAILED = "failed"  # the partner could not be reached, or failed


class ReservationStatus(enum.StrEnum):
    REQUESTED = "requested"
    RESERVED = "reserved"
    REJECTED = "rejected"
    TIMEOUT = "timeout"
    FAILED = "failed"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def is_open(self) -> bool:
        return self in (self.REQUESTED, self.RESERVED, self.CANCELLING)


@dataclass(frozen=True, slots=True)
class Reservation:
    id: str
    account_id: AccountId
    operator_id: OperatorId
    station_id: StationId
    pile_id: PileId
    minutes: int
    created_at: datetime
    expires_at: datetime
    status: ReservationStatus
    updated_at: datetime
    answer_by: datetime  # when a missing result counts as TIMEOUT
    reason: str | None = None

    def moved(
        self, status: ReservationStatus, at: datetime, reason: str | None = None
    ) -> Reservation:
        return replace(self, status=status, updated_at=at, reason=reason)


def reservation_minutes(minutes: int) -> int:
    if not MIN_RESERVATION_MINUTES <= minutes <= MAX_RESERVATION_MINUTES:
        raise InvalidRequestError(
            "minutes",
            f"a pile is reserved for {MIN_RESERVATION_MINUTES} to "
            f"{MAX_RESERVATION_MINUTES} minutes",
        )
    return minutes


def expiry(now: datetime, minutes: int) -> datetime:
    return now + timedelta(minutes=minutes)


class ReportStatus(enum.StrEnum):
    OPEN = "open"  # the driver asked for help; an operator decides
    UNLOCKING = "unlocking"  # the operator sent UNLOCK_CONNECTOR
    UNLOCKED = "unlocked"
    UNLOCK_FAILED = "unlock_failed"  # refused, failed or timed out: see reason


@dataclass(frozen=True, slots=True)
class CableReport:
    """A driver says the cable is stuck at a pile (the spec lets only an
    operator unlock: a driver could stop someone else's charge)."""

    id: str
    account_id: AccountId
    operator_id: OperatorId
    station_id: StationId
    pile_id: PileId
    connector_id: str
    note: str
    status: ReportStatus
    created_at: datetime
    updated_at: datetime
    answer_by: datetime | None = None
    reason: str | None = None

    def moved(
        self,
        status: ReportStatus,
        at: datetime,
        reason: str | None = None,
        answer_by: datetime | None = None,
    ) -> CableReport:
        return replace(
            self,
            status=status,
            updated_at=at,
            reason=reason,
            answer_by=answer_by or self.answer_by,
        )
