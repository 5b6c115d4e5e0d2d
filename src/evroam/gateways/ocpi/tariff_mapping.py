"""OCPI Tariff ⇄ domain time-of-use Tariff and ParkingRule (see ADR 0003).

Element layout we write: one ENERGY element per time-of-use window (restricted
by start_time/end_time), then one unrestricted ENERGY element for the default
period, then elements for prices no window uses (never reached by an OCPI
calculator, kept for a lossless round trip), then one PARKING_TIME element
(``min_duration`` = free minutes), then, if the tariff has an idle fee, a second
PARKING_TIME element the extension marks as the idle fee. ENERGY ``price`` is the
total per kWh; the ``evroam`` extension carries the period, the service-fee share
and the months. Prices are written without ``vat``: our unit prices are what the
driver pays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal

from evroam.catalogue.model import ParkingRule
from evroam.pricing.tariff import IdleFee, PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.protocols.ocpi_2_2_1.enums import TariffDimensionType
from evroam.protocols.ocpi_2_2_1.models import (
    ElementExtension,
    PriceComponent,
    TariffElement,
    TariffRestrictions,
)
from evroam.protocols.ocpi_2_2_1.models import Tariff as OcpiTariff
from evroam.shared.errors import InvalidInputError
from evroam.shared.ids import OperatorId, TariffId
from evroam.shared.money import Money, unit_price

ENERGY = TariffDimensionType.ENERGY
PARKING = TariffDimensionType.PARKING_TIME
_TIME_KEYS = frozenset({"start_time", "end_time"})
_MINUTES_PER_HOUR = 60


class UnmappableTariffError(InvalidInputError):
    """An OCPI tariff our time-of-use model cannot hold (names the tariff)."""


def tariff_id_for(operator_id: str, ocpi_tariff_id: str) -> TariffId:
    """The hub's id of a partner's OCPI tariff."""
    return TariffId(f"{operator_id}-{ocpi_tariff_id}")


# --- domain -> OCPI -------------------------------------------------------------


def ocpi_tariff_from_tariff(
    tariff: Tariff,
    parking: ParkingRule,
    *,
    ocpi_id: str,
    country_code: str,
    party_id: str,
    last_updated: datetime,
) -> OcpiTariff:
    elements = [_window_element(tariff, w) for w in tariff.windows]
    elements.append(_price_element(tariff.price_for(tariff.default_kind)))
    used = {w.kind for w in tariff.windows} | {tariff.default_kind}
    elements += [_price_element(p) for p in tariff.prices if p.kind not in used]
    elements.append(_parking_element(parking))
    if tariff.idle is not None:
        elements.append(_idle_element(tariff.idle))
    return OcpiTariff(
        country_code=country_code,
        party_id=party_id,
        id=ocpi_id,
        currency=tariff.currency,
        elements=elements,
        last_updated=last_updated,
    )


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _energy(price: PeriodPrice) -> PriceComponent:
    return PriceComponent(type=ENERGY, price=price.total_per_kwh, step_size=1)


def _price_element(price: PeriodPrice) -> TariffElement:
    ext = ElementExtension(period=price.kind.value, service_price=price.service_per_kwh)
    return TariffElement(price_components=[_energy(price)], evroam=ext)


def _window_element(tariff: Tariff, window: TouWindow) -> TariffElement:
    price = tariff.price_for(window.kind)
    months = sorted(window.months) or None
    return TariffElement(
        price_components=[_energy(price)],
        restrictions=TariffRestrictions(
            start_time=_hhmm(window.start), end_time=_hhmm(window.end)
        ),
        evroam=ElementExtension(
            period=window.kind.value,
            service_price=price.service_per_kwh,
            months=months,
        ),
    )


def _parking_element(parking: ParkingRule) -> TariffElement:
    # OCPI has no "first N minutes of parking free"; min_duration (session
    # duration, inclusive) is the nearest standard restriction.
    restrictions = None
    if parking.free_minutes:
        restrictions = TariffRestrictions(min_duration=parking.free_minutes * 60)
    cap = parking.daily_cap.amount if parking.daily_cap is not None else None
    return TariffElement(
        price_components=[
            PriceComponent(
                type=PARKING, price=parking.fee_per_hour.amount, step_size=60
            )
        ],
        restrictions=restrictions,
        evroam=ElementExtension(daily_cap=cap) if cap is not None else None,
    )


def _idle_element(idle: IdleFee) -> TariffElement:
    # OCPI 2.2.1, Tariffs module, PriceComponent and TariffElement classes:
    # PARKING_TIME is priced per hour, and per dimension only the first element
    # whose restrictions match applies. The parking element comes first, so a
    # standard calculator bills parking time at the parking fee and reaches
    # this element only while the parking element's min_duration is unmet and
    # this one's is met (grace < free parking minutes). The idle fee is ours
    # alone, like the daily parking cap (ADR 0003).
    restrictions = None
    if idle.grace_minutes:
        restrictions = TariffRestrictions(min_duration=idle.grace_minutes * 60)
    price = idle.per_minute * _MINUTES_PER_HOUR
    return TariffElement(
        price_components=[PriceComponent(type=PARKING, price=price, step_size=60)],
        restrictions=restrictions,
        evroam=ElementExtension(is_idle_fee=True, idle_cap=idle.cap),
    )


# --- OCPI -> domain -------------------------------------------------------------


def tariff_from_ocpi(tariff: OcpiTariff, operator_id: OperatorId | str) -> Tariff:
    """Our time-of-use view: price per kWh by period (not the OCPI calculator).

    Elements with restrictions other than start/end time are skipped (they need
    the session to decide). Without our extension the whole ENERGY price is
    read as electricity fee and periods are named by price rank. A PARKING_TIME
    element the extension marks as the idle fee becomes ``Tariff.idle``.
    """
    energy = [e for e in tariff.elements if _component(e, ENERGY) is not None]
    usable = [e for e in energy if _only_time_restricted(e.restrictions)]
    if not usable:
        raise UnmappableTariffError(tariff.id, "no ENERGY price usable per kWh")
    kinds = _kinds(tariff.id, usable)
    prices: dict[PeriodKind, PeriodPrice] = {}
    windows: list[TouWindow] = []
    default_kind: PeriodKind | None = None
    for element, kind in zip(usable, kinds, strict=True):
        prices.setdefault(kind, _period_price(element, kind))
        window = _window(element, kind)
        if window is not None:
            windows.append(window)
        elif default_kind is None:
            default_kind = kind
    return Tariff(
        id=tariff_id_for(operator_id, tariff.id),
        prices=tuple(prices[k] for k in PeriodKind if k in prices),
        windows=tuple(windows),
        default_kind=default_kind or (windows[0].kind),
        currency=tariff.currency,
        idle=_idle_fee(tariff),
    )


def _idle_fee(tariff: OcpiTariff) -> IdleFee | None:
    """The idle fee of the first element our extension marks as one; None when
    there is none (every foreign tariff) or its values make no idle fee (a
    price of 0, a cap of 0): an idle element never makes a tariff unmappable."""
    for element in tariff.elements:
        component = _component(element, PARKING)
        if component is None or not _is_idle(element):
            continue
        r = element.restrictions
        cap = element.evroam.idle_cap if element.evroam else None
        try:
            return IdleFee(
                grace_minutes=(r.min_duration or 0) // 60 if r else 0,
                per_minute=unit_price(component.price / _MINUTES_PER_HOUR),
                cap=cap,
            )
        except ValueError:
            return None
    return None


def parking_rule_from_ocpi(tariff: OcpiTariff | None) -> ParkingRule:
    """The first PARKING_TIME element restricted at most by ``min_duration``
    that is not our idle fee; free parking when there is none (OCPI has no
    "unknown" parking fee)."""
    currency = tariff.currency if tariff is not None else "CNY"
    for element in tariff.elements if tariff is not None else ():
        component = _component(element, PARKING)
        r = element.restrictions
        extra = set(r.model_dump(exclude_none=True)) - {"min_duration"} if r else set()
        if component is None or extra or _is_idle(element):
            continue
        cap = element.evroam.daily_cap if element.evroam else None
        return ParkingRule(
            free_minutes=(r.min_duration or 0) // 60 if r else 0,
            fee_per_hour=Money(component.price, currency),
            daily_cap=Money(cap, currency) if cap is not None else None,
        )
    return ParkingRule(free_minutes=0, fee_per_hour=Money.zero(currency))


def _component(
    element: TariffElement, kind: TariffDimensionType
) -> PriceComponent | None:
    return next((c for c in element.price_components if c.type is kind), None)


def _is_idle(element: TariffElement) -> bool:
    return element.evroam is not None and element.evroam.is_idle_fee is True


def _only_time_restricted(r: TariffRestrictions | None) -> bool:
    return r is None or set(r.model_dump(exclude_none=True)) <= _TIME_KEYS


def _energy_price(element: TariffElement) -> Decimal:
    component = _component(element, ENERGY)
    return component.price if component is not None else Decimal(0)


def _period_price(element: TariffElement, kind: PeriodKind) -> PeriodPrice:
    total = _energy_price(element)
    ext = element.evroam
    service = ext.service_price if ext and ext.service_price is not None else None
    service = service if service is not None else Decimal(0)
    return PeriodPrice(kind, total - service, service)


def _window(element: TariffElement, kind: PeriodKind) -> TouWindow | None:
    r = element.restrictions
    if r is None or (r.start_time is None and r.end_time is None):
        return None
    months = frozenset(element.evroam.months or ()) if element.evroam else frozenset()
    return TouWindow(
        start=time.fromisoformat(r.start_time or "00:00"),
        end=time.fromisoformat(r.end_time or "00:00"),
        kind=kind,
        months=months,
    )


def _kinds(tariff_id: str, elements: Sequence[TariffElement]) -> list[PeriodKind]:
    """The period of each element: ours from the extension, else by price rank
    around the default (unrestricted) price: higher is peak then sharp, lower
    is valley."""
    named = [e.evroam.period for e in elements if e.evroam and e.evroam.period]
    if len(named) == len(elements):
        return [PeriodKind(n) for n in named]
    prices = [_energy_price(e) for e in elements]
    default = next(
        (p for p, e in zip(prices, elements, strict=True) if e.restrictions is None),
        prices[-1],
    )
    higher = sorted({p for p in prices if p > default})
    lower = {p for p in prices if p < default}
    if len(higher) > 2 or len(lower) > 1:
        raise UnmappableTariffError(tariff_id, "more price levels than periods")
    rank = {default: PeriodKind.FLAT} | dict.fromkeys(lower, PeriodKind.VALLEY)
    rank |= dict(zip(higher, (PeriodKind.PEAK, PeriodKind.SHARP), strict=False))
    return [rank[p] for p in prices]
