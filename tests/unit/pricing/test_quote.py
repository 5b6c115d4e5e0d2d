"""Quoting a charge: time-of-use split, parking, discounts and one rounding point."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.catalogue.model import ParkingRule
from evroam.pricing.bill import TIMES as X
from evroam.pricing.bill import Bill, BillLine, LineKind
from evroam.pricing.discount import DiscountContext, brand_first_year
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession, EnergySample
from evroam.pricing.tariff import IdleFee, PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.shared.ids import OperatorId, TariffId
from evroam.shared.money import Money
from tests.builders import a_tariff

SHANGHAI = "Asia/Shanghai"
NO_PARKING_FEE = ParkingRule(0, Money.zero())
SHARP = PeriodPrice(PeriodKind.SHARP, Decimal("1.3000"), Decimal("0.8000"))


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(SHANGHAI))


def flat_charge(start: datetime, hours: float, kwh: str, **kw: int) -> ChargeSession:
    return ChargeSession.flat(start, start + timedelta(hours=hours), Decimal(kwh), **kw)


def quote(session: ChargeSession, tariff: Tariff | None = None, **kw: Any) -> Bill:
    return quote_charge(
        tariff or a_tariff(), kw.pop("parking", NO_PARKING_FEE), session, SHANGHAI, **kw
    )


def kwh_by_period(bill: Bill) -> dict[str, Decimal]:
    return {
        line.period: line.quantity
        for line in bill.lines
        if line.kind is LineKind.ELECTRICITY
    }


def with_july_sharp_peak() -> Tariff:
    standard = a_tariff()
    return a_tariff(
        prices=(*standard.prices, SHARP),
        windows=(
            TouWindow(time(11), time(13), PeriodKind.SHARP, frozenset({7, 8})),
            *standard.windows,
        ),
    )


class TestTimeOfUseSplit:
    def test_a_charge_across_23_00_is_split_between_flat_and_valley(self):
        bill = quote(flat_charge(at(11, 2, 22), 2, "20"))
        assert kwh_by_period(bill) == {"flat": Decimal(10), "valley": Decimal(10)}
        assert [line.describe() for line in bill.lines] == [
            f"electricity, flat, 10.000 kWh {X} ¥0.6500",
            f"service, flat, 10.000 kWh {X} ¥0.6000",
            f"electricity, valley, 10.000 kWh {X} ¥0.3100",
            f"service, valley, 10.000 kWh {X} ¥0.4000",
        ]
        assert bill.partner_total == Money.of("19.60")

    def test_follows_the_energy_timeline_not_the_clock(self):
        start = at(11, 2, 22)
        session = ChargeSession(
            start,
            start + timedelta(minutes=90),
            (
                EnergySample(start + timedelta(minutes=30), Decimal(15)),
                EnergySample(start + timedelta(minutes=90), Decimal(20)),
            ),
        )
        assert kwh_by_period(quote(session)) == {
            "flat": Decimal("17.5"),
            "valley": Decimal("2.5"),
        }

    def test_a_charge_across_midnight_stays_in_the_valley(self):
        bill = quote(flat_charge(at(11, 2, 23, 30), 1, "30"))
        assert kwh_by_period(bill) == {"valley": Decimal(30)}

    def test_a_charge_across_07_00_leaves_the_valley(self):
        bill = quote(flat_charge(at(11, 3, 6, 30), 1, "30"))
        assert kwh_by_period(bill) == {"valley": Decimal(15), "flat": Decimal(15)}

    def test_the_sharp_peak_applies_in_july_only(self):
        tariff = with_july_sharp_peak()
        july = quote(flat_charge(at(7, 15, 11), 1, "40"), tariff)
        june = quote(flat_charge(at(6, 15, 11), 1, "40"), tariff)
        assert kwh_by_period(july) == {"sharp": Decimal(40)}
        assert kwh_by_period(june) == {"peak": Decimal(40)}


class TestParking:
    rule = ParkingRule(60, Money.of("5.00"), Money.of("30.00"))

    def parking_lines(self, session: ChargeSession) -> list[BillLine]:
        bill = quote(session, parking=self.rule)
        return [line for line in bill.lines if line.kind is LineKind.PARKING]

    def test_parking_within_the_free_minutes_costs_nothing(self):
        assert (
            self.parking_lines(flat_charge(at(11, 2, 10), 1, "10", parking_minutes=60))
            == []
        )

    def test_bills_every_started_15_minutes_after_the_free_ones(self):
        (line,) = self.parking_lines(
            flat_charge(at(11, 2, 10), 1, "10", parking_minutes=61)
        )
        assert (line.quantity, line.amount) == (Decimal("0.25"), Money.of("1.25"))

    def test_a_days_parking_fee_is_capped(self):
        (line,) = self.parking_lines(
            flat_charge(at(11, 2, 8), 1, "10", parking_minutes=60 + 10 * 60)
        )
        assert line.amount == Money.of("30.00")
        assert "capped" in line.describe()

    def test_each_local_day_has_its_own_cap(self):
        lines = self.parking_lines(
            flat_charge(at(11, 2, 14), 1, "10", parking_minutes=60 + 20 * 60)
        )
        assert [(line.period, line.amount) for line in lines] == [
            ("2026-11-02", Money.of("30.00")),
            ("2026-11-03", Money.of("30.00")),
        ]


class TestIdleFee:
    idle = IdleFee(grace_minutes=15, per_minute=Decimal("0.50"), cap=Decimal("30"))

    def bill(self, parking_minutes: int, **kw: Any) -> Bill:
        session = flat_charge(at(11, 2, 10), 1, "20", parking_minutes=parking_minutes)
        return quote(session, a_tariff(idle=self.idle), **kw)

    def idle_lines(self, bill: Bill) -> list[BillLine]:
        return [line for line in bill.lines if line.kind is LineKind.IDLE]

    def test_leaving_within_the_grace_minutes_costs_nothing(self):
        assert self.idle_lines(self.bill(15)) == []

    def test_bills_each_whole_minute_after_the_grace(self):
        (line,) = self.idle_lines(self.bill(40))
        assert (line.quantity, line.unit, line.amount) == (
            Decimal(25),
            "min",
            Money.of("12.50"),
        )
        assert line.describe() == (
            f"idle, after charging, 25 min {X} ¥0.5000 (after 15 free minutes)"
        )

    def test_is_capped_per_session(self):
        (line,) = self.idle_lines(self.bill(8 * 60))
        assert line.amount == Money.of("30.00")
        assert "capped at 30.00 CNY" in line.describe()

    def test_is_owed_to_the_partner_on_top_of_parking_and_never_discounted(self):
        campaign = brand_first_year("Xiaomi", 10)
        context = DiscountContext(
            "Xiaomi", date(2026, 3, 1), OperatorId("x"), at(11, 2, 10)
        )
        bill = self.bill(
            75,
            parking=ParkingRule(60, Money.of("4.00")),
            discounts=[campaign],
            context=context,
        )
        # peak 20 kWh x (1.02 + 0.80) = 36.40; parking 1 block 1.00; idle 60 min 30.00
        assert bill.partner_total == Money.of("67.40")
        assert bill.discount_total == Money.of("3.64")
        assert bill.driver_total == Money.of("63.76")

    def test_a_tariff_without_one_bills_no_idle_line(self):
        bill = quote(flat_charge(at(11, 2, 10), 1, "20", parking_minutes=600))
        assert self.idle_lines(bill) == []

    def test_rejects_a_fee_of_nothing_or_a_negative_grace(self):
        with pytest.raises(ValueError, match="more than 0"):
            IdleFee(15, Decimal(0))
        with pytest.raises(ValueError, match="negative"):
            IdleFee(-1, Decimal("0.5"))


class TestBrandDiscount:
    campaign = brand_first_year("Xiaomi", 10, operators=["rapidgrid"])
    parking = ParkingRule(0, Money.of("4.00"))

    def context(self, **overrides: Any) -> DiscountContext:
        base = DiscountContext(
            "Xiaomi", date(2026, 3, 1), OperatorId("rapidgrid"), at(11, 2, 10)
        )
        return replace(base, **overrides)

    def bill(self, context: DiscountContext) -> Bill:
        session = flat_charge(at(11, 2, 10), 1, "20", parking_minutes=60)
        return quote(
            session, parking=self.parking, discounts=[self.campaign], context=context
        )

    def test_takes_ten_percent_off_electricity_and_service_only(self):
        bill = self.bill(self.context())
        # peak: 20 kWh x (1.02 + 0.80) = 36.40; parking 1 h x 4.00 = 4.00
        assert bill.partner_total == Money.of("40.40")
        assert bill.discount_total == Money.of("3.64")
        assert bill.driver_total == Money.of("36.76")

    def test_other_brands_pay_full_price(self):
        assert self.bill(self.context(brand="Tesla")).discount_total == Money.zero()

    def test_ends_a_year_after_delivery(self):
        late = self.context(delivery_date=date(2025, 10, 1))
        assert self.bill(late).discount_total == Money.zero()

    def test_applies_only_at_participating_operators(self):
        elsewhere = self.context(operator_id=OperatorId("swapway"))
        assert self.bill(elsewhere).discount_total == Money.zero()


class TestRounding:
    tariff = Tariff(
        TariffId("t-odd"),
        (PeriodPrice(PeriodKind.FLAT, Decimal("1.0050"), Decimal("0.0050")),),
        (),
    )

    def test_rounds_each_line_half_up_to_the_fen(self):
        bill = quote(flat_charge(at(11, 2, 10), 1, "1"), self.tariff)
        assert [line.amount for line in bill.lines] == [
            Money.of("1.01"),
            Money.of("0.01"),
        ]
        assert bill.partner_total == Money.of("1.02")


# --- properties ---------------------------------------------------------------

ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Asia/Kolkata"]


@st.composite
def sessions(draw: st.DrawFn) -> ChargeSession:
    start = draw(
        st.datetimes(
            min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - made aware below
            max_value=datetime(2027, 1, 1),  # noqa: DTZ001
            timezones=st.just(UTC),
        )
    )
    minutes = draw(st.integers(0, 20 * 60))
    offsets = sorted(draw(st.sets(st.integers(0, minutes), max_size=5)))
    steps = draw(
        st.lists(
            st.decimals(0, 80, places=3), min_size=len(offsets), max_size=len(offsets)
        )
    )
    total, samples = Decimal(0), []
    for offset, step in zip(offsets, steps, strict=True):
        total += step
        samples.append(EnergySample(start + timedelta(minutes=offset), total))
    return ChargeSession(
        start,
        start + timedelta(minutes=minutes),
        tuple(samples),
        parking_minutes=draw(st.integers(0, 3000)),
    )


def priced(session: ChargeSession) -> Bill:
    return quote_charge(
        with_july_sharp_peak(),
        ParkingRule(30, Money.of("6.00"), Money.of("50.00")),
        session,
        SHANGHAI,
        [brand_first_year(percent=15)],
    )


class TestBillInvariants:
    @given(sessions())
    def test_lines_sum_to_the_totals(self, session):
        bill = priced(session)
        owed = [
            line.amount for line in bill.lines if line.kind is not LineKind.DISCOUNT
        ]
        taken = [line.amount for line in bill.lines if line.kind is LineKind.DISCOUNT]
        assert sum(owed, Money.zero()) == bill.partner_total
        assert sum(taken, Money.zero()) == bill.discount_total
        assert bill.driver_total == bill.partner_total - bill.discount_total

    @given(sessions())
    def test_splitting_into_periods_never_changes_the_energy(self, session):
        assert sum(kwh_by_period(priced(session)).values(), Decimal(0)) == (
            session.total_kwh
        )

    @given(sessions())
    def test_the_driver_never_pays_more_than_the_partner_is_owed(self, session):
        bill = priced(session)
        assert Money.zero() <= bill.driver_total <= bill.partner_total

    @given(sessions(), st.sampled_from(ZONES))
    def test_the_zone_the_times_are_written_in_changes_nothing(self, session, zone):
        def moved(moment: datetime) -> datetime:
            return moment.astimezone(ZoneInfo(zone))

        shifted = ChargeSession(
            moved(session.started_at),
            moved(session.ended_at),
            tuple(EnergySample(moved(s.at), s.energy_kwh) for s in session.energy),
            session.parking_minutes,
        )
        assert priced(shifted) == priced(session)
