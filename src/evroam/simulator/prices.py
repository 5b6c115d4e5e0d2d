"""The simulated operator's own price list and its own arithmetic (ADR 0038).

A real charge point operator bills with its own software, not the hub's. So
does a simulated one: this module is its small billing engine, for its own
terms only, written apart from ``evroam.pricing`` on purpose. When it and the
hub disagree, the hub's re-rating of every record (ADR 0023) shows a dispute,
as it would with a real partner.

The operator's terms:

- energy: per time-of-use period (sharp, peak, flat, valley) an electricity fee
  and a service fee per kWh; a window of the day may wrap midnight and may hold
  in some months only; the first window that covers a moment decides, else the
  default period;
- car park (the station's): after ``free_minutes`` at the bay, every started
  quarter hour at ``per_hour`` / 4, the fee of one local day at most
  ``daily_cap``;
- idle fee (the operator's): every whole minute plugged in after charging, past
  ``grace_minutes``, at ``per_minute``, at most ``cap`` a session.

Each amount is rounded half up to the fen once (a car park day is one amount).

The price list is read from the scenario's generated tariffs and parking rules
by their attribute names only (``price_list_of``, ``car_park_of``): the
simulator keeps its own model of them and imports nothing of the hub.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from evroam.shared.money import Money

QUARTER_HOUR_S = 900
_HOUR_S = Decimal(3600)


@dataclass(frozen=True, slots=True)
class UnitPrices:
    """What one kWh costs in one period: electricity fee and service fee."""

    electricity_per_kwh: Decimal
    service_per_kwh: Decimal


@dataclass(frozen=True, slots=True)
class Window:
    """``start`` inclusive, ``end`` exclusive, local time; ``end <= start``
    wraps midnight; ``months`` empty: every month."""

    start: time
    end: time
    period: str
    months: frozenset[int] = frozenset()

    def covers(self, local: datetime) -> bool:
        if self.months and local.month not in self.months:
            return False
        t = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


@dataclass(frozen=True, slots=True)
class IdleTerms:
    """The operator's fee for a bay kept after charging."""

    grace_minutes: int
    per_minute: Decimal
    cap: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CarPark:
    """The station's car park fee for the time plugged in after charging."""

    free_minutes: int
    per_hour: Decimal
    daily_cap: Decimal | None = None


NO_CAR_PARK_FEE = CarPark(0, Decimal(0))


@dataclass(frozen=True, slots=True)
class PriceList:
    """One tariff of the operator: unit prices by period, the day's windows."""

    prices: Mapping[str, UnitPrices]
    windows: tuple[Window, ...]
    default_period: str
    idle: IdleTerms | None = None
    currency: str = field(default="CNY")

    def period_at(self, local: datetime) -> str:
        for window in self.windows:
            if window.covers(local):
                return window.period
        return self.default_period

    def prices_for(self, period: str) -> UnitPrices:
        return self.prices[period]

    def next_change(self, local: datetime) -> datetime:
        """The first moment after ``local`` (aware, station zone) where the
        period may change: a window edge or midnight (month-limited windows)."""
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        edges = {w.start for w in self.windows} | {w.end for w in self.windows}
        candidates = [
            datetime.combine((day + timedelta(days=d)).date(), t, local.tzinfo)
            for d in (0, 1)
            for t in edges
        ]
        candidates.append(day + timedelta(days=1))
        return min(c for c in candidates if c > local)


def _name(kind: Any) -> str:
    return str(getattr(kind, "value", kind))


def price_list_of(published: Any) -> PriceList:
    """The operator's own price list of a generated (published) tariff, read by
    attribute: ``prices`` (kind, electricity_per_kwh, service_per_kwh),
    ``windows`` (start, end, kind, months), ``default_kind``, ``idle``
    (grace_minutes, per_minute, cap) and ``currency``."""
    idle = published.idle
    return PriceList(
        prices={
            _name(p.kind): UnitPrices(p.electricity_per_kwh, p.service_per_kwh)
            for p in published.prices
        },
        windows=tuple(
            Window(w.start, w.end, _name(w.kind), frozenset(w.months))
            for w in published.windows
        ),
        default_period=_name(published.default_kind),
        idle=None
        if idle is None
        else IdleTerms(idle.grace_minutes, idle.per_minute, idle.cap),
        currency=published.currency,
    )


def car_park_of(rule: Any) -> CarPark:
    """The car park fee of a generated station's parking rule, read by attribute
    (``free_minutes``, ``fee_per_hour`` and ``daily_cap``, amounts of money)."""
    cap = rule.daily_cap
    return CarPark(
        rule.free_minutes,
        rule.fee_per_hour.amount,
        None if cap is None else cap.amount,
    )


def _fen(amount: Decimal) -> Decimal:
    return Money.of(amount).amount


def _local_midnights(start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    cuts = []
    day = start.astimezone(zone).date() + timedelta(days=1)
    while (midnight := datetime.combine(day, time(0), zone)) < end:
        if midnight > start:
            cuts.append(midnight)
        day += timedelta(days=1)
    return cuts


def car_park_fee(
    car_park: CarPark, charged_until: datetime, unplugged_at: datetime, zone: ZoneInfo
) -> Decimal:
    """The car park's fee for the whole minutes plugged in after charging: the
    free minutes first, then the rest by local day, rounded up to a started
    quarter hour at the end, each day's amount capped and rounded to the fen."""
    if car_park.per_hour <= 0:
        return Decimal(0)
    minutes = max(0, int((unplugged_at - charged_until).total_seconds() // 60))
    parked_until = charged_until + timedelta(minutes=minutes)
    edges = [charged_until, *_local_midnights(charged_until, parked_until, zone)]
    free = car_park.free_minutes * 60
    days: list[int] = []
    for start, end in zip(edges, [*edges[1:], parked_until], strict=True):
        seconds = int((end - start).total_seconds())
        taken = min(seconds, free)
        free -= taken
        days.append(seconds - taken)
    billed = sum(days)
    if billed % QUARTER_HOUR_S:
        days[-1] += QUARTER_HOUR_S - billed % QUARTER_HOUR_S
    total = Decimal(0)
    for seconds in days:
        if seconds <= 0:
            continue
        amount = Decimal(seconds) * car_park.per_hour / _HOUR_S
        if car_park.daily_cap is not None:
            amount = min(amount, car_park.daily_cap)
        total += _fen(amount)
    return total


def idle_fee(
    idle: IdleTerms | None, charged_until: datetime, unplugged_at: datetime
) -> Decimal:
    """The operator's idle fee: whole minutes after charging past the grace."""
    if idle is None:
        return Decimal(0)
    minutes = max(0, int((unplugged_at - charged_until).total_seconds() // 60))
    amount = max(0, minutes - idle.grace_minutes) * idle.per_minute
    if idle.cap is not None:
        amount = min(amount, idle.cap)
    return _fen(amount)
