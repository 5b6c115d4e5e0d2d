"""Settlement periods, statements and reconciliations (pure values)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from evroam.shared.errors import InvalidInputError
from evroam.shared.ids import OperatorId
from evroam.shared.money import Money

STATION_TIME_ZONE = ZoneInfo("Asia/Shanghai")
"""Periods are calendar months where the stations are (China Standard Time)."""

_PERIOD = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar month in the station time zone, e.g. ``Period.parse("2026-10")``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and 2000 <= self.year <= 9998):
            month = f"{self.year}-{self.month}"
            raise InvalidInputError("period", f"no such month: {month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.fullmatch(text.strip())
        if match is None:
            raise InvalidInputError("period", f"{text!r} is not a month like 2026-10")
        return cls(int(match[1]), int(match[2]))

    @property
    def starts_at(self) -> datetime:
        """First instant of the month, in UTC (inclusive)."""
        return _utc_midnight(self.year, self.month)

    @property
    def ends_at(self) -> datetime:
        """First instant of the next month, in UTC (exclusive)."""
        if self.month == 12:
            return _utc_midnight(self.year + 1, 1)
        return _utc_midnight(self.year, self.month + 1)

    def contains(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _utc_midnight(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=STATION_TIME_ZONE).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class PeriodTotals:
    """Sums over our billed charge records of one partner and period."""

    sessions: int
    kwh: Decimal
    electricity: Money
    service: Money
    parking: Money
    partner_total: Money  # what we owe the partner
    discounts: Money  # borne by the platform
    partner_reported: Money  # what the partner's records said, as received

    @classmethod
    def empty(cls) -> PeriodTotals:
        zero = Money.zero()
        return cls(0, Decimal(0), zero, zero, zero, zero, zero, zero)


@dataclass(frozen=True, slots=True)
class Statement:
    """What we owe one partner for one period."""

    partner_id: OperatorId
    period: Period
    sessions: int
    kwh: Decimal
    electricity: Money
    service: Money
    parking: Money
    amount_owed: Money  # = the partner totals of the records
    discounts: Money  # brand discounts, borne by the platform, not the partner
    generated_at: datetime


@dataclass(frozen=True, slots=True)
class OurRecord:
    """One of our billed charge records, as reconciliation needs it."""

    session_id: str
    partner_record_id: str
    kwh: Decimal
    amount: Money  # partner total: what we owe for it


class RecordKey(enum.StrEnum):
    """Which of our ids a partner's records carry."""

    PARTNER_RECORD_ID = "partner_record_id"  # OCPI: the CDR id
    SESSION_REF = "session_ref"  # T/CEC: the ref inside StartChargeSeq


@dataclass(frozen=True, slots=True)
class PartnerRecord:
    """One record as the partner holds it."""

    record_id: str
    kwh: Decimal
    amount: Money


@dataclass(frozen=True, slots=True)
class PartnerLedger:
    """The partner's records of a period, and which of our ids they name."""

    key: RecordKey
    records: tuple[PartnerRecord, ...]


class DisputeKind(enum.StrEnum):
    MISSING_OURS = "missing_ours"  # the partner has it, we do not
    MISSING_THEIRS = "missing_theirs"  # we have it, the partner does not
    AMOUNT = "amount"  # money differs (to the fen)
    ENERGY = "energy"  # kWh differs (to 0.01 kWh)
    RERATED = "rerated"  # our re-rating and the partner's figure differ (ADR 0023)
    IMPLAUSIBLE = "implausible"  # a record we refused to bill
    OVERRUN = "overrun"  # the driver's price above the hold's overrun cap


@dataclass(frozen=True, slots=True)
class Dispute:
    """A record the two sides disagree on.

    Values are yuan for ``amount`` and the missing kinds, kWh for ``energy``;
    the absent side is ``None``.
    """

    partner_record_id: str
    reason: DisputeKind
    our_value: Decimal | None
    their_value: Decimal | None


@dataclass(frozen=True, slots=True)
class SideTotals:
    """Count, energy and money of one side's records."""

    count: int
    kwh: Decimal
    amount: Money


@dataclass(frozen=True, slots=True)
class Reconciliation:
    statement: Statement
    ours: SideTotals
    theirs: SideTotals
    disputes: tuple[Dispute, ...]

    @property
    def is_reconciled(self) -> bool:
        return not self.disputes and self.ours == self.theirs


__all__ = [
    "STATION_TIME_ZONE",
    "Dispute",
    "DisputeKind",
    "OurRecord",
    "PartnerLedger",
    "PartnerRecord",
    "Period",
    "PeriodTotals",
    "Reconciliation",
    "RecordKey",
    "SideTotals",
    "Statement",
]
