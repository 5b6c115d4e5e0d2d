"""The canonical tariff: the OCPI 2.2.1 Tariff model plus our documented extension.

Every price the hub computes (quotes, holds, bills, re-rating, ``evroam price``)
is computed from an ``ElementTariff`` by ``pricing.engine``. It is the Tariffs
module's model (OCPI 2.2.1, tag v2.2.1-d2, section 11.3.1 Tariff object,
11.4.4 TariffElement, 11.4.2 PriceComponent, 11.4.6 TariffRestrictions) free of
wire types, with one optional ``Extension`` per element for what OCPI cannot
say (ADR 0022): the electricity/service split of an ENERGY price, a period
name, months, free parking minutes, a daily parking cap and the idle fee. A
tariff without the extension prices exactly as the spec says.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from evroam.pricing.errors import InvalidSessionError, InvalidTariffError


class Dimension(enum.StrEnum):
    """Tariffs module, 11.4.7 TariffDimensionType."""

    ENERGY = "ENERGY"  # per kWh, step_size in Wh
    FLAT = "FLAT"  # once per session, no step_size
    PARKING_TIME = "PARKING_TIME"  # per hour not charging, step_size in s
    TIME = "TIME"  # per hour charging (or reserved), step_size in s


class Reservation(enum.StrEnum):
    """Tariffs module, 11.4.5 ReservationRestrictionType."""

    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


@dataclass(frozen=True, slots=True)
class PriceComponent:
    """``price`` excludes VAT; ``vat_percent`` None means none is given (not 0 %).

    ``step_size`` is the block the volume is billed in (Wh, s); FLAT has none.
    """

    dimension: Dimension
    price: Decimal
    step_size: int = 1
    vat_percent: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.price.is_finite():
            raise InvalidTariffError("price", "must be a finite number")
        if self.step_size < 1:
            raise InvalidTariffError(
                "step_size",
                "must be at least 1 (11.4.2 PriceComponent: billed in blocks)",
            )
        if self.vat_percent is not None and (
            not self.vat_percent.is_finite() or self.vat_percent < 0
        ):
            raise InvalidTariffError("vat", "must be a percentage of 0 or more")


@dataclass(frozen=True, slots=True)
class MeteredPeriod:
    """A charging period: from ``started_at`` until the next period starts.

    Power and current are what the period ran at (None: not measured); a period
    measured with a single value sets min and max alike. ``reservation_s`` is
    OCPI's RESERVATION_TIME (a reservation before charging).
    """

    started_at: datetime
    energy_kwh: Decimal = Decimal(0)
    charging_s: Decimal = Decimal(0)
    parking_s: Decimal = Decimal(0)
    min_power_kw: Decimal | None = None
    max_power_kw: Decimal | None = None
    min_current_a: Decimal | None = None
    max_current_a: Decimal | None = None
    reservation_s: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.started_at.tzinfo is None:
            raise InvalidSessionError("start_date_time", "must be timezone-aware")
        object.__setattr__(self, "started_at", self.started_at.astimezone(UTC))
        for name in ("energy_kwh", "charging_s", "parking_s", "reservation_s"):
            value: Decimal = getattr(self, name)
            if not value.is_finite() or value < 0:
                raise InvalidSessionError(name, "must be a finite number >= 0")


@dataclass(frozen=True, slots=True)
class PeriodState:
    """What restrictions look at when a period starts: the local time, the
    session's duration so far (s) and its energy so far (kWh)."""

    local: datetime
    elapsed_s: Decimal
    energy_so_far_kwh: Decimal


def _at_least(value: Decimal | None, bound: Decimal | None) -> bool:
    """min_* restrictions are inclusive; an unmeasured value never matches."""
    return bound is None or (value is not None and value >= bound)


def _below(value: Decimal | None, bound: Decimal | None) -> bool:
    """max_* restrictions are exclusive; an unmeasured value never matches."""
    return bound is None or (value is not None and value < bound)


@dataclass(frozen=True, slots=True)
class Restrictions:
    """Tariffs module, 11.4.6 TariffRestrictions.

    Times and dates are local to the station; ``end_time`` at or before
    ``start_time`` wraps past midnight; ``end_date`` and every max_* are
    exclusive, every min_* inclusive. ``days_of_week`` are ISO numbers
    (1 = Monday; empty: every day). ``months`` is ours (ADR 0003): the months
    a time-of-use window applies in (empty: every month).
    """

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
    reservation: Reservation | None = None
    months: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if any(not 1 <= d <= 7 for d in self.days_of_week):
            raise InvalidTariffError("day_of_week", "days are MONDAY to SUNDAY")
        if any(not 1 <= m <= 12 for m in self.months):
            raise InvalidTariffError("evroam.months", "months are 1 to 12")
        for name in ("min_duration_s", "max_duration_s"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InvalidTariffError(name.removesuffix("_s"), "must be >= 0")

    @property
    def is_reservation(self) -> bool:
        return self.reservation is not None

    def allows(self, period: MeteredPeriod, state: PeriodState) -> bool:
        return (
            self._time_ok(state.local.time().replace(tzinfo=None))
            and self._day_ok(state.local.date())
            and self._amounts_ok(state)
            and self._power_ok(period)
        )

    def allows_at(self, local: datetime) -> bool:
        """Whether the time and date restrictions hold at ``local`` (the
        restrictions that need no session: for a price shown on the map)."""
        return self._time_ok(local.time().replace(tzinfo=None)) and self._day_ok(
            local.date()
        )

    def needs_session(self) -> bool:
        """Whether a charge's energy, duration, power or current decides it."""
        return any(
            value is not None
            for value in (
                self.min_kwh,
                self.max_kwh,
                self.min_current_a,
                self.max_current_a,
                self.min_power_kw,
                self.max_power_kw,
                self.min_duration_s,
                self.max_duration_s,
            )
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
        if self.months and day.month not in self.months:
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
class Extension:
    """Our ``evroam`` object on a TariffElement (ADR 0003, ADR 0022).

    - ``service_price``: the service-fee share of this element's ENERGY price
      (per kWh, same basis); the rest is the electricity fee. None: all of it is
      electricity.
    - ``period``: the time-of-use period's name (sharp, peak, flat, valley).
    - ``free_minutes``: the first minutes of PARKING_TIME this element does
      not bill (free parking after charging, an idle fee's grace minutes).
    - ``daily_cap``: at most this much PARKING_TIME cost per local day.
    - ``is_idle_fee``: this PARKING_TIME element is the operator's idle fee,
      billed on top of the parking fee (its own first-match choice).
    - ``idle_cap``: at most this much idle fee per session.
    """

    service_price: Decimal | None = None
    period: str | None = None
    free_minutes: int = 0
    daily_cap: Decimal | None = None
    is_idle_fee: bool = False
    idle_cap: Decimal | None = None

    def __post_init__(self) -> None:
        if self.free_minutes < 0:
            raise InvalidTariffError("evroam.free_minutes", "must be >= 0")
        for name in ("service_price", "daily_cap", "idle_cap"):
            value = getattr(self, name)
            if value is not None and (not value.is_finite() or value < 0):
                raise InvalidTariffError(f"evroam.{name}", "must be a number >= 0")


NO_EXTENSION = Extension()


@dataclass(frozen=True, slots=True)
class TariffElement:
    components: tuple[PriceComponent, ...]
    restrictions: Restrictions | None = None
    extension: Extension = field(default=NO_EXTENSION)

    def __post_init__(self) -> None:
        if not self.components:
            raise InvalidTariffError(
                "price_components", "an element needs at least one (11.4.4)"
            )

    def component(self, dimension: Dimension) -> PriceComponent | None:
        for component in self.components:
            if component.dimension is dimension:
                return component
        return None

    @property
    def reservation(self) -> Reservation | None:
        return None if self.restrictions is None else self.restrictions.reservation

    def allows(self, period: MeteredPeriod, state: PeriodState) -> bool:
        return self.restrictions is None or self.restrictions.allows(period, state)


@dataclass(frozen=True, slots=True)
class PriceBound:
    """Tariffs module, Tariff object, min_price / max_price (a Price)."""

    excl_vat: Decimal
    incl_vat: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ElementTariff:
    """A tariff: elements in order, an optional min/max total (11.3.1)."""

    id: str
    currency: str
    elements: tuple[TariffElement, ...]
    min_price: PriceBound | None = None
    max_price: PriceBound | None = None

    def __post_init__(self) -> None:
        if not self.elements:
            raise InvalidTariffError("elements", "a tariff needs at least one (11.3.1)")
        if len(self.currency) != 3:
            raise InvalidTariffError("currency", "an ISO 4217 code of 3 letters")

    @property
    def has_parking(self) -> bool:
        """Whether an element (not the idle fee) prices PARKING_TIME."""
        return any(
            e.component(Dimension.PARKING_TIME) is not None
            and not e.extension.is_idle_fee
            for e in self.elements
        )

    @property
    def has_idle_fee(self) -> bool:
        return any(e.extension.is_idle_fee for e in self.elements)

    def with_elements(self, *extra: TariffElement) -> ElementTariff:
        """This tariff with ``extra`` elements after its own."""
        return ElementTariff(
            self.id,
            self.currency,
            (*self.elements, *extra),
            self.min_price,
            self.max_price,
        )


@dataclass(frozen=True, slots=True)
class TariffVersion:
    """One version of a tariff, in force from ``valid_from`` until the next
    version's ``valid_from`` (ADR 0023). ``seq`` orders every version stored."""

    tariff: ElementTariff
    valid_from: datetime
    seq: int = 0

    @property
    def ref(self) -> str:
        return f"{self.tariff.id}@{self.seq}"
