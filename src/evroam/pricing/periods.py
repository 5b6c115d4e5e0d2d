"""Charging periods of a charge session, cut where an OCPI tariff may change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from evroam.pricing.elements import ElementTariff, MeteredPeriod
from evroam.pricing.engine import ElementBill, price_cdr_periods
from evroam.pricing.session import (
    ChargeSession,
    energy_at,
    moment_of_energy,
    seconds_between,
)


def periods_from_session(
    tariff: ElementTariff, session: ChargeSession, time_zone: str
) -> tuple[MeteredPeriod, ...]:
    """Charging periods, then parking periods, cut at every energy sample and
    wherever one of ``tariff``'s restrictions may start or stop holding (local
    times, local midnights, session durations, kWh so far). A period's power is
    its average power; current is not known, so current restrictions never match.
    """
    zone = ZoneInfo(time_zone)
    timeline = session.timeline()
    edges = _edges(tariff)
    cuts = _cuts(session, session.started_at, session.ended_at, edges, zone)
    cuts |= {s.at for s in timeline}
    cuts |= {
        m for kwh in edges[2] if (m := moment_of_energy(timeline, kwh)) is not None
    }
    charging = sorted(c for c in cuts if session.started_at <= c < session.ended_at)
    periods = []
    before = Decimal(0)
    ends = [*charging[1:], session.ended_at] if charging else []
    for start, end in zip(charging, ends, strict=True):
        after = energy_at(timeline, end)
        periods.append(_charging(start, end, after - before))
        before = after
    if not periods:  # a charge of no duration
        periods.append(MeteredPeriod(session.started_at, energy_kwh=session.total_kwh))
    parking = sorted(
        _cuts(session, session.ended_at, session.parked_until, edges, zone)
    )
    for start, end in pairwise(parking):
        periods.append(MeteredPeriod(start, parking_s=seconds_between(start, end)))
    return tuple(periods)


def price_session(
    tariff: ElementTariff, session: ChargeSession, time_zone: str
) -> ElementBill:
    """A planned or finished charge priced under a partner's OCPI tariff."""
    periods = periods_from_session(tariff, session, time_zone)
    return price_cdr_periods(
        tariff, periods, time_zone, session_started_at=session.started_at
    )


def _charging(start: datetime, end: datetime, kwh: Decimal) -> MeteredPeriod:
    seconds = seconds_between(start, end)
    power = kwh * 3600 / seconds if seconds else None
    return MeteredPeriod(
        start,
        energy_kwh=kwh,
        charging_s=seconds,
        min_power_kw=power,
        max_power_kw=power,
    )


def _edges(tariff: ElementTariff) -> tuple[set[time], set[int], set[Decimal]]:
    times: set[time] = {time(0)}
    durations: set[int] = set()
    kwh: set[Decimal] = set()
    for element in tariff.elements:
        if element.restrictions is not None:
            t, d, k = element.restrictions.boundaries()
            times.update(t)
            durations.update(d)
            kwh.update(k)
    return times, durations, kwh


def _cuts(
    session: ChargeSession,
    start: datetime,
    end: datetime,
    edges: tuple[set[time], set[int], set[Decimal]],
    zone: ZoneInfo,
) -> set[datetime]:
    """``start``, ``end`` and every restriction edge strictly between them."""
    cuts = {start, end}
    durations = (session.started_at + timedelta(seconds=d) for d in edges[1])
    for moment in (*_local_edges(start, end, edges[0], zone), *durations):
        if start < moment < end:
            cuts.add(moment)
    return cuts


def _local_edges(
    start: datetime, end: datetime, times: set[time], zone: ZoneInfo
) -> Iterator[datetime]:
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        for edge in times:
            yield datetime.combine(day, edge, tzinfo=zone).astimezone(UTC)
        day += timedelta(days=1)
