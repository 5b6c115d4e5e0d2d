"""Time-of-use tariffs, parking rules and idle fees built as canonical tariffs.

A Chinese time-of-use tariff (``pricing.tariff.Tariff``: electricity + service
fee per kWh by period, windows that may wrap midnight or hold in some months
only, an optional idle fee) and a station's parking rule are priced as one
``ElementTariff`` (ADR 0022), element by element in this order:

1. one ENERGY element per window: ``start_time``/``end_time``, our ``months``;
2. the default period's ENERGY element, unrestricted (the fallback);
3. ENERGY elements for prices no window uses (never reached; kept so the
   time-of-use view can be read back whole);
4. the parking rule: PARKING_TIME at the fee per hour, ``step_size`` 900 (every
   started 15 minutes), with our ``free_minutes`` and ``daily_cap``;
5. the idle fee: PARKING_TIME at the price per minute x 60, ``step_size`` 60,
   our ``is_idle_fee``, ``free_minutes`` (the grace) and ``idle_cap``.

ENERGY ``price`` is the total per kWh; our ``service_price`` is its service
share and ``period`` its name. Prices carry no VAT: they are what the driver
pays.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from evroam.pricing.elements import (
    Dimension,
    ElementTariff,
    Extension,
    PriceComponent,
    Restrictions,
    TariffElement,
)
from evroam.pricing.tariff import IdleFee, PeriodPrice, Tariff, TouWindow
from evroam.shared.money import Money

PARKING_STEP_S = 900  # every started 15 minutes
IDLE_STEP_S = 60  # every whole minute
_MINUTES_PER_HOUR = 60


class ParkingRule(Protocol):
    """What pricing reads of a parking rule (``catalogue.model.ParkingRule`` fits)."""

    @property
    def free_minutes(self) -> int: ...
    @property
    def fee_per_hour(self) -> Money: ...
    @property
    def daily_cap(self) -> Money | None: ...
    def __hash__(self) -> int: ...


def energy_element(
    price: PeriodPrice, restrictions: Restrictions | None = None
) -> TariffElement:
    return TariffElement(
        (PriceComponent(Dimension.ENERGY, price.total_per_kwh),),
        restrictions,
        Extension(service_price=price.service_per_kwh, period=price.kind.value),
    )


def window_element(tariff: Tariff, window: TouWindow) -> TariffElement:
    restrictions = Restrictions(
        start_time=window.start, end_time=window.end, months=window.months
    )
    return energy_element(tariff.price_for(window.kind), restrictions)


def parking_element(parking: ParkingRule) -> TariffElement:
    cap = parking.daily_cap
    return TariffElement(
        (
            PriceComponent(
                Dimension.PARKING_TIME, parking.fee_per_hour.amount, PARKING_STEP_S
            ),
        ),
        None,
        Extension(
            free_minutes=parking.free_minutes,
            daily_cap=None if cap is None else cap.amount,
        ),
    )


def idle_element(idle: IdleFee) -> TariffElement:
    price = idle.per_minute * _MINUTES_PER_HOUR
    return TariffElement(
        (PriceComponent(Dimension.PARKING_TIME, price, IDLE_STEP_S),),
        None,
        Extension(free_minutes=idle.grace_minutes, is_idle_fee=True, idle_cap=idle.cap),
    )


def tou_elements(tariff: Tariff) -> tuple[TariffElement, ...]:
    """The ENERGY elements of a time-of-use tariff (steps 1 to 3 above)."""
    elements = [window_element(tariff, w) for w in tariff.windows]
    elements.append(energy_element(tariff.price_for(tariff.default_kind)))
    used = {w.kind for w in tariff.windows} | {tariff.default_kind}
    elements += [energy_element(p) for p in tariff.prices if p.kind not in used]
    return tuple(elements)


@lru_cache(maxsize=4096)
def element_tariff(tariff: Tariff, parking: ParkingRule | None = None) -> ElementTariff:
    """``tariff`` (and the station's ``parking`` rule, if given and not free)
    as one canonical tariff."""
    elements = list(tou_elements(tariff))
    if parking is not None and parking.fee_per_hour.amount > 0:
        elements.append(parking_element(parking))
    if tariff.idle is not None:
        elements.append(idle_element(tariff.idle))
    return ElementTariff(tariff.id, tariff.currency, tuple(elements))


def priced_tariff(
    tariff: Tariff | ElementTariff, parking: ParkingRule | None
) -> ElementTariff:
    """What a charge at a station is priced with: its canonical tariff, plus
    the station's parking rule when the tariff prices no parking itself."""
    if isinstance(tariff, Tariff):
        return element_tariff(tariff, parking)
    if parking is None or parking.fee_per_hour.amount <= 0 or tariff.has_parking:
        return tariff
    return _with_parking(tariff, parking)


@lru_cache(maxsize=4096)
def _with_parking(tariff: ElementTariff, parking: ParkingRule) -> ElementTariff:
    return tariff.with_elements(parking_element(parking))
