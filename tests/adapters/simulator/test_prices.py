"""The simulated operator bills with its own code; for its own terms it agrees
with the hub's engine to the fen (ADR 0038), also across midnight and caps."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from evroam.catalogue.model import ParkingRule
from evroam.pricing.bill import LineKind
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession
from evroam.pricing.tariff import IdleFee, PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.scenario import reference_scenario
from evroam.shared.ids import TariffId
from evroam.shared.money import Money
from evroam.simulator.prices import car_park_fee, car_park_of, idle_fee, price_list_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
TARIFF = Tariff(
    TariffId("t-1"),
    prices=(
        PeriodPrice(PeriodKind.PEAK, Decimal("0.8410"), Decimal("0.7000")),
        PeriodPrice(PeriodKind.FLAT, Decimal("0.5135"), Decimal("0.7000")),
        PeriodPrice(PeriodKind.VALLEY, Decimal("0.2412"), Decimal("0.4000")),
    ),
    windows=(
        TouWindow(time(22), time(6), PeriodKind.VALLEY),
        TouWindow(time(17), time(22), PeriodKind.PEAK, frozenset({6, 7, 8})),
    ),
    idle=IdleFee(15, Decimal("0.35"), Decimal("20")),
)


def hub_fees(parking: ParkingRule, charged_until: datetime, minutes: int):
    session = ChargeSession.flat(
        charged_until - timedelta(hours=1),
        charged_until,
        Decimal("20"),
        parking_minutes=minutes,
    )
    bill = quote_charge(TARIFF, parking, session, SHANGHAI.key)
    fees = {LineKind.PARKING: Decimal(0), LineKind.IDLE: Decimal(0)}
    for line in bill.lines:
        if line.kind in fees:
            fees[line.kind] += line.amount.amount
    return fees[LineKind.PARKING], fees[LineKind.IDLE]


@pytest.mark.parametrize(
    ("parking", "local_end", "minutes"),
    [
        (
            ParkingRule(30, Money.of("6")),
            datetime(2024, 11, 1, 16, 40, 7, tzinfo=SHANGHAI),
            50,
        ),
        (
            ParkingRule(0, Money.of("5")),
            datetime(2024, 11, 1, 23, 50, 31, tzinfo=SHANGHAI),
            47,
        ),
        (
            ParkingRule(60, Money.of("4")),
            datetime(2024, 11, 1, 23, 10, 5, tzinfo=SHANGHAI),
            200,
        ),
        (
            ParkingRule(15, Money.of("8"), Money.of("30")),
            datetime(2024, 11, 1, 10, 0, 0, tzinfo=SHANGHAI),
            2000,
        ),
        (
            ParkingRule(0, Money.zero()),
            datetime(2024, 11, 1, 10, 0, 0, tzinfo=SHANGHAI),
            90,
        ),
        (
            ParkingRule(30, Money.of("6")),
            datetime(2024, 11, 1, 10, 0, 0, tzinfo=SHANGHAI),
            10,
        ),
    ],
)
def test_car_park_and_idle_fee_agree_with_the_hub(parking, local_end, minutes):
    charged_until = local_end.astimezone(UTC)
    unplugged = charged_until + timedelta(minutes=minutes, seconds=42)
    ours = (
        car_park_fee(car_park_of(parking), charged_until, unplugged, SHANGHAI),
        idle_fee(price_list_of(TARIFF).idle, charged_until, unplugged),
    )
    assert ours == hub_fees(parking, charged_until, minutes)


def test_the_day_is_cut_into_the_same_periods_as_the_hub_cuts_it():
    ours = price_list_of(TARIFF)
    for hour in range(24):
        for month in (1, 7):
            local = datetime(2024, month, 3, hour, 30, tzinfo=SHANGHAI)
            assert ours.period_at(local) == TARIFF.kind_at(local)
            unit = ours.prices_for(ours.period_at(local))
            hub = TARIFF.price_at(local, SHANGHAI.key)
            assert (unit.electricity_per_kwh, unit.service_per_kwh) == (
                hub.electricity_per_kwh,
                hub.service_per_kwh,
            )


def test_every_generated_tariff_becomes_a_price_list_of_the_same_prices():
    scenario = reference_scenario(7)
    for tariff in scenario.tariffs[:50]:
        ours = price_list_of(tariff)
        assert ours.default_period == tariff.default_kind
        assert {
            (k, p.electricity_per_kwh, p.service_per_kwh)
            for k, p in ours.prices.items()
        } == {(p.kind, p.electricity_per_kwh, p.service_per_kwh) for p in tariff.prices}
