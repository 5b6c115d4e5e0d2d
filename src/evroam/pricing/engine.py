"""The one pricing engine: charging periods priced under a canonical tariff.

OCPI 2.2.1 (tag v2.2.1-d2), Tariffs module, as ADR 0022 reads it:

- 11.3.1 Tariff object: per period and per dimension the FIRST element that
  prices that dimension and whose restrictions match is used; none: that
  dimension is free in that period. FLAT is charged once.
- 11.4.6 TariffRestrictions are seen at each period's start.
- 11.4.2 PriceComponent, step_size note: "step_size SHALL only be taken into
  account for the last TariffElement and when switching to another
  TariffElement for the PriceComponents that is not in the new TariffElement".
  A dimension's volume since the last rounding is rounded up to the step_size
  of the last element used for it when the session switches to an element
  without that dimension's component (the run ends), and at the session's end.
  Charging TIME is not rounded at the end when priced PARKING_TIME follows it
  (the session's last element is then the parking one): the d2 examples
  "switching to different Tariff Element #1", "switching to Free-of-Charge"
  and the complex tariff on Saturday.
- Tariff object notes: min_price and max_price bound the total excl. VAT and,
  separately, the total incl. VAT.

Our extension (``elements.Extension``) adds free parking minutes, a daily
parking cap and the idle fee, billed on top of parking with its own first
match and capped per session. Line costs stay exact; totals are rounded half
up to the cent once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from evroam.pricing.elements import (
    Dimension,
    ElementTariff,
    MeteredPeriod,
    PeriodState,
    PriceComponent,
    Reservation,
    TariffElement,
)
from evroam.pricing.errors import InvalidSessionError
from evroam.pricing.session import seconds_between
from evroam.shared.money import Money


class Role(enum.StrEnum):
    """What a line bills: the charge itself, our idle fee, or a reservation."""

    CHARGE = "charge"
    IDLE = "idle"
    RESERVATION = "reservation"


_Layer = tuple[Dimension, Role]
_ENERGY = (Dimension.ENERGY, Role.CHARGE)
_FLAT = (Dimension.FLAT, Role.CHARGE)
_TIME = (Dimension.TIME, Role.CHARGE)
_PARKING = (Dimension.PARKING_TIME, Role.CHARGE)
_IDLE = (Dimension.PARKING_TIME, Role.IDLE)
_RESERVED = (Dimension.TIME, Role.RESERVATION)
_RESERVATION_FEE = (Dimension.FLAT, Role.RESERVATION)
_LAYERS = (_FLAT, _ENERGY, _TIME, _PARKING, _IDLE, _RESERVED, _RESERVATION_FEE)

_UNIT = {
    Dimension.ENERGY: ("kWh", Decimal(1000)),  # volumes are kept in Wh
    Dimension.FLAT: ("session", Decimal(1)),
    Dimension.PARKING_TIME: ("h", Decimal(3600)),  # volumes are kept in s
    Dimension.TIME: ("h", Decimal(3600)),
}
_RESOLUTION = Decimal("0.001")  # of a Wh or a second, before rounding to a step


@dataclass(frozen=True, slots=True)
class ElementLine:
    """What one element charged for one dimension (and, for parking, one local
    day). ``quantity`` is billed (after step_size and free minutes) in kWh,
    hours or 1 session; ``volume`` the same in Wh, seconds or 1. Costs are
    exact; ``capped`` names the cap that lowered the cost, if one did."""

    dimension: Dimension
    role: Role
    element_index: int
    volume: Decimal
    quantity: Decimal
    unit: str
    price: Decimal
    vat_percent: Decimal | None
    cost_excl_vat: Decimal
    cost_incl_vat: Decimal | None
    day: date | None = None
    period: str | None = None
    service_price: Decimal | None = None
    capped: str | None = None
    free_minutes: int = 0


@dataclass(frozen=True, slots=True)
class ElementBill:
    """A session priced under an ``ElementTariff``. Line costs stay exact; the
    totals are rounded half up to the cent once (as the spec's examples do).
    ``total_incl_vat`` is None when a billed component gives no VAT.
    ``bound`` names the min_price/max_price that set the total, if one did."""

    tariff_id: str
    currency: str
    lines: tuple[ElementLine, ...]
    total_excl_vat: Money
    total_incl_vat: Money | None
    bound: str | None = None
    energy_kwh: Decimal = Decimal(0)

    def cost(
        self, dimension: Dimension, role: Role = Role.CHARGE
    ) -> tuple[Money, Money | None]:
        """(excl. VAT, incl. VAT) charged for one dimension, before bounds."""
        lines = [
            line
            for line in self.lines
            if line.dimension is dimension and line.role is role
        ]
        excl = sum((line.cost_excl_vat for line in lines), Decimal(0))
        return Money(excl, self.currency), _money(_sum_incl(lines), self.currency)


@dataclass(frozen=True, slots=True)
class _Use:
    period: int
    element: int
    component: PriceComponent
    volume: Decimal  # Wh, s, or 1 (FLAT)
    day: date


@dataclass(frozen=True, slots=True)
class _Gap:
    """A period with volume in a dimension no matching element prices: the
    session switched to an element without that component."""

    period: int


_Item = _Use | _Gap


def price_cdr_periods(
    tariff: ElementTariff,
    periods: Sequence[MeteredPeriod],
    time_zone: str,
    *,
    session_started_at: datetime | None = None,
) -> ElementBill:
    """The total cost of a session's charging periods under ``tariff``.

    Restrictions are seen at each period's start, local to ``time_zone``;
    durations count from ``session_started_at`` (default: the first period's
    start). See the module docstring for the rules.
    """
    if not periods:
        raise InvalidSessionError("charging_periods", "at least one period is needed")
    ordered = sorted(periods, key=lambda p: p.started_at)
    start = session_started_at or ordered[0].started_at
    items = _Selection(tariff, ordered, start, ZoneInfo(time_zone)).run()
    keep_time = _parking_follows(items[_TIME], items[_PARKING], items[_IDLE])
    lines: list[ElementLine] = []
    for layer in _LAYERS:
        uses = _stepped(items[layer], keep_final=keep_time and layer == _TIME)
        lines += _lines(tariff, layer, uses)
    energy = sum((p.energy_kwh for p in ordered), Decimal(0))
    return _bill(tariff, tuple(lines), energy)


class _Selection:
    """Which element prices which volume of each period (first match)."""

    def __init__(
        self,
        tariff: ElementTariff,
        periods: list[MeteredPeriod],
        start: datetime,
        zone: ZoneInfo,
    ) -> None:
        self._tariff = tariff
        self._periods = periods
        self._start = start
        self._zone = zone
        charged = any(p.charging_s > 0 or p.energy_kwh > 0 for p in periods)
        # 11.4.5 ReservationRestrictionType: a reservation not followed by a
        # charge is priced by RESERVATION_EXPIRES elements first (their TIME
        # wins over RESERVATION's, note), then by RESERVATION ones.
        self._reservations = (
            (Reservation.RESERVATION,)
            if charged
            else (Reservation.RESERVATION_EXPIRES, Reservation.RESERVATION)
        )
        self.items: dict[_Layer, list[_Item]] = {layer: [] for layer in _LAYERS}

    def run(self) -> dict[_Layer, list[_Item]]:
        energy, parked = Decimal(0), Decimal(0)
        for index, period in enumerate(self._periods):
            local = period.started_at.astimezone(self._zone)
            state = PeriodState(
                local, seconds_between(self._start, period.started_at), energy
            )
            volumes = (
                (_ENERGY, period.energy_kwh * 1000),
                (_TIME, period.charging_s),
                (_PARKING, period.parking_s),
                (_IDLE, period.parking_s),
                (_RESERVED, period.reservation_s),
            )
            for layer, volume in volumes:
                if volume > 0:
                    self._take(layer, index, period, state, volume, parked)
            if period.energy_kwh or period.charging_s or period.parking_s:
                self._flat(_FLAT, index, period, state)  # not for a reservation
            if period.reservation_s > 0:
                self._flat(_RESERVATION_FEE, index, period, state)
            energy += period.energy_kwh
            parked += period.parking_s
        return self.items

    def _candidates(self, role: Role) -> Iterable[tuple[int, TariffElement]]:
        elements = list(enumerate(self._tariff.elements))
        if role is Role.RESERVATION:
            for kind in self._reservations:
                yield from ((i, e) for i, e in elements if e.reservation is kind)
            return
        idle = role is Role.IDLE
        for index, element in elements:
            if element.reservation is None and element.extension.is_idle_fee == idle:
                yield index, element

    def _first(
        self, layer: _Layer, period: MeteredPeriod, state: PeriodState
    ) -> tuple[int, TariffElement, PriceComponent] | None:
        dimension, role = layer
        for index, element in self._candidates(role):
            component = element.component(dimension)
            if component is not None and element.allows(period, state):
                return index, element, component
        return None

    def _take(
        self,
        layer: _Layer,
        index: int,
        period: MeteredPeriod,
        state: PeriodState,
        volume: Decimal,
        parked_before: Decimal,
    ) -> None:
        found = self._first(layer, period, state)
        if found is None:
            self.items[layer].append(_Gap(index))
            return
        element_index, element, component = found
        if layer[0] is Dimension.PARKING_TIME:
            free = Decimal(element.extension.free_minutes * 60)
            volume -= min(volume, max(Decimal(0), free - parked_before))
        if volume > 0:
            use = _Use(index, element_index, component, volume, state.local.date())
            self.items[layer].append(use)

    def _flat(
        self, layer: _Layer, index: int, period: MeteredPeriod, state: PeriodState
    ) -> None:
        if any(isinstance(i, _Use) for i in self.items[layer]):
            return  # FLAT is charged once
        found = self._first(layer, period, state)
        if found is not None:
            element_index, _, component = found
            use = _Use(index, element_index, component, Decimal(1), state.local.date())
            self.items[layer].append(use)


def _parking_follows(time: list[_Item], *parking: list[_Item]) -> bool:
    """Whether priced parking time comes after the last priced charging time:
    then the session's last element is a parking one and charging time is not
    rounded at the end (step_size note, d2 examples)."""
    charged = [u.period for u in time if isinstance(u, _Use)]
    if not charged:
        return False
    last = max(charged)
    return any(
        isinstance(u, _Use) and u.period > last for items in parking for u in items
    )


def _rounded_up(volume: Decimal, step: int) -> Decimal:
    steps = (volume.quantize(_RESOLUTION) / step).to_integral_value(ROUND_CEILING)
    return max(steps * step, volume)


def _stepped(items: list[_Item], *, keep_final: bool) -> list[_Use]:
    """The uses with step_size applied: each run of uses that a switch to an
    element without the component ends is rounded up on its last element's
    step; so is the final run, unless ``keep_final``."""
    uses: list[_Use] = []
    run: list[_Use] = []
    for item in items:
        if isinstance(item, _Gap):
            uses += _round_run(run)
            run = []
        else:
            run.append(item)
    return uses + (run if keep_final else _round_run(run))


def _round_run(run: list[_Use]) -> list[_Use]:
    if not run or run[-1].component.dimension is Dimension.FLAT:
        return run
    total = sum((use.volume for use in run), Decimal(0))
    last = run[-1]
    extra = _rounded_up(total, last.component.step_size) - total
    if extra == 0:
        return run
    return [*run[:-1], replace(last, volume=last.volume + extra)]


def _lines(tariff: ElementTariff, layer: _Layer, uses: list[_Use]) -> list[ElementLine]:
    by_day = layer == _PARKING
    volumes: dict[tuple[int, date | None], Decimal] = {}
    components: dict[int, PriceComponent] = {}
    for use in uses:
        key = (use.element, use.day if by_day else None)
        volumes[key] = volumes.get(key, Decimal(0)) + use.volume
        components[use.element] = use.component
    return [
        _line(tariff, layer, element, day, volume, components[element])
        for (element, day), volume in volumes.items()
    ]


def _line(
    tariff: ElementTariff,
    layer: _Layer,
    element_index: int,
    day: date | None,
    volume: Decimal,
    component: PriceComponent,
) -> ElementLine:
    dimension, role = layer
    extension = tariff.elements[element_index].extension
    unit, per_unit = _UNIT[dimension]
    excl = volume * component.price / per_unit
    cap, capped = None, None
    if layer == _PARKING and extension.daily_cap is not None:
        cap, capped = extension.daily_cap, "daily_cap"
    if layer == _IDLE and extension.idle_cap is not None:
        cap, capped = extension.idle_cap, "idle_cap"
    if cap is None or excl <= cap:
        capped = None
    else:
        excl = cap
    vat = component.vat_percent
    incl = None if vat is None else excl * (1 + vat / 100)
    return ElementLine(
        dimension=dimension,
        role=role,
        element_index=element_index,
        volume=volume,
        quantity=volume / per_unit,
        unit=unit,
        price=component.price,
        vat_percent=vat,
        cost_excl_vat=excl,
        cost_incl_vat=incl,
        day=day,
        period=extension.period,
        service_price=extension.service_price if layer == _ENERGY else None,
        capped=capped,
        free_minutes=extension.free_minutes
        if dimension is Dimension.PARKING_TIME
        else 0,
    )


def _sum_incl(lines: Sequence[ElementLine]) -> Decimal | None:
    total = Decimal(0)
    for line in lines:
        if line.cost_incl_vat is None:
            return None
        total += line.cost_incl_vat
    return total


def _money(amount: Decimal | None, currency: str) -> Money | None:
    return None if amount is None else Money(amount, currency)


def _bill(
    tariff: ElementTariff, lines: tuple[ElementLine, ...], energy_kwh: Decimal
) -> ElementBill:
    """Tariff object notes: min_price and max_price hold for the total excl.
    VAT and, separately, for the total incl. VAT."""
    excl = sum((line.cost_excl_vat for line in lines), Decimal(0))
    incl = _sum_incl(lines)
    bound = None
    low, high = tariff.min_price, tariff.max_price
    if low is not None and excl < low.excl_vat:
        excl, bound = low.excl_vat, "min_price"
    if high is not None and excl > high.excl_vat:
        excl, bound = high.excl_vat, "max_price"
    if incl is not None and low is not None and low.incl_vat is not None:
        incl = max(incl, low.incl_vat)
    if incl is not None and high is not None and high.incl_vat is not None:
        incl = min(incl, high.incl_vat)
    return ElementBill(
        tariff.id,
        tariff.currency,
        lines,
        Money(excl, tariff.currency),
        _money(incl, tariff.currency),
        bound,
        energy_kwh,
    )
