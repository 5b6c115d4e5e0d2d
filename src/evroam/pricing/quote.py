"""Quote or bill a charge under a time-of-use tariff, parking rule and discounts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Protocol
from zoneinfo import ZoneInfo

from evroam.pricing.bill import Bill, BillLine, LineKind
from evroam.pricing.discount import (
    DiscountContext,
    DiscountRule,
    applicable,
    discount_lines,
)
from evroam.pricing.session import ChargeSession, energy_at
from evroam.pricing.tariff import PeriodKind, Tariff
from evroam.shared.money import Money

PARKING_BLOCK = timedelta(minutes=15)
_BLOCKS_PER_HOUR = Decimal(4)


class ParkingRule(Protocol):
    """What pricing reads of a parking rule (``catalogue.model.ParkingRule`` fits)."""

    @property
    def free_minutes(self) -> int: ...
    @property
    def fee_per_hour(self) -> Money: ...
    @property
    def daily_cap(self) -> Money | None: ...


def quote_charge(
    tariff: Tariff,
    parking: ParkingRule,
    session: ChargeSession,
    time_zone: str,
    discounts: Sequence[DiscountRule] = (),
    *,
    context: DiscountContext | None = None,
) -> Bill:
    """Price ``session`` line by line.

    Energy is split across time-of-use periods along the session's energy
    timeline; each period gives an electricity and a service line. Parking is
    billed per started 15 minutes after the free minutes, capped per local day.
    The tariff's idle fee, if any, is billed per whole minute after its grace
    minutes over the same time at the bay, capped per session.
    ``discounts`` are taken as already matched unless ``context`` is given, in
    which case only the rules that apply to it count.
    """
    zone = ZoneInfo(time_zone)
    lines = [
        *energy_lines(tariff, session, zone),
        *parking_lines(parking, session, zone),
        *idle_lines(tariff, session),
    ]
    rules = applicable(discounts, context) if context is not None else discounts
    lines += discount_lines(lines, rules, tariff.currency)
    return Bill.of(lines, session.total_kwh, tariff.currency)


def energy_by_period(
    tariff: Tariff, session: ChargeSession, zone: ZoneInfo
) -> dict[PeriodKind, Decimal]:
    """kWh per time-of-use period, in the order the periods were first used."""
    timeline = session.timeline()
    cuts = sorted(
        {s.at for s in timeline} | set(_tou_boundaries(tariff, session, zone))
    )
    if len(cuts) == 1:  # a charge of no duration: one point in time
        cuts.append(cuts[0])
    by_kind: dict[PeriodKind, Decimal] = {}
    previous = Decimal(0)  # a first sample above 0 kWh belongs to the first period
    for start, end in pairwise(cuts):
        current = energy_at(timeline, end)
        kind = tariff.kind_at(start.astimezone(zone))
        by_kind[kind] = by_kind.get(kind, Decimal(0)) + (current - previous)
        previous = current
    return by_kind


def energy_lines(
    tariff: Tariff, session: ChargeSession, zone: ZoneInfo
) -> list[BillLine]:
    lines: list[BillLine] = []
    for kind, kwh in energy_by_period(tariff, session, zone).items():
        if kwh == 0:
            continue
        price = tariff.price_for(kind)
        for line_kind, unit_price in (
            (LineKind.ELECTRICITY, price.electricity_per_kwh),
            (LineKind.SERVICE, price.service_per_kwh),
        ):
            amount = Money(kwh * unit_price, tariff.currency)
            lines.append(
                BillLine(line_kind, kind.value, kwh, "kWh", unit_price, amount)
            )
    return lines


def _tou_boundaries(
    tariff: Tariff, session: ChargeSession, zone: ZoneInfo
) -> Iterator[datetime]:
    """Moments inside the session where the period may change: every window
    edge and local midnight (months change there) on each local day touched."""
    first = session.started_at.astimezone(zone).date() - timedelta(days=1)
    last = session.ended_at.astimezone(zone).date() + timedelta(days=1)
    edges = {w.start for w in tariff.windows} | {w.end for w in tariff.windows}
    day = first
    while day <= last:
        for edge in (datetime.min.time(), *edges):
            moment = datetime.combine(day, edge, tzinfo=zone).astimezone(UTC)
            if session.started_at < moment < session.ended_at:
                yield moment
        day += timedelta(days=1)


def parking_lines(
    parking: ParkingRule, session: ChargeSession, zone: ZoneInfo
) -> list[BillLine]:
    """Started 15-minute blocks after the free minutes, each billed on the local
    day it starts in; a day's fee never exceeds ``daily_cap``."""
    fee = parking.fee_per_hour
    if fee.amount == 0 or session.parking_minutes <= parking.free_minutes:
        return []
    blocks = _blocks_by_day(session, parking.free_minutes, zone)
    lines = []
    for day, count in blocks.items():
        hours = Decimal(count) / _BLOCKS_PER_HOUR
        amount = Money(hours * fee.amount, fee.currency)
        note = ""
        if parking.daily_cap is not None and amount > parking.daily_cap:
            amount, note = parking.daily_cap, f"capped at {parking.daily_cap} a day"
        lines.append(
            BillLine(
                LineKind.PARKING, day.isoformat(), hours, "h", fee.amount, amount, note
            )
        )
    return lines


def idle_lines(tariff: Tariff, session: ChargeSession) -> list[BillLine]:
    """The idle fee over the minutes at the bay after charging (none without one)."""
    idle = tariff.idle
    if idle is None:
        return []
    minutes = idle.billable_minutes(session.parking_minutes)
    if minutes == 0:
        return []
    amount = Money(minutes * idle.per_minute, tariff.currency)
    note = f"after {idle.grace_minutes} free minutes"
    if idle.cap is not None and amount.amount > idle.cap:
        cap = Money(idle.cap, tariff.currency)
        amount, note = cap, f"{note}, capped at {cap} a session"
    return [
        BillLine(
            LineKind.IDLE,
            "after charging",
            Decimal(minutes),
            "min",
            idle.per_minute,
            amount,
            note,
        )
    ]


def _blocks_by_day(
    session: ChargeSession, free_minutes: int, zone: ZoneInfo
) -> dict[date, int]:
    start = session.ended_at + timedelta(minutes=free_minutes)
    end = session.parked_until
    blocks: dict[date, int] = {}
    moment = start
    while moment < end:
        day = moment.astimezone(zone).date()
        blocks[day] = blocks.get(day, 0) + 1
        moment += PARKING_BLOCK
    return blocks
