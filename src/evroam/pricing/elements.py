"""OCPI 2.2.1 tariff semantics: elements, restrictions, and the cost of periods.

A domain model of the Tariffs module's general element tariff (what a partner
CPO prices with), free of wire types, and ``price_cdr_periods``, which computes
a session's total cost the way the Tariffs module describes it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from evroam.pricing.errors import InvalidSessionError, InvalidTariffError
from evroam.pricing.session import seconds_between
from evroam.shared.money import Money


class Dimension(enum.StrEnum):
    """Tariffs module, TariffDimensionType."""

    ENERGY = "ENERGY"  # per kWh, step_size in Wh
    FLAT = "FLAT"  # once per session
    PARKING_TIME = "PARKING_TIME"  # per hour not charging, step_size in s
    TIME = "TIME"  # per hour charging, step_size in s


@dataclass(frozen=True, slots=True)
class PriceComponent:
    """``price`` excludes VAT; ``vat_percent`` None means none is given."""

    dimension: Dimension
    price: Decimal
    step_size: int = 1
    vat_percent: Decimal | None = None

    def __post_init__(self) -> None:
        if self.step_size < 1:
            raise InvalidTariffError("step_size", "must be at least 1")
        if not self.price.is_finite():
            raise InvalidTariffError("price", "must be a finite number")


@dataclass(frozen=True, slots=True)
class PeriodState:
    """What restrictions look at when a period starts: the local time, the
    session's duration so far (s) and its energy so far (kWh)."""

    local: datetime
    elapsed_s: Decimal
    energy_so_far_kwh: Decimal


@dataclass(frozen=True, slots=True)
class MeteredPeriod:
    """A charging period: from ``started_at`` until the next period starts.
    Power and current are what the period ran at (None: not measured); a period
    measured with a single value sets min and max alike."""

    started_at: datetime
    energy_kwh: Decimal = Decimal(0)
    charging_s: Decimal = Decimal(0)
    parking_s: Decimal = Decimal(0)
    min_power_kw: Decimal | None = None
    max_power_kw: Decimal | None = None
    min_current_a: Decimal | None = None
    max_current_a: Decimal | None = None

    def __post_init__(self) -> None:
        if self.started_at.tzinfo is None:
            raise InvalidSessionError("start_date_time", "must be timezone-aware")
        object.__setattr__(self, "started_at", self.started_at.astimezone(UTC))


def _at_least(value: Decimal | None, bound: Decimal | None) -> bool:
    """min_* restrictions are inclusive; an unmeasured value never matches."""
    return bound is None or (value is not None and value >= bound)


def _below(value: Decimal | None, bound: Decimal | None) -> bool:
    """max_* restrictions are exclusive; an unmeasured value never matches."""
    return bound is None or (value is not None and value < bound)


@dataclass(frozen=True, slots=True)
class Restrictions:
    """Tariffs module, TariffRestrictions. Times and dates are local to the
    station; ``end_time`` at or before ``start_time`` wraps past midnight;
    ``end_date`` and every max_* are exclusive, every min_* inclusive.
    ``days_of_week`` are ISO numbers (1 = Monday; empty: every day)."""

    start_time: time | None = None
    end_time: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current_a: Decimal | None = None
    max_current_a: Decimal | None = None
    min_power_kw: Decimal | None = None
    max_power_kw: Decimal | None = None
    min_duration_s: int | None = None
    max_duration_s: int | None = None
    days_of_week: frozenset[int] = frozenset()
    is_reservation: bool = False

    def allows(self, period: MeteredPeriod, state: PeriodState) -> bool:
        return (
            not self.is_reservation
            and self._time_ok(state.local.time().replace(tzinfo=None))
            and self._day_ok(state.local.date())
            and self._amounts_ok(state)
            and self._power_ok(period)
        )

    def _time_ok(self, moment: time) -> bool:
        start, end = self.start_time, self.end_time
        if start is None or end is None:
            return (start is None or moment >= start) and (end is None or moment < end)
        if start < end:
            return start <= moment < end
        return moment >= start or moment < end  # wraps past midnight (or all day)

    def _day_ok(self, day: date) -> bool:
        if self.days_of_week and day.isoweekday() not in self.days_of_week:
            return False
        if self.start_date is not None and day < self.start_date:
            return False
        return self.end_date is None or day < self.end_date

    def _amounts_ok(self, state: PeriodState) -> bool:
        duration_min = (
            None if self.min_duration_s is None else Decimal(self.min_duration_s)
        )
        duration_max = (
            None if self.max_duration_s is None else Decimal(self.max_duration_s)
        )
        return (
            _at_least(state.energy_so_far_kwh, self.min_kwh)
            and _below(state.energy_so_far_kwh, self.max_kwh)
            and _at_least(state.elapsed_s, duration_min)
            and _below(state.elapsed_s, duration_max)
        )

    def _power_ok(self, period: MeteredPeriod) -> bool:
        return (
            _at_least(period.min_power_kw, self.min_power_kw)
            and _below(period.max_power_kw, self.max_power_kw)
            and _at_least(period.min_current_a, self.min_current_a)
            and _below(period.max_current_a, self.max_current_a)
        )

    def boundaries(
        self,
    ) -> tuple[tuple[time, ...], tuple[int, ...], tuple[Decimal, ...]]:
        """Local times, session durations (s) and kWh where this can change."""
        times = tuple(t for t in (self.start_time, self.end_time) if t is not None)
        durations = tuple(
            d for d in (self.min_duration_s, self.max_duration_s) if d is not None
        )
        kwh = tuple(k for k in (self.min_kwh, self.max_kwh) if k is not None)
        return times, durations, kwh


@dataclass(frozen=True, slots=True)
class TariffElement:
    components: tuple[PriceComponent, ...]
    restrictions: Restrictions | None = None

    def component(self, dimension: Dimension) -> PriceComponent | None:
        for component in self.components:
            if component.dimension is dimension:
                return component
        return None

    def allows(self, period: MeteredPeriod, state: PeriodState) -> bool:
        return self.restrictions is None or self.restrictions.allows(period, state)


@dataclass(frozen=True, slots=True)
class PriceBound:
    """Tariffs module, Price: a bound on a session's total cost."""

    excl_vat: Decimal
    incl_vat: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ElementTariff:
    """A partner's OCPI tariff: elements in order, optional min/max total."""

    id: str
    currency: str
    elements: tuple[TariffElement, ...]
    min_price: PriceBound | None = None
    max_price: PriceBound | None = None

    def __post_init__(self) -> None:
        if not self.elements:
            raise InvalidTariffError("elements", "a tariff needs at least one element")

    def select(
        self, dimension: Dimension, period: MeteredPeriod, state: PeriodState
    ) -> tuple[int, PriceComponent] | None:
        """Tariffs module, Tariff object: the FIRST element that prices
        ``dimension`` and whose restrictions match; None: that dimension is free."""
        for index, element in enumerate(self.elements):
            component = element.component(dimension)
            if component is not None and element.allows(period, state):
                return index, component
        return None


# --- cost -----------------------------------------------------------------------

_UNIT = {
    Dimension.ENERGY: ("kWh", Decimal(1000)),  # volumes are kept in Wh
    Dimension.FLAT: ("session", Decimal(1)),
    Dimension.PARKING_TIME: ("h", Decimal(3600)),  # volumes are kept in s
    Dimension.TIME: ("h", Decimal(3600)),
}
_LINE_ORDER = (Dimension.FLAT, Dimension.ENERGY, Dimension.TIME, Dimension.PARKING_TIME)
_RESOLUTION = Decimal("0.001")  # of a Wh or a second, before rounding to a step


@dataclass(frozen=True, slots=True)
class ElementLine:
    """What one element charged for one dimension. ``quantity`` is billed
    (after step_size), in kWh, hours, or 1 session; costs are exact."""

    dimension: Dimension
    element_index: int
    quantity: Decimal
    unit: str
    price: Decimal
    vat_percent: Decimal | None
    cost_excl_vat: Decimal
    cost_incl_vat: Decimal | None


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

    def cost(self, dimension: Dimension) -> tuple[Money, Money | None]:
        """(excl. VAT, incl. VAT) charged for one dimension, before bounds."""
        lines = [line for line in self.lines if line.dimension is dimension]
        excl = sum((line.cost_excl_vat for line in lines), Decimal(0))
        incl = _sum_incl(lines)
        return Money(excl, self.currency), _money(incl, self.currency)


@dataclass(frozen=True, slots=True)
class _Use:
    period: int
    element: int
    component: PriceComponent
    volume: Decimal  # Wh, s, or 1 (FLAT)


def price_cdr_periods(
    tariff: ElementTariff,
    periods: Sequence[MeteredPeriod],
    time_zone: str,
    *,
    session_started_at: datetime | None = None,
) -> ElementBill:
    """The OCPI total cost of a session's charging periods under ``tariff``.

    Per period and dimension the first matching element is used (restrictions
    seen at the period's start, local to ``time_zone``; durations from
    ``session_started_at``, default the first period's start). FLAT is charged
    once. Per dimension, the whole volume is rounded up to the step_size of the
    LAST element used and the difference billed at that element's price.
    Parking periods right after charging that fit wholly in the charging time
    added by TIME's step_size are not billed again (spec example tariff_14 #1).
    min_price/max_price then bound each total.
    """
    if not periods:
        raise InvalidSessionError("charging_periods", "at least one period is needed")
    ordered = sorted(periods, key=lambda p: p.started_at)
    start = session_started_at or ordered[0].started_at
    uses = _select(tariff, ordered, start, ZoneInfo(time_zone))
    uses[Dimension.PARKING_TIME] = _uncovered_parking(uses)
    lines = tuple(line for dim in _LINE_ORDER for line in _lines(dim, uses[dim]))
    return _bill(tariff, lines)


def _select(
    tariff: ElementTariff, periods: list[MeteredPeriod], start: datetime, zone: ZoneInfo
) -> dict[Dimension, list[_Use]]:
    uses: dict[Dimension, list[_Use]] = {dim: [] for dim in Dimension}
    energy = Decimal(0)
    for index, period in enumerate(periods):
        state = PeriodState(
            period.started_at.astimezone(zone),
            seconds_between(start, period.started_at),
            energy,
        )
        volumes = (
            (Dimension.ENERGY, period.energy_kwh * 1000),
            (Dimension.TIME, period.charging_s),
            (Dimension.PARKING_TIME, period.parking_s),
        )
        for dim, volume in volumes:
            if volume > 0 and (found := tariff.select(dim, period, state)):
                uses[dim].append(_Use(index, found[0], found[1], volume))
        if not uses[Dimension.FLAT] and (
            found := tariff.select(Dimension.FLAT, period, state)
        ):
            uses[Dimension.FLAT].append(_Use(index, found[0], found[1], Decimal(1)))
        energy += period.energy_kwh
    return uses


def _rounded_up(volume: Decimal, step: int) -> Decimal:
    steps = (volume.quantize(_RESOLUTION) / step).to_integral_value(ROUND_CEILING)
    return max(steps * step, volume)


def _uncovered_parking(uses: dict[Dimension, list[_Use]]) -> list[_Use]:
    """OCPI 2.2.1, Tariffs module, step_size example #1: parking that lies
    within the charging time billed extra by TIME's step_size is not billed."""
    charging, parking = uses[Dimension.TIME], uses[Dimension.PARKING_TIME]
    if not charging:
        return parking
    last = charging[-1]
    total = sum((use.volume for use in charging), Decimal(0))
    spare = _rounded_up(total, last.component.step_size) - total
    kept = []
    for use in parking:
        if use.period > last.period and use.volume <= spare:
            spare -= use.volume
            continue
        if use.period > last.period:
            spare = Decimal(0)  # only the parking right after charging is covered
        kept.append(use)
    return kept


def _lines(dimension: Dimension, uses: list[_Use]) -> list[ElementLine]:
    if not uses:
        return []
    volumes: dict[int, Decimal] = {}
    components: dict[int, PriceComponent] = {}
    for use in uses:
        volumes[use.element] = volumes.get(use.element, Decimal(0)) + use.volume
        components[use.element] = use.component
    last = uses[-1]
    if dimension is not Dimension.FLAT:
        total = sum(volumes.values(), Decimal(0))
        volumes[last.element] += _rounded_up(total, last.component.step_size) - total
    unit, per_unit = _UNIT[dimension]
    return [
        _line(
            dimension, element, volumes[element] / per_unit, unit, components[element]
        )
        for element in volumes
    ]


def _line(
    dimension: Dimension, element: int, quantity: Decimal, unit: str, c: PriceComponent
) -> ElementLine:
    excl = quantity * c.price
    incl = None if c.vat_percent is None else excl * (1 + c.vat_percent / 100)
    return ElementLine(
        dimension, element, quantity, unit, c.price, c.vat_percent, excl, incl
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


def _bill(tariff: ElementTariff, lines: tuple[ElementLine, ...]) -> ElementBill:
    """Tariffs module, Tariff object notes: min_price and max_price hold for the
    total excl. VAT and, separately, for the total incl. VAT."""
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
    money = Money(excl, tariff.currency)
    return ElementBill(
        tariff.id, tariff.currency, lines, money, _money(incl, tariff.currency), bound
    )
