"""OCPI element tariffs: restriction edges, step_size and the first-match rule."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from evroam.pricing.elements import (
    Dimension,
    ElementTariff,
    MeteredPeriod,
    PriceComponent,
    Reservation,
    Restrictions,
    TariffElement,
)
from evroam.pricing.engine import price_cdr_periods
from evroam.pricing.errors import InvalidSessionError

ZONE = "Asia/Shanghai"
CHEAP, DEAR = Decimal("0.10"), Decimal("1.00")


def at(hour: int, minute: int = 0, day: date = date(2026, 11, 2)) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(ZONE))


def energy(price: Decimal, step_size: int = 1) -> PriceComponent:
    return PriceComponent(Dimension.ENERGY, price, step_size)


def cheap_when(restrictions: Restrictions) -> ElementTariff:
    return ElementTariff(
        "t",
        "CNY",
        (
            TariffElement((energy(CHEAP),), restrictions),
            TariffElement((energy(DEAR),)),
        ),
    )


def price_of_last_kwh(tariff: ElementTariff, *periods: MeteredPeriod) -> Decimal:
    """The price the last (1 kWh) period is billed at."""

    def cost(chosen: tuple[MeteredPeriod, ...]) -> Decimal:
        if not chosen:
            return Decimal(0)
        lines = price_cdr_periods(tariff, chosen, ZONE).lines
        return sum((line.cost_excl_vat for line in lines), Decimal(0))

    return cost(periods) - cost(periods[:-1])


def one_kwh(start: datetime, **kw: Decimal) -> MeteredPeriod:
    return MeteredPeriod(start, energy_kwh=Decimal(1), **kw)


class TestTimeOfDay:
    night = Restrictions(start_time=time(22), end_time=time(6))

    @pytest.mark.parametrize(
        ("hour", "minute", "price"),
        [(22, 0, CHEAP), (23, 30, CHEAP), (5, 59, CHEAP), (6, 0, DEAR), (21, 59, DEAR)],
    )
    def test_a_window_ending_before_it_starts_wraps_past_midnight(
        self, hour, minute, price
    ):
        tariff = cheap_when(self.night)
        assert price_of_last_kwh(tariff, one_kwh(at(hour, minute))) == price

    def test_local_time_is_read_in_the_stations_zone(self):
        utc_evening = datetime(2026, 11, 2, 15, 0, tzinfo=ZoneInfo("UTC"))  # 23:00
        assert price_of_last_kwh(cheap_when(self.night), one_kwh(utc_evening)) == CHEAP


class TestDates:
    restrictions = Restrictions(
        start_date=date(2026, 11, 2), end_date=date(2026, 11, 3)
    )

    def test_start_date_is_inclusive_and_end_date_exclusive(self):
        tariff = cheap_when(self.restrictions)
        assert price_of_last_kwh(tariff, one_kwh(at(0, 0))) == CHEAP
        next_day = at(0, 0, date(2026, 11, 3))
        assert price_of_last_kwh(tariff, one_kwh(next_day)) == DEAR


class TestEnergyAndDurationSoFar:
    def test_max_kwh_is_exclusive_on_the_energy_before_the_period(self):
        tariff = cheap_when(Restrictions(max_kwh=Decimal(10)))
        first = MeteredPeriod(at(10), energy_kwh=Decimal(10))
        assert price_of_last_kwh(tariff, first, one_kwh(at(11))) == DEAR

    def test_min_kwh_is_inclusive(self):
        tariff = cheap_when(Restrictions(min_kwh=Decimal(10)))
        first = MeteredPeriod(at(10), energy_kwh=Decimal(10))
        assert price_of_last_kwh(tariff, first, one_kwh(at(11))) == CHEAP

    def test_min_duration_is_inclusive_and_counts_from_the_session_start(self):
        tariff = cheap_when(Restrictions(min_duration_s=3600))
        first = MeteredPeriod(at(10), energy_kwh=Decimal(2))
        assert price_of_last_kwh(tariff, first, one_kwh(at(11))) == CHEAP
        assert price_of_last_kwh(tariff, first, one_kwh(at(10, 59))) == DEAR


class TestPowerAndCurrent:
    def test_an_unmeasured_power_never_matches_a_power_restriction(self):
        tariff = cheap_when(Restrictions(max_power_kw=Decimal(50)))
        assert price_of_last_kwh(tariff, one_kwh(at(10))) == DEAR

    def test_min_current_is_inclusive(self):
        tariff = cheap_when(Restrictions(min_current_a=Decimal(32)))
        period = one_kwh(at(10), min_current_a=Decimal(32))
        assert price_of_last_kwh(tariff, period) == CHEAP


class TestReservations:
    def test_reservation_elements_never_price_a_charge(self):
        tariff = cheap_when(Restrictions(reservation=Reservation.RESERVATION))
        assert price_of_last_kwh(tariff, one_kwh(at(10))) == DEAR


class TestStepSize:
    """PriceComponent note: 115.2 Wh at 0.25/kWh with several step sizes."""

    @pytest.mark.parametrize(
        ("step", "cost"),
        [(1, "0.0290"), (25, "0.03125"), (500, "0.125")],
    )
    def test_energy_is_billed_in_whole_steps(self, step, cost):
        tariff = ElementTariff(
            "t", "EUR", (TariffElement((energy(Decimal("0.25"), step),)),)
        )
        period = MeteredPeriod(at(10), energy_kwh=Decimal("0.1152"))
        (line,) = price_cdr_periods(tariff, [period], ZONE).lines
        assert line.cost_excl_vat == Decimal(cost)

    def test_a_session_without_periods_is_refused(self):
        tariff = cheap_when(Restrictions())
        with pytest.raises(InvalidSessionError):
            price_cdr_periods(tariff, [], ZONE)

    def test_durations_are_rounded_on_the_last_time_element(self):
        hourly = PriceComponent(Dimension.TIME, Decimal(6), 600)
        tariff = ElementTariff("t", "CNY", (TariffElement((hourly,)),))
        period = MeteredPeriod(at(10), charging_s=Decimal(601))
        bill = price_cdr_periods(tariff, [period], ZONE)
        assert bill.lines[0].quantity * 3600 == 1200
        assert bill.total_excl_vat.amount == Decimal("2.00")
