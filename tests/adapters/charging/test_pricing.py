"""The simulator's charging curve and time-of-use split; the reconciliation rule."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.charging.remote import (
    ChargePeriod,
    DisputeReason,
    OrderTotals,
    find_disputes,
    new_session_ref,
)
from evroam.gateways.tcec.charging import ref_of_seq, start_charge_seq
from evroam.pricing.tariff import (
    PeriodKind,
    PeriodPrice,
    Tariff,
    TouWindow,
)
from evroam.protocols.tcec_102.charging_models import NotificationChargeOrderInfoRequest
from evroam.protocols.tcec_102.profiles import SpellingProfile, read
from evroam.shared.ids import TariffId
from evroam.shared.money import Money
from evroam.simulator.charge import (
    Charge,
    charge_power_kw,
    next_price_change,
    price_periods,
)
from evroam.simulator.prices import price_list_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
TARIFF = Tariff(
    TariffId("t-1"),
    prices=(
        PeriodPrice(PeriodKind.PEAK, Decimal("0.8410"), Decimal("0.5000")),
        PeriodPrice(PeriodKind.FLAT, Decimal("0.5135"), Decimal("0.5000")),
        PeriodPrice(PeriodKind.VALLEY, Decimal("0.2412"), Decimal("0.4000")),
    ),
    windows=(
        TouWindow(time(22), time(6), PeriodKind.VALLEY),
        TouWindow(time(17), time(22), PeriodKind.PEAK),
    ),
)


def expected_money(
    tariff: Tariff, periods: tuple[ChargePeriod, ...], zone: str = "Asia/Shanghai"
) -> tuple[Decimal, Decimal]:
    """Electricity and service money of the periods at the tariff's prices, each
    line rounded to the fen: what the hub would compute from the record."""
    electricity = service = Money.zero()
    for period in periods:
        price = tariff.price_at(period.started_at, zone)
        electricity += Money.of(period.kwh * price.electricity_per_kwh)
        service += Money.of(period.kwh * price.service_per_kwh)
    return electricity.amount, service.amount


def a_charge(started_local: datetime, power_kw: float = 120.0, soc: float = 0.2):
    started = started_local.astimezone(UTC)
    return Charge(
        ref=new_session_ref(),
        session_id="s-1",
        pile="S1/E01",
        tariff=price_list_of(TARIFF),
        zone=SHANGHAI,
        max_power_kw=power_kw,
        battery_kwh=80.0,
        soc=soc,
        started_at=started,
        now=started,
    )


class TestChargingCurve:
    def test_charges_at_full_power_below_eighty_percent(self):
        assert charge_power_kw(120.0, 0.5) == 120.0

    def test_tapers_above_eighty_percent_but_never_below_a_tenth(self):
        assert charge_power_kw(120.0, 0.9) == pytest.approx(60.0)
        assert charge_power_kw(120.0, 0.999) == pytest.approx(12.0)

    def test_a_battery_never_goes_past_full(self):
        charge = a_charge(datetime(2024, 11, 1, 12, tzinfo=SHANGHAI), soc=0.95)
        charge.advance(3 * 3600)
        assert charge.soc == 1.0
        assert charge.kwh == pytest.approx(0.05 * 80.0)


class TestTimeOfUseSplit:
    def test_the_next_price_change_is_the_next_window_edge(self):
        local = datetime(2024, 11, 1, 16, 30, tzinfo=SHANGHAI)
        assert next_price_change(price_list_of(TARIFF), local) == local.replace(
            hour=17, minute=0
        )

    def test_a_charge_across_a_price_change_is_split_into_two_periods(self):
        charge = a_charge(datetime(2024, 11, 1, 16, 45, tzinfo=SHANGHAI))
        charge.advance(30 * 60)
        kinds = [p.kind for p in charge.periods]
        assert kinds == [PeriodKind.FLAT, PeriodKind.PEAK]
        assert charge.periods[0].kwh == pytest.approx(30.0)  # 15 min at 120 kW
        assert charge.periods[1].started_at == charge.periods[0].ended_at

    def test_each_period_is_priced_at_its_own_rates(self):
        charge = a_charge(datetime(2024, 11, 1, 16, 45, tzinfo=SHANGHAI))
        charge.advance(30 * 60)
        flat, peak = price_periods(price_list_of(TARIFF), charge.periods)
        assert (flat.kwh, flat.electricity_money) == (
            Decimal("30.00"),
            Decimal("15.41"),
        )
        assert peak.electricity_per_kwh == Decimal("0.8410")
        assert peak.service_money == Decimal("15.00")


class TestReconciliation:
    def test_matching_orders_raise_no_dispute(self):
        order = OrderTotals("R1", Decimal("12.34"), Decimal("15.20"))
        assert find_disputes([order], [order]) == ()

    def test_an_order_we_never_saw_is_disputed_as_not_found(self):
        order = OrderTotals("R1", Decimal("12.34"), Decimal("15.20"))
        (dispute,) = find_disputes([order], [])
        assert dispute.reason is DisputeReason.NOT_FOUND

    def test_other_money_or_energy_is_disputed_as_such(self):
        theirs = [
            OrderTotals("R1", Decimal("12.34"), Decimal("15.20")),
            OrderTotals("R2", Decimal("10.00"), Decimal("9.00")),
        ]
        ours = [
            OrderTotals("R1", Decimal("12.34"), Decimal("15.21")),
            OrderTotals("R2", Decimal("10.01"), Decimal("9.00")),
        ]
        reasons = [d.reason for d in find_disputes(theirs, ours)]
        assert reasons == [DisputeReason.MONEY, DisputeReason.ENERGY]


class TestStartChargeSeq:
    @given(
        st.text(
            alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=18, max_size=18
        )
    )
    def test_a_seq_is_27_characters_and_gives_back_its_ref(self, ref):
        seq = start_charge_seq("MA0EVROAM", ref)
        assert len(seq) == 27
        assert ref_of_seq(seq) == ref

    @pytest.mark.parametrize(
        ("field", "profile"),
        [
            ("TotalSeviceMoney", SpellingProfile.STANDARD),
            ("TotalServiceMoney", SpellingProfile.SERVICE),
        ],
    )
    def test_an_order_reads_the_service_fee_in_the_partners_profile(
        self, field, profile
    ):
        body = read(
            {
                "StartChargeSeq": "MA0EVROAM" + "A" * 18,
                "ConnectorID": "S1E01",
                "StartTime": "2024-11-01 16:45:00",
                "EndTime": "2024-11-01 17:15:00",
                "TotalPower": 60,
                "TotalElecMoney": 40.64,
                field: 30,
                "TotalMoney": 70.64,
                "StopReason": 1,
            },
            profile,
        )
        order = NotificationChargeOrderInfoRequest.model_validate(body)
        assert order.TotalSeviceMoney == Decimal(30)
