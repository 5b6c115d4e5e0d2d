"""Time-of-use tariffs: electricity fee + service fee per kWh by period.

Chinese public charging bills two unit prices per kWh: the electricity fee
(passed through from the grid's time-of-use price) and the operator's service
fee. The day is cut into periods (sharp peak, peak, flat, valley); a window may
wrap past midnight (valley 23:00-07:00) and may apply in some months only
(summer and winter sharp peaks). Some operators add an idle fee for keeping
the bay after the charge has finished.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from evroam.shared.ids import TariffId
from evroam.shared.money import DEFAULT_CURRENCY


class PeriodKind(enum.StrEnum):
    SHARP = "sharp"
    PEAK = "peak"
    FLAT = "flat"
    VALLEY = "valley"


@dataclass(frozen=True, slots=True)
class PeriodPrice:
    kind: PeriodKind
    electricity_per_kwh: Decimal
    service_per_kwh: Decimal

    @property
    def total_per_kwh(self) -> Decimal:
        return self.electricity_per_kwh + self.service_per_kwh


@dataclass(frozen=True, slots=True)
class TouWindow:
    """``start`` inclusive, ``end`` exclusive, local time; ``end <= start`` wraps."""

    start: time
    end: time
    kind: PeriodKind
    months: frozenset[int] = frozenset()  # empty: every month

    def covers(self, local: datetime) -> bool:
        if self.months and local.month not in self.months:
            return False
        t = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


@dataclass(frozen=True, slots=True)
class IdleFee:
    """The operator's fee for keeping the bay once charging has finished
    (占位费): every whole minute after ``grace_minutes`` costs ``per_minute``,
    at most ``cap`` for one session (None: no cap). Amounts are in the tariff's
    currency. It is billed on top of any parking fee: one is the car park's,
    the other the charge point operator's."""

    grace_minutes: int
    per_minute: Decimal
    cap: Decimal | None = None

    def __post_init__(self) -> None:
        if self.grace_minutes < 0:
            raise ValueError("idle fee grace minutes must not be negative")
        if not self.per_minute.is_finite() or self.per_minute <= 0:
            raise ValueError("an idle fee costs more than 0 per minute")
        if self.cap is not None and (not self.cap.is_finite() or self.cap <= 0):
            raise ValueError("an idle fee cap must be above 0")

    def billable_minutes(self, idle_minutes: int) -> int:
        """The minutes charged for ``idle_minutes`` at the bay after charging."""
        return max(0, idle_minutes - self.grace_minutes)


@dataclass(frozen=True, slots=True)
class PriceNow:
    kind: PeriodKind
    electricity_per_kwh: Decimal
    service_per_kwh: Decimal
    currency: str
    idle: IdleFee | None = None

    @property
    def total_per_kwh(self) -> Decimal:
        return self.electricity_per_kwh + self.service_per_kwh


@dataclass(frozen=True, slots=True)
class Tariff:
    """Windows are tried in order; the first that covers a moment decides its
    period, and ``default_kind`` holds wherever none does."""

    id: TariffId
    prices: tuple[PeriodPrice, ...]
    windows: tuple[TouWindow, ...]
    default_kind: PeriodKind = PeriodKind.FLAT
    currency: str = DEFAULT_CURRENCY
    idle: IdleFee | None = None

    def __post_init__(self) -> None:
        kinds = {p.kind for p in self.prices}
        needed = {w.kind for w in self.windows} | {self.default_kind}
        if missing := needed - kinds:
            names = ", ".join(sorted(missing))
            raise ValueError(f"tariff {self.id} has no price for period(s) {names}")

    def kind_at(self, local: datetime) -> PeriodKind:
        for window in self.windows:
            if window.covers(local):
                return window.kind
        return self.default_kind

    def price_for(self, kind: PeriodKind) -> PeriodPrice:
        for price in self.prices:
            if price.kind is kind:
                return price
        raise KeyError(kind)  # unreachable: __post_init__ checks coverage

    def price_at(self, moment: datetime, time_zone: str) -> PriceNow:
        """The unit prices in force at ``moment`` (aware) in the station's zone."""
        if moment.tzinfo is None:
            raise ValueError("moment must be timezone-aware")
        local = moment.astimezone(ZoneInfo(time_zone))
        price = self.price_for(self.kind_at(local))
        return PriceNow(
            price.kind,
            price.electricity_per_kwh,
            price.service_per_kwh,
            self.currency,
            self.idle,
        )
