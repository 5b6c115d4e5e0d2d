"""OCPI Tariff, ChargingPeriod and CDR (wire) → pricing's element-tariff types."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal

from evroam.pricing import elements as domain
from evroam.pricing.errors import InvalidSessionError
from evroam.protocols.ocpi_2_2_1.datatypes import Price
from evroam.protocols.ocpi_2_2_1.enums import CdrDimensionType, DayOfWeek
from evroam.protocols.ocpi_2_2_1.models import (
    CDR,
    ChargingPeriod,
    PriceComponent,
    TariffElement,
    TariffRestrictions,
)
from evroam.protocols.ocpi_2_2_1.models import Tariff as OcpiTariff

_ISO_DAY = {day: number for number, day in enumerate(DayOfWeek, start=1)}
_HOUR_S = Decimal(3600)


def element_tariff_from_ocpi(tariff: OcpiTariff) -> domain.ElementTariff:
    # Our idle-fee element (ADR 0003) goes in as any PARKING_TIME element: the
    # spec's first-match rule per dimension decides whether it is ever used.
    return domain.ElementTariff(
        id=tariff.id,
        currency=tariff.currency,
        elements=tuple(_element(e) for e in tariff.elements),
        min_price=_bound(tariff.min_price),
        max_price=_bound(tariff.max_price),
    )


def _bound(price: Price | None) -> domain.PriceBound | None:
    return None if price is None else domain.PriceBound(price.excl_vat, price.incl_vat)


def _element(element: TariffElement) -> domain.TariffElement:
    restrictions = element.restrictions
    return domain.TariffElement(
        components=tuple(_component(c) for c in element.price_components),
        restrictions=None if restrictions is None else _restrictions(restrictions),
    )


def _component(component: PriceComponent) -> domain.PriceComponent:
    return domain.PriceComponent(
        dimension=domain.Dimension(component.type.value),
        price=component.price,
        step_size=component.step_size,
        vat_percent=component.vat,
    )


def _time(value: str | None) -> time | None:
    return None if value is None else time.fromisoformat(value)


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _restrictions(wire: TariffRestrictions) -> domain.Restrictions:
    return domain.Restrictions(
        start_time=_time(wire.start_time),
        end_time=_time(wire.end_time),
        start_date=_date(wire.start_date),
        end_date=_date(wire.end_date),
        min_kwh=wire.min_kwh,
        max_kwh=wire.max_kwh,
        min_current_a=wire.min_current,
        max_current_a=wire.max_current,
        min_power_kw=wire.min_power,
        max_power_kw=wire.max_power,
        min_duration_s=wire.min_duration,
        max_duration_s=wire.max_duration,
        days_of_week=frozenset(_ISO_DAY[d] for d in wire.day_of_week or ()),
        is_reservation=wire.reservation is not None,
    )


def metered_period_from_ocpi(period: ChargingPeriod) -> domain.MeteredPeriod:
    """ENERGY (kWh), TIME and PARKING_TIME (hours → s); POWER/CURRENT set both
    the minimum and the maximum unless MIN_/MAX_ values are given too."""
    volumes = {d.type: d.volume for d in period.dimensions}
    get = volumes.get
    power, current = get(CdrDimensionType.POWER), get(CdrDimensionType.CURRENT)
    return domain.MeteredPeriod(
        started_at=period.start_date_time,
        energy_kwh=get(CdrDimensionType.ENERGY, Decimal(0)),
        charging_s=get(CdrDimensionType.TIME, Decimal(0)) * _HOUR_S,
        parking_s=get(CdrDimensionType.PARKING_TIME, Decimal(0)) * _HOUR_S,
        min_power_kw=get(CdrDimensionType.MIN_POWER, power),
        max_power_kw=get(CdrDimensionType.MAX_POWER, power),
        min_current_a=get(CdrDimensionType.MIN_CURRENT, current),
        max_current_a=get(CdrDimensionType.MAX_CURRENT, current),
    )


def metered_periods_from_ocpi(
    periods: Sequence[ChargingPeriod],
) -> tuple[domain.MeteredPeriod, ...]:
    return tuple(metered_period_from_ocpi(p) for p in periods)


def price_cdr(cdr: CDR, time_zone: str) -> domain.ElementBill:
    """Recompute a CDR's cost from the tariff it carries (the first one)."""
    if not cdr.tariffs:
        raise InvalidSessionError("tariffs", f"CDR {cdr.id} carries no tariff")
    return domain.price_cdr_periods(
        element_tariff_from_ocpi(cdr.tariffs[0]),
        metered_periods_from_ocpi(cdr.charging_periods),
        time_zone,
        session_started_at=cdr.start_date_time,
    )
