"""A charging session as the driver follows it, and its receipt."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from evroam.shared.ids import (
    AccountId,
    OperatorId,
    PileId,
    SessionId,
    StationId,
    TariffId,
)
from evroam.shared.message import Message
from evroam.shared.money import Money


class SessionStatus(enum.StrEnum):
    REQUESTED = "requested"  # hold placed, start sent to the partner
    CHARGING = "charging"  # the partner started it
    STOPPING = "stopping"  # the driver asked to stop
    ENDED = "ended"  # the partner ended it; its charge record is due
    BILLED = "billed"  # charged from the hold; receipt issued
    REJECTED = "rejected"  # the partner would not start; hold released
    FAILED = "failed"  # never started in time; hold released
    DISPUTED = "disputed"  # its record was implausible: not billed, disputed
    CLOSED = "closed"  # the driver closed it, its partner silent: hold released

    @property
    def is_open(self) -> bool:
        return self in _OPEN


_OPEN = {SessionStatus.REQUESTED, SessionStatus.CHARGING, SessionStatus.STOPPING}


@dataclass(frozen=True, slots=True)
class ChargingSession:
    id: SessionId
    account_id: AccountId
    operator_id: OperatorId
    station_id: StationId
    pile_id: PileId
    status: SessionStatus
    hold_id: str
    hold_amount: Money
    created_at: datetime
    target_kwh: Decimal | None = None
    target_soc: Decimal | None = None
    target_amount: Money | None = None
    partner_session_id: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    kwh: Decimal = Decimal(0)
    power_kw: Decimal | None = None
    soc: Decimal | None = None
    cost_so_far: Money | None = None
    progress_at: datetime | None = None
    reason: str | None = None  # why it was rejected or failed
    tariff_id: TariffId | None = None  # the station's tariff when it started
    version: int = 0  # bumped by every stored change (compare-and-set)
    start_sent_at: datetime | None = None  # the start command left the outbox
    start_acknowledged_at: datetime | None = None  # the partner took the start
    start_timeout_s: int | None = None  # how long the partner may take to start
    start_attempts: int = 0  # sends of the start command (T/CEC re-sends)
    last_heard_at: datetime | None = None  # the partner's last word on it
    closed_at: datetime | None = None  # the driver closed it (silent partner)


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    kind: str  # electricity | service | parking | idle | discount
    description: str
    amount: Money
    said: Message | None = None  # the description, coded (ADR 0045); None: older


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the driver paid for one session, line by line."""

    id: str
    session_id: SessionId
    account_id: AccountId
    operator_id: OperatorId
    station_id: StationId
    started_at: datetime
    ended_at: datetime
    kwh: Decimal
    lines: tuple[ReceiptLine, ...]
    partner_total: Money  # owed to the partner
    discount_total: Money  # borne by the platform
    driver_total: Money  # charged to the driver
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class BilledCharge:
    """One billed charge record, for settlement with the partner."""

    session_id: SessionId
    operator_id: OperatorId
    partner_record_id: str
    started_at: datetime
    ended_at: datetime
    kwh: Decimal
    electricity: Money
    service: Money
    parking: Money
    partner_total: Money
    discount_total: Money
    partner_reported_total: Money  # what the partner's own record said
    billed_at: datetime


class DisputeReason(enum.StrEnum):
    """Why a partner's charge record is disputed (``ChargeDispute``)."""

    RERATED = "rerated"  # our re-rating and the partner's figure differ > 1 fen
    IMPLAUSIBLE = "implausible"  # the record breaks a physical bound: not billed
    OVERRUN = "overrun"  # the driver's price beyond the hold's overrun cap


@dataclass(frozen=True, slots=True)
class ChargeDispute:
    """A charge record we dispute with its partner, with every figure we hold.

    ``figures`` name each figure (``ours``: our re-rating under the tariff in
    force at the session's start; ``cdr_tariff``: under the tariff the CDR
    carries; ``partner``: the partner's own total), in yuan; ``billed`` is
    what the driver was billed (None: not billed). One dispute per record and
    reason: opening it again changes nothing.
    """

    id: str
    operator_id: OperatorId
    session_id: SessionId
    partner_record_id: str
    reason: DisputeReason
    figures: tuple[tuple[str, Money], ...]
    billed: Money | None
    opened_at: datetime
    detail: str = ""

    def figure(self, name: str) -> Money | None:
        return next((m for n, m in self.figures if n == name), None)
