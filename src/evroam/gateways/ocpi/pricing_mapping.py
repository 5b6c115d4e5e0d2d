"""OCPI Tariff, ChargingPeriod and CDR (wire) ⇄ the canonical tariff and periods.

Reading a partner's tariff is lenient where OCPI 2.2.1 is silent and strict
where it is not (ADR 0022); every refusal is one ``InvalidTariffError`` naming
the field by its path (``elements[1].price_components[0].step_size``) and the
rule with its section of the Tariffs module:

- ``step_size`` on a FLAT component means nothing (11.4.7: "Flat fee without
  unit for step_size"): any value is read, 0 included.
- ``step_size`` 0 on ENERGY, TIME or PARKING_TIME bills per unit (1 Wh, 1 s):
  the spec gives no smallest block; a negative one is refused.
- A reservation element may only price FLAT and TIME (11.4.6 reservation).
- Anything the wire model refuses (a missing ``currency``, a malformed
  ``start_time``, an unknown dimension) is refused with its path and rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from evroam.pricing import elements as domain
from evroam.pricing.engine import ElementBill, price_cdr_periods
from evroam.pricing.errors import InvalidSessionError, InvalidTariffError
from evroam.protocols.ocpi_2_2_1.datatypes import Price
from evroam.protocols.ocpi_2_2_1.enums import (
    CdrDimensionType,
    DayOfWeek,
    TariffDimensionType,
)
from evroam.protocols.ocpi_2_2_1.models import (
    CDR,
    ChargingPeriod,
    ElementExtension,
    PriceComponent,
    TariffElement,
    TariffRestrictions,
)
from evroam.protocols.ocpi_2_2_1.models import Tariff as OcpiTariff

_ISO_DAY = {day: number for number, day in enumerate(DayOfWeek, start=1)}
_DAY_OF = {number: day for day, number in _ISO_DAY.items()}
_HOUR_S = Decimal(3600)
_SECTION = {  # OCPI 2.2.1 Tariffs module sections, by the class a path ends in
    "Tariff": "11.3.1 Tariff object",
    "TariffElement": "11.4.4 TariffElement class",
    "PriceComponent": "11.4.2 PriceComponent class",
    "TariffRestrictions": "11.4.6 TariffRestrictions class",
    "Price": "16.4 Price class",
}


# --- reading --------------------------------------------------------------------


def read_ocpi_tariff(body: Any) -> domain.ElementTariff:
    """A partner's tariff JSON as the canonical tariff, or one refusal that
    names the field and the rule."""
    try:
        wire = OcpiTariff.model_validate(body)
    except ValidationError as exc:
        raise tariff_refusal(exc) from exc
    return element_tariff_from_ocpi(wire)


def tariff_refusal(exc: ValidationError) -> InvalidTariffError:
    """The first error of a wire validation as the field's path and the rule."""
    errors = exc.errors()
    first = errors[0]
    where = _path(first.get("loc", ()))
    rule = _rule(first)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return InvalidTariffError(where, f"{rule}, OCPI 2.2.1 {_section(where)}{more}")


def _path(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "tariff"


def _section(path: str) -> str:
    names = [p.split("[")[0] for p in path.split(".")]
    owner = "Tariff"
    for name in names[:-1]:
        owner = {
            "elements": "TariffElement",
            "price_components": "PriceComponent",
            "restrictions": "TariffRestrictions",
            "min_price": "Price",
            "max_price": "Price",
        }.get(name, owner)
    return _SECTION[owner]


def _rule(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "is required"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return f"must match {pattern}"
    message = str(error.get("msg", "is invalid"))
    return message[:1].lower() + message[1:]


def element_tariff_from_ocpi(tariff: OcpiTariff) -> domain.ElementTariff:
    """The canonical tariff of a wire Tariff (already valid on the wire)."""
    return domain.ElementTariff(
        id=tariff.id,
        currency=tariff.currency,
        elements=tuple(
            _element(f"elements[{i}]", e) for i, e in enumerate(tariff.elements)
        ),
        min_price=_bound(tariff.min_price),
        max_price=_bound(tariff.max_price),
    )


def _bound(price: Price | None) -> domain.PriceBound | None:
    return None if price is None else domain.PriceBound(price.excl_vat, price.incl_vat)


def _element(where: str, element: TariffElement) -> domain.TariffElement:
    restrictions = element.restrictions
    months = frozenset(element.evroam.months or ()) if element.evroam else frozenset()
    domain_restrictions = None
    if restrictions is not None or months:
        domain_restrictions = _restrictions(
            f"{where}.restrictions", restrictions or TariffRestrictions(), months
        )
    components = tuple(
        _component(f"{where}.price_components[{i}]", c)
        for i, c in enumerate(element.price_components)
    )
    if domain_restrictions is not None and domain_restrictions.is_reservation:
        for i, c in enumerate(components):
            if c.dimension not in (domain.Dimension.FLAT, domain.Dimension.TIME):
                raise InvalidTariffError(
                    f"{where}.price_components[{i}].type",
                    "a reservation element prices only FLAT and TIME, OCPI 2.2.1 "
                    "11.4.6 TariffRestrictions class (reservation)",
                )
    return domain.TariffElement(
        components=components,
        restrictions=domain_restrictions,
        extension=_extension(where, element, restrictions),
    )


def _component(where: str, component: PriceComponent) -> domain.PriceComponent:
    dimension = domain.Dimension(component.type.value)
    step = component.step_size
    if step < 0:
        raise InvalidTariffError(
            f"{where}.step_size",
            "must be 0 or more, OCPI 2.2.1 11.4.2 PriceComponent class",
        )
    if dimension is domain.Dimension.FLAT or step == 0:
        step = 1  # FLAT has no step; 0 elsewhere: billed per unit (ADR 0022)
    if component.vat is not None and component.vat < 0:
        raise InvalidTariffError(
            f"{where}.vat", "a percentage of 0 or more, OCPI 2.2.1 11.4.2"
        )
    return domain.PriceComponent(
        dimension=dimension,
        price=component.price,
        step_size=step,
        vat_percent=component.vat,
    )


def _time(value: str | None) -> time | None:
    return None if value is None else time.fromisoformat(value)


def _date(where: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidTariffError(
            where, f"{value!r} is no date, OCPI 2.2.1 11.4.6 TariffRestrictions class"
        ) from exc


def _restrictions(
    where: str, wire: TariffRestrictions, months: frozenset[int]
) -> domain.Restrictions:
    reservation = wire.reservation
    return domain.Restrictions(
        start_time=_time(wire.start_time),
        end_time=_time(wire.end_time),
        start_date=_date(f"{where}.start_date", wire.start_date),
        end_date=_date(f"{where}.end_date", wire.end_date),
        min_kwh=wire.min_kwh,
        max_kwh=wire.max_kwh,
        min_current_a=wire.min_current,
        max_current_a=wire.max_current,
        min_power_kw=wire.min_power,
        max_power_kw=wire.max_power,
        min_duration_s=wire.min_duration,
        max_duration_s=wire.max_duration,
        days_of_week=frozenset(_ISO_DAY[d] for d in wire.day_of_week or ()),
        reservation=None
        if reservation is None
        else domain.Reservation(reservation.value),
        months=months,
    )


def _extension(
    where: str, element: TariffElement, restrictions: TariffRestrictions | None
) -> domain.Extension:
    ext = element.evroam
    if ext is None:
        return domain.NO_EXTENSION
    free = ext.free_minutes
    if free is None and ext.is_idle_fee and restrictions is not None:
        free = (restrictions.min_duration or 0) // 60  # written before ADR 0022
    try:
        return domain.Extension(
            service_price=ext.service_price,
            period=ext.period,
            free_minutes=free or 0,
            daily_cap=ext.daily_cap,
            is_idle_fee=bool(ext.is_idle_fee),
            idle_cap=ext.idle_cap or None,
        )
    except InvalidTariffError as exc:
        raise InvalidTariffError(f"{where}.{exc.field}", exc.message) from exc


# --- writing --------------------------------------------------------------------


def ocpi_elements_from_canonical(
    tariff: domain.ElementTariff,
) -> list[TariffElement]:
    """The wire elements of a canonical tariff, our extension included.

    Parking and idle elements with free minutes also get ``min_duration``
    (the session's duration, the nearest standard restriction) for parties
    that do not read our extension (ADR 0003).
    """
    return [_wire_element(e) for e in tariff.elements]


def _wire_element(element: domain.TariffElement) -> TariffElement:
    ext = element.extension
    r = element.restrictions or domain.Restrictions()
    is_parking = element.component(domain.Dimension.PARKING_TIME) is not None
    min_duration = r.min_duration_s
    if min_duration is None and is_parking and ext.free_minutes:
        min_duration = ext.free_minutes * 60
    wire_restrictions = TariffRestrictions(
        start_time=None if r.start_time is None else r.start_time.strftime("%H:%M"),
        end_time=None if r.end_time is None else r.end_time.strftime("%H:%M"),
        start_date=None if r.start_date is None else r.start_date.isoformat(),
        end_date=None if r.end_date is None else r.end_date.isoformat(),
        min_kwh=r.min_kwh,
        max_kwh=r.max_kwh,
        min_current=r.min_current_a,
        max_current=r.max_current_a,
        min_power=r.min_power_kw,
        max_power=r.max_power_kw,
        min_duration=min_duration,
        max_duration=r.max_duration_s,
        day_of_week=[_DAY_OF[d] for d in sorted(r.days_of_week)] or None,
    )
    empty = not wire_restrictions.model_dump(exclude_none=True)
    wire_ext = ElementExtension(
        period=ext.period,
        service_price=ext.service_price,
        months=sorted(r.months) or None,
        daily_cap=ext.daily_cap,
        is_idle_fee=True if ext.is_idle_fee else None,
        idle_cap=ext.idle_cap,
        free_minutes=ext.free_minutes or None,
    )
    return TariffElement(
        price_components=[
            PriceComponent(
                type=TariffDimensionType(c.dimension.value),
                price=c.price,
                vat=c.vat_percent,
                step_size=c.step_size,
            )
            for c in element.components
        ],
        restrictions=None if empty else wire_restrictions,
        evroam=None if not wire_ext.model_dump(exclude_none=True) else wire_ext,
    )


# --- periods and CDRs ------------------------------------------------------------


def metered_period_from_ocpi(period: ChargingPeriod) -> domain.MeteredPeriod:
    """ENERGY (kWh), TIME, PARKING_TIME and RESERVATION_TIME (hours → s);
    POWER/CURRENT set both the minimum and the maximum unless MIN_/MAX_ values
    are given too."""
    volumes = {d.type: d.volume for d in period.dimensions}
    get = volumes.get
    power, current = get(CdrDimensionType.POWER), get(CdrDimensionType.CURRENT)
    try:
        return domain.MeteredPeriod(
            started_at=period.start_date_time,
            energy_kwh=get(CdrDimensionType.ENERGY, Decimal(0)),
            charging_s=get(CdrDimensionType.TIME, Decimal(0)) * _HOUR_S,
            parking_s=get(CdrDimensionType.PARKING_TIME, Decimal(0)) * _HOUR_S,
            min_power_kw=get(CdrDimensionType.MIN_POWER, power),
            max_power_kw=get(CdrDimensionType.MAX_POWER, power),
            min_current_a=get(CdrDimensionType.MIN_CURRENT, current),
            max_current_a=get(CdrDimensionType.MAX_CURRENT, current),
            reservation_s=get(CdrDimensionType.RESERVATION_TIME, Decimal(0)) * _HOUR_S,
        )
    except InvalidSessionError as exc:
        raise InvalidSessionError(
            f"charging_periods.dimensions ({exc.field})", exc.message
        ) from exc


def metered_periods_from_ocpi(
    periods: Sequence[ChargingPeriod],
) -> tuple[domain.MeteredPeriod, ...]:
    return tuple(metered_period_from_ocpi(p) for p in periods)


def price_cdr(cdr: CDR, time_zone: str) -> ElementBill:
    """Recompute a CDR's cost from the tariff it carries (the first one)."""
    if not cdr.tariffs:
        raise InvalidSessionError("tariffs", f"CDR {cdr.id} carries no tariff")
    return price_cdr_periods(
        element_tariff_from_ocpi(cdr.tariffs[0]),
        metered_periods_from_ocpi(cdr.charging_periods),
        time_zone,
        session_started_at=cdr.start_date_time,
    )
