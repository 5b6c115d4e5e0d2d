"""One simulated charge: energy by a curve, the time at the bay after, its record.

A car takes the pile's power, capped by a simple curve (full power to 80 % SoC,
then tapering to 10 % at full), its energy split where the tariff changes
period. Once full it stays plugged in until its driver comes back. The record
prices the energy at each period's rates and the time plugged in after
charging with the station's car park fee and the tariff's idle fee, with the
operator's own price list and arithmetic (``simulator.prices``, not the hub's
pricing): the hub re-rates the record with its own engine, and a disagreement
is a dispute (ADR 0038).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from evroam.shared.money import Money
from evroam.simulator.prices import (
    NO_CAR_PARK_FEE,
    CarPark,
    PriceList,
    car_park_fee,
    idle_fee,
)

KWH = Decimal("0.01")
TAPER_FROM_SOC = 0.8
MIN_POWER_SHARE = 0.1


class StopCause(enum.Enum):
    REQUESTED = "requested"
    FULL = "battery full"  # charged to full, then the driver came back and unplugged


def charge_power_kw(max_power_kw: float, soc: float) -> float:
    """Full power up to 80 % SoC, then tapering linearly to 10 % of it at 100 %."""
    if soc < TAPER_FROM_SOC:
        return max_power_kw
    share = (1.0 - soc) / (1.0 - TAPER_FROM_SOC)
    return max_power_kw * max(MIN_POWER_SHARE, share)


def next_price_change(tariff: PriceList, local: datetime) -> datetime:
    """The first moment after ``local`` (aware, station zone) where the tariff's
    period may change: a window edge or midnight (month-limited windows)."""
    return tariff.next_change(local)


@dataclass(slots=True)
class Period:
    """Energy under one time-of-use period (mutable while the session runs)."""

    started_at: datetime
    ended_at: datetime
    kind: str  # the price list's period name (sharp, peak, flat, valley)
    kwh: float = 0.0


@dataclass(frozen=True, slots=True)
class PricedPeriod:
    started_at: datetime
    ended_at: datetime
    kwh: Decimal
    electricity_per_kwh: Decimal
    service_per_kwh: Decimal
    electricity_money: Decimal
    service_money: Decimal


@dataclass(frozen=True, slots=True)
class SentRecord:
    """A charge record the simulator sent (kept for reconciliation).

    ``ended_at`` is when the car was unplugged; charging ended with the last
    period. ``parking_money`` (the car park's fee) and ``idle_money`` (the
    tariff's idle fee) are for the time plugged in between; ``total_money`` is
    the sum of the four amounts.
    """

    ref: str
    record_id: str
    session_id: str
    pile: str
    started_at: datetime
    ended_at: datetime
    kwh: Decimal
    periods: tuple[PricedPeriod, ...]
    electricity_money: Decimal
    service_money: Decimal
    parking_money: Decimal
    idle_money: Decimal
    total_money: Decimal
    stop_cause: StopCause

    @property
    def charged_until(self) -> datetime:
        """When energy stopped flowing: the end of the last period."""
        return max((p.ended_at for p in self.periods), default=self.ended_at)

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "record_id": self.record_id,
            "session_id": self.session_id,
            "pile": self.pile,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat(),
            "kwh": str(self.kwh),
            "electricity_money": str(self.electricity_money),
            "service_money": str(self.service_money),
            "parking_money": str(self.parking_money),
            "idle_money": str(self.idle_money),
            "total_money": str(self.total_money),
            "stop_cause": self.stop_cause.value,
            "periods": [
                {
                    "started_at": p.started_at.isoformat(),
                    "ended_at": p.ended_at.isoformat(),
                    "kwh": str(p.kwh),
                    "electricity_per_kwh": str(p.electricity_per_kwh),
                    "service_per_kwh": str(p.service_per_kwh),
                }
                for p in self.periods
            ],
        }


def whole_second(moment: datetime) -> datetime:
    """``moment`` cut to the second: T/CEC times carry no fraction."""
    return moment.replace(microsecond=0)


def price_periods(tariff: PriceList, periods: list[Period]) -> tuple[PricedPeriod, ...]:
    """Each period's kWh (to 0.01) at its period's prices; each money line is
    rounded half up to the fen once (``Money``). Times are cut to the second, so
    every protocol carries them exactly."""
    priced = []
    for period in periods:
        price = tariff.prices_for(period.kind)
        kwh = Decimal(repr(period.kwh)).quantize(KWH)
        priced.append(
            PricedPeriod(
                whole_second(period.started_at),
                whole_second(period.ended_at),
                kwh,
                price.electricity_per_kwh,
                price.service_per_kwh,
                Money.of(kwh * price.electricity_per_kwh).amount,
                Money.of(kwh * price.service_per_kwh).amount,
            )
        )
    return tuple(priced)


@dataclass(slots=True)
class Charge:
    """One running session. ``context`` holds protocol data (response URLs ...).

    ``full_at`` is when the battery became full (None: still charging); the
    driver comes back ``linger_s`` later. ``tariff`` is the operator's price
    list, ``parking`` the station's car park fee.
    """

    ref: str
    session_id: str
    pile: str
    tariff: PriceList
    zone: ZoneInfo
    max_power_kw: float
    battery_kwh: float
    soc: float
    started_at: datetime
    now: datetime
    periods: list[Period] = field(default_factory=list)
    stop_cause: StopCause | None = None
    context: dict[str, Any] = field(default_factory=dict)
    parking: CarPark = NO_CAR_PARK_FEE
    linger_s: float = 0.0
    full_at: datetime | None = None

    @property
    def kwh(self) -> float:
        return sum(p.kwh for p in self.periods)

    @property
    def power_kw(self) -> float:
        if self.full_at is not None:
            return 0.0
        return charge_power_kw(self.max_power_kw, self.soc)

    @property
    def is_full(self) -> bool:
        return self.full_at is not None

    @property
    def leaves_at(self) -> datetime | None:
        """When the driver unplugs the full car (None: not full yet)."""
        if self.full_at is None:
            return None
        return self.full_at + timedelta(seconds=self.linger_s)

    @property
    def has_left(self) -> bool:
        return self.leaves_at is not None and self.now >= self.leaves_at

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass: charge, splitting at price
        changes, until the battery is full; then stay plugged in until the driver
        comes back (time stops there)."""
        end = self.now + timedelta(seconds=seconds)
        while self.now < end and self.full_at is None:
            local = self.now.astimezone(self.zone)
            step_end = min(end, next_price_change(self.tariff, local))
            hours = (step_end - self.now).total_seconds() / 3600
            room = (1.0 - self.soc) * self.battery_kwh
            power_kw = self.power_kw
            energy = power_kw * hours
            if energy >= room:  # full within this step: energy stops there
                energy = max(room, 0.0)
                to_full = timedelta(hours=energy / power_kw) if energy else timedelta()
                step_end = min(step_end, self.now + to_full)
                self.full_at = step_end
            self.period_at(self.tariff.period_at(local)).kwh += energy
            self.soc = 1.0 if self.is_full else self.soc + energy / self.battery_kwh
            self.now = step_end
            self.periods[-1].ended_at = step_end
        leaves_at = self.leaves_at
        self.now = end if leaves_at is None else max(self.now, min(end, leaves_at))

    def period_at(self, kind: str) -> Period:
        if not self.periods or self.periods[-1].kind != kind:
            self.periods.append(Period(self.now, self.now, kind))
        return self.periods[-1]


def charge_record(charge: Charge) -> SentRecord:
    """The record of ``charge`` if it ended now: the energy at time-of-use prices,
    then the car park and idle fees of the whole minutes plugged in after
    charging (``simulator.prices``: the operator's own terms). Times are whole
    seconds, so both protocols carry them exactly."""
    periods = price_periods(charge.tariff, charge.periods)
    ended_at = whole_second(charge.now)
    charged_until = max((p.ended_at for p in periods), default=ended_at)
    electricity = sum((p.electricity_money for p in periods), Decimal(0))
    service = sum((p.service_money for p in periods), Decimal(0))
    parking = car_park_fee(charge.parking, charged_until, ended_at, charge.zone)
    idle = idle_fee(charge.tariff.idle, charged_until, ended_at)
    return SentRecord(
        ref=charge.ref,
        record_id=f"CDR-{charge.session_id}"[-36:],
        session_id=charge.session_id,
        pile=charge.pile,
        started_at=whole_second(charge.started_at),
        ended_at=ended_at,
        kwh=sum((p.kwh for p in periods), Decimal(0)),
        periods=periods,
        electricity_money=electricity,
        service_money=service,
        parking_money=parking,
        idle_money=idle,
        total_money=electricity + service + parking + idle,
        stop_cause=charge.stop_cause or StopCause.REQUESTED,
    )
