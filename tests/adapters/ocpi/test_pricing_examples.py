"""The OCPI 2.2.1 specification's worked tariff totals, reproduced to the cent.

Totals are quoted from the Tariffs module text (mod_tariffs.asciidoc) next to
each example tariff, and from the example CDR's own totals (CDRs module).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from evroam.gateways.ocpi.pricing_mapping import (
    element_tariff_from_ocpi,
    metered_periods_from_ocpi,
    price_cdr,
)
from evroam.pricing.elements import Dimension, ElementBill, price_cdr_periods
from evroam.pricing.periods import price_session
from evroam.pricing.session import ChargeSession, EnergySample
from evroam.protocols.ocpi_2_2_1.models import CDR, ChargingPeriod
from evroam.protocols.ocpi_2_2_1.models import Tariff as OcpiTariff
from evroam.shared.money import Money

SPEC = Path(__file__).parents[3] / "tests/fixtures/ocpi-2.2.1-examples"
BERLIN = "Europe/Berlin"


def tariff(name: str) -> OcpiTariff:
    return OcpiTariff.model_validate_json((SPEC / f"{name}.json").read_text())


def local(day: str, hh_mm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hh_mm}").replace(tzinfo=ZoneInfo(BERLIN))


def period(at: datetime, **volumes: Decimal | int | str) -> ChargingPeriod:
    """A wire charging period; TIME/PARKING_TIME given in minutes here."""
    dimensions = []
    for name, value in volumes.items():
        volume = Decimal(value)
        if name in {"TIME", "PARKING_TIME"}:
            volume = volume / 60
        dimensions.append({"type": name, "volume": volume})
    return ChargingPeriod.model_validate(
        {"start_date_time": at, "dimensions": dimensions}
    )


def bill(name: str, *periods: ChargingPeriod) -> ElementBill:
    return price_cdr_periods(
        element_tariff_from_ocpi(tariff(name)),
        metered_periods_from_ocpi(periods),
        BERLIN,
    )


def eur(value: str) -> Money:
    return Money.of(value, "EUR")


MONDAY, SATURDAY = "2024-07-01", "2024-07-06"


class TestStepSizeWhenSwitchingElements:
    """Tariffs module, PriceComponent, "Example Tariff" (tariff_14_step_size)."""

    def test_parking_within_the_rounded_up_charging_time_is_not_billed(self):
        result = bill(
            "tariff_14_step_size",
            period(local(MONDAY, "16:55"), TIME=5),
            period(local(MONDAY, "17:00"), TIME=5),
            period(local(MONDAY, "17:05"), PARKING_TIME=2),
        )
        assert result.total_excl_vat == eur("0.50")
        assert result.cost(Dimension.PARKING_TIME)[0] == eur("0")

    def test_rounds_the_whole_charging_time_to_the_last_elements_step(self):
        result = bill(
            "tariff_14_step_size",
            period(local(MONDAY, "16:35"), TIME=25),
            period(local(MONDAY, "17:00"), TIME=10),
        )
        assert result.total_excl_vat == eur("1.30")

    def test_parking_after_the_switch_to_a_free_element_costs_nothing(self):
        result = bill(
            "tariff_14_step_size",
            period(local(MONDAY, "19:55"), TIME=5),
            period(local(MONDAY, "20:00"), TIME=5),
            period(local(MONDAY, "20:05"), PARKING_TIME=2),
        )
        assert result.total_excl_vat == eur("0.60")

    def test_a_priced_session_cut_at_the_element_edges_gives_the_same_total(self):
        start, end = local(MONDAY, "16:55"), local(MONDAY, "17:05")
        session = ChargeSession.flat(start, end, Decimal(2), parking_minutes=2)
        result = price_session(
            element_tariff_from_ocpi(tariff("tariff_14_step_size")), session, BERLIN
        )
        assert result.total_excl_vat == eur("0.50")
        assert result.total_incl_vat is None  # the tariff gives no VAT


class TestMaxPowerRestriction:
    """TariffRestrictions, "Example: Tariff with max_power Tariff Restrictions"."""

    def test_prices_each_period_by_the_power_it_ran_at(self):
        result = bill(
            "tariffrestriction_example_max_power",
            period(local(MONDAY, "10:00"), ENERGY=1, TIME=10, MAX_POWER=6),
            period(local(MONDAY, "10:10"), ENERGY=40, TIME=50, MAX_POWER=48),
            period(local(MONDAY, "11:00"), ENERGY="0.5", TIME="7.5", MAX_POWER=4),
        )
        assert result.total_excl_vat == eur("20.30")
        assert result.total_incl_vat == eur("24.36")

    def test_power_exactly_at_the_maximum_is_not_below_it(self):
        result = bill(
            "tariffrestriction_example_max_power",
            period(local(MONDAY, "10:00"), ENERGY=10, TIME=60, MAX_POWER=16),
        )
        assert result.total_excl_vat == eur("3.50")


class TestMaxDurationRestriction:
    """TariffRestrictions, "Example: Tariff with max_duration Tariff Restrictions"."""

    def test_first_half_hour_is_free_then_the_second_element_applies(self):
        result = bill(
            "tariffrestriction_example_max_duration",
            period(local(MONDAY, "10:00"), ENERGY=5, TIME=30),
            period(local(MONDAY, "10:30"), ENERGY="1.2", TIME=10),
        )
        assert result.total_excl_vat == eur("0.30")
        assert result.total_incl_vat == eur("0.36")

    def test_a_priced_session_is_cut_at_the_duration_limits(self):
        start = local(MONDAY, "10:00")
        session = ChargeSession(
            start,
            start + timedelta(minutes=40),
            (
                EnergySample(start + timedelta(minutes=30), Decimal(5)),
                EnergySample(start + timedelta(minutes=40), Decimal("6.2")),
            ),
        )
        result = price_session(
            element_tariff_from_ocpi(tariff("tariffrestriction_example_max_duration")),
            session,
            BERLIN,
        )
        assert result.total_excl_vat == eur("0.30")


class TestMinAndMaxPrice:
    @pytest.mark.parametrize(
        ("kwh", "excl", "incl"),
        [("20", "5.00", "5.50"), ("1", "0.50", "0.55")],
    )
    def test_a_minimum_price_lifts_a_small_session(self, kwh, excl, incl):
        result = bill(
            "tariff_12_025kwh_min_price", period(local(MONDAY, "10:00"), ENERGY=kwh)
        )
        assert (result.total_excl_vat, result.total_incl_vat) == (eur(excl), eur(incl))

    @pytest.mark.parametrize(
        ("kwh", "excl", "incl", "bound"),
        [("50", "10.00", "11.00", "max_price"), ("30", "8.00", "8.85", None)],
    )
    def test_a_maximum_price_caps_start_fee_plus_energy(self, kwh, excl, incl, bound):
        result = bill(
            "tariff_6_025kwh_start_max_price",
            period(local(MONDAY, "10:00"), ENERGY=kwh),
        )
        assert (result.total_excl_vat, result.total_incl_vat) == (eur(excl), eur(incl))
        assert result.bound == bound


class TestComplexTariff:
    """Tariffs module, "Complex Tariff example" (tariff_4_complex)."""

    def test_monday_morning_at_16_amperes_with_42_minutes_parking(self):
        result = bill(
            "tariff_4_complex",
            period(local(MONDAY, "09:30"), TIME=147, MAX_CURRENT=16),
            period(local(MONDAY, "11:57"), PARKING_TIME=42),
        )
        assert result.total_excl_vat == eur("8.75")
        assert result.total_incl_vat == eur("10.00")
        assert result.cost(Dimension.PARKING_TIME)[0] == eur("3.75")

    def test_saturday_afternoon_at_43_amperes_with_71_minutes_parking(self):
        result = bill(
            "tariff_4_complex",
            period(local(SATURDAY, "13:30"), TIME=114, MIN_CURRENT=43),
            period(local(SATURDAY, "15:24"), PARKING_TIME=71),
        )
        assert result.total_excl_vat == eur("12.50")
        assert result.total_incl_vat == eur("14.13")


class TestExampleCdr:
    def test_the_engine_reproduces_the_cdrs_own_totals(self):
        cdr = CDR.model_validate(json.loads((SPEC / "cdr_example.json").read_text()))
        result = price_cdr(cdr, "Europe/Brussels")
        assert result.total_excl_vat == eur(str(cdr.total_cost.excl_vat))
        assert result.total_incl_vat == eur(str(cdr.total_cost.incl_vat))
        assert cdr.total_time_cost is not None
        assert result.cost(Dimension.TIME) == (
            eur(str(cdr.total_time_cost.excl_vat)),
            eur(str(cdr.total_time_cost.incl_vat)),
        )
