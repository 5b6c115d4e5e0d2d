"""OCPI Tariff ⇄ domain time-of-use Tariff and ParkingRule (ADR 0003, ADR 0022).

Writing: the canonical tariff ``pricing.build`` makes of a time-of-use tariff
and a parking rule, element by element (one ENERGY element per window, the
default period unrestricted, prices no window uses, the parking element with
``step_size`` 900, the idle-fee element), with our ``evroam`` extension and,
for parties that do not read it, ``min_duration`` = free minutes.

Reading: the time-of-use *view* of a partner's tariff, shown on the map and in
the station's tariff table; nothing is priced from it (the canonical tariff is,
``pricing_mapping``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal

from evroam.catalogue.model import ParkingRule
from evroam.gateways.ocpi.pricing_mapping import ocpi_elements_from_canonical
from evroam.pricing.build import idle_element, parking_element, tou_elements
from evroam.pricing.elements import ElementTariff
from evroam.pricing.tariff import IdleFee, PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.protocols.ocpi_2_2_1.enums import TariffDimensionType
from evroam.protocols.ocpi_2_2_1.models import (
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
    """The wire form of the canonical tariff built from ``tariff`` and the
    station's ``parking`` rule (``pricing.build``; the parking element is
    written even when parking is free, so its free minutes read back)."""
    elements = [*tou_elements(tariff), parking_element(parking)]
    if tariff.idle is not None:
        elements.append(idle_element(tariff.idle))
    canonical = ElementTariff(tariff.id, tariff.currency, tuple(elements))
    return OcpiTariff(
        country_code=country_code,
        party_id=party_id,
        id=ocpi_id,
        currency=tariff.currency,
        elements=ocpi_elements_from_canonical(canonical),
        last_updated=last_updated,
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


def display_tariff_from_ocpi(
    tariff: OcpiTariff, operator_id: OperatorId | str
) -> Tariff:
    """The time-of-use view shown on the map and in the station's tariff table
    (never priced from: ADR 0022). A tariff the view cannot hold is shown as one
    flat period at its first ENERGY price (0 without one)."""
    try:
        return tariff_from_ocpi(tariff, operator_id)
    except UnmappableTariffError:
        prices = [c.price for e in tariff.elements if (c := _component(e, ENERGY))]
        flat = PeriodPrice(
            PeriodKind.FLAT, prices[0] if prices else Decimal(0), Decimal(0)
        )
        return Tariff(
            id=tariff_id_for(operator_id, tariff.id),
            prices=(flat,),
            windows=(),
            currency=tariff.currency,
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
