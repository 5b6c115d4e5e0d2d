"""A full car stays plugged in until its driver is back; its record bills the wait."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from evroam.catalogue.model import ParkingRule
from evroam.charging.receipt import bill_for_record, session_of_periods
from evroam.charging.remote import ChargePeriod
from evroam.gateways.tcec.charging import charge_record_from_order
from evroam.pricing.bill import LineKind
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession
from evroam.pricing.tariff import IdleFee, PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.protocols.tcec_102.charging_models import StopReason
from evroam.shared.ids import OperatorId, TariffId
from evroam.shared.money import Money
from evroam.simulator.charge import (
    Charge,
    SentRecord,
    StopCause,
    charge_record,
)
from evroam.simulator.network import SimulatedNetwork
from evroam.simulator.prices import car_park_of, price_list_of
from evroam.simulator.runner import SimulationRunner, SimulationSettings
from evroam.simulator.sessions import Refusal, SessionSettings, SessionSimulator
from evroam.simulator.site import PileState
from evroam.simulator.tcec_sessions import order_info
from tests.fakes import FixedClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
TARIFF = Tariff(
    TariffId("t-idle"),
    prices=(
        PeriodPrice(PeriodKind.PEAK, Decimal("0.8410"), Decimal("0.7000")),
        PeriodPrice(PeriodKind.FLAT, Decimal("0.5135"), Decimal("0.7000")),
    ),
    windows=(TouWindow(time(17), time(22), PeriodKind.PEAK),),
    idle=IdleFee(15, Decimal("0.50"), Decimal("50")),
)
PARKING = ParkingRule(30, Money.of("6"))  # 30 free minutes, then 6 CNY an hour


def a_charge(soc: float = 0.9, linger_minutes: int = 600) -> Charge:
    started = datetime(2024, 11, 1, 16, 40, 12, 345678, tzinfo=SHANGHAI).astimezone(UTC)
    return Charge(
        ref="R1",
        session_id="s-1",
        pile="S1/E01",
        tariff=price_list_of(TARIFF),
        zone=SHANGHAI,
        max_power_kw=120.0,
        battery_kwh=80.0,
        soc=soc,
        started_at=started,
        now=started,
        parking=car_park_of(PARKING),
        linger_s=60.0 * linger_minutes,
    )


def full_then_plugged(minutes: int, linger_minutes: int = 600) -> Charge:
    """A charge that became full, then stayed plugged in ``minutes`` more."""
    charge = a_charge(linger_minutes=linger_minutes)
    while charge.full_at is None:
        charge.advance(60)
    plugged = timedelta(minutes=minutes) - (charge.now - charge.full_at)
    charge.advance(plugged.total_seconds())
    return charge


def money(lines) -> Decimal:
    return sum((line.amount.amount for line in lines), Decimal(0))


class TestPluggedInAfterFull:
    def test_energy_stops_at_full_but_the_time_at_the_bay_goes_on(self):
        charge = a_charge()
        charge.advance(3600)
        assert charge.soc == 1.0
        assert charge.kwh == pytest.approx(0.1 * 80.0)
        assert charge.full_at is not None
        assert charge.periods[-1].ended_at == charge.full_at
        assert charge.now == charge.started_at + timedelta(hours=1)
        assert charge.power_kw == 0.0
        assert not charge.has_left

    def test_the_driver_coming_back_ends_the_time_at_the_bay(self):
        charge = a_charge(linger_minutes=20)
        charge.advance(3 * 3600)
        assert charge.has_left
        assert charge.now == charge.full_at + timedelta(minutes=20)

    def test_a_driver_who_does_not_linger_unplugs_when_full(self):
        charge = a_charge(linger_minutes=0)
        charge.advance(3600)
        assert charge.has_left
        assert charge.now == charge.full_at
        record = charge_record(charge)
        assert record.parking_money == record.idle_money == Decimal(0)


class TestTheRecord:
    def test_bills_the_idle_fee_and_parking_for_the_minutes_after_full(self):
        record = charge_record(full_then_plugged(50))
        session = ChargeSession.flat(
            record.started_at, record.charged_until, record.kwh, parking_minutes=50
        )
        bill = quote_charge(TARIFF, PARKING, session, SHANGHAI.key)
        assert record.idle_money == money(
            [line for line in bill.lines if line.kind is LineKind.IDLE]
        )
        assert record.idle_money == Decimal("17.50")  # (50 - 15) x 0.50
        assert record.parking_money == money(
            [line for line in bill.lines if line.kind is LineKind.PARKING]
        )
        assert record.parking_money == Decimal("3.00")  # 2 started 15 min after 30
        assert record.total_money == (
            record.electricity_money
            + record.service_money
            + record.parking_money
            + record.idle_money
        )
        assert record.ended_at - record.charged_until == timedelta(minutes=50)

    def test_caps_the_idle_fee_per_session(self):
        record = charge_record(full_then_plugged(200))
        assert record.idle_money == Decimal("50")

    def test_reads_back_as_the_session_it_billed_whole_seconds_and_minutes(self):
        record = charge_record(full_then_plugged(47))
        assert record.ended_at.microsecond == 0
        assert all(p.ended_at.microsecond == 0 for p in record.periods)
        charged = [
            ChargePeriod(p.started_at, p.ended_at, p.kwh) for p in record.periods
        ]
        hub_read = session_of_periods(
            charged, record.started_at, record.ended_at, record.kwh
        )
        assert hub_read.parking_minutes == 47

    def test_the_hub_bills_a_t_cec_order_of_it_to_the_fen(self):
        record = charge_record(full_then_plugged(50))
        hub_side = charge_record_from_order(order_info(record, StopReason.BMS))
        assert hub_side.total_money == record.total_money
        # T/CEC has no parking field: the rest of the total is the time at the bay
        assert hub_side.parking_money == record.parking_money + record.idle_money
        assert hub_side.parking_money > 0
        bill = bill_for_record(
            TARIFF, PARKING, hub_side, "Asia/Shanghai", OperatorId("x"), [], []
        )
        assert bill.partner_total.amount == record.total_money
        (idle,) = [line for line in bill.lines if line.kind is LineKind.IDLE]
        assert idle.amount.amount == record.idle_money


class NoPushes:
    is_ready = False

    async def push(self, change) -> None:  # pragma: no cover - never ready
        raise AssertionError(change)


class Recorder:
    def __init__(self, simulator: SessionSimulator) -> None:
        self.simulator = simulator
        self.statuses: list[PileState] = []
        self.records: list[SentRecord] = []
        self.has_record = asyncio.Event()

    def _status(self, charge: Charge) -> PileState:
        pile = self.simulator.network.pile_named(charge.pile)
        return self.simulator.network.status(pile.index)

    async def started(self, charge: Charge) -> None:
        charge.soc = 0.99  # nearly full: the test is about what comes after

    async def refused(self, charge, refusal) -> None:
        raise AssertionError(refusal)

    async def progressed(self, charge: Charge) -> None:
        self.statuses.append(self._status(charge))

    async def ended(self, charge: Charge) -> None:
        self.statuses.append(self._status(charge))

    async def recorded(self, charge: Charge, record: SentRecord) -> None:
        self.records.append(record)
        self.has_record.set()


def a_simulator(network: SimulatedNetwork, **settings) -> SessionSimulator:
    clock = FixedClock(datetime(2024, 11, 1, 11, 0, tzinfo=UTC))
    runner = SimulationRunner(
        network, NoPushes(), SimulationSettings(changes_per_s=0), clock
    )
    fast = SessionSettings(speedup=1e6, accept_delay_s=0, report_every_s=60, **settings)
    return SessionSimulator(runner, fast, clock)


def free_piles(network: SimulatedNetwork, count: int) -> list[str]:
    names = [
        name
        for name, status in network.pile_statuses().items()
        if status is PileState.AVAILABLE and not network.pile_named(name).is_swap_bay
    ]
    return names[:count]


class TestSimulatedSessions:
    async def test_a_full_car_occupies_the_pile_until_its_driver_is_back(
        self, community_tcec
    ):
        simulator = a_simulator(community_tcec, linger_after_full_s=(600, 600))
        simulator.reporter = recorder = Recorder(simulator)
        (pile,) = free_piles(community_tcec, 1)
        simulator.start(pile, "R1", "s-1")
        await asyncio.wait_for(recorder.has_record.wait(), timeout=10)
        (record,) = recorder.records
        assert record.stop_cause is StopCause.FULL
        assert record.ended_at - record.charged_until == timedelta(minutes=10)
        assert PileState.OCCUPIED in recorder.statuses
        assert recorder.statuses[-1] is PileState.AVAILABLE  # the car left
        await simulator.close()

    async def test_each_drivers_linger_is_whole_minutes_drawn_by_the_seed(
        self, community_tcec
    ):
        piles = free_piles(community_tcec, 4)

        def lingers(seed: int) -> list[float]:
            simulator = a_simulator(
                community_tcec, seed=seed, linger_after_full_s=(0, 3600)
            )
            simulator.reporter = None
            charges = [
                simulator.start(pile, f"R{n}", f"s-{n}") for n, pile in enumerate(piles)
            ]
            return [c.linger_s for c in charges]

        first = lingers(7)
        assert first == lingers(7)
        assert first != lingers(8)
        assert all(s % 60 == 0 and 0 <= s <= 3600 for s in first)

    def test_a_linger_range_without_a_whole_minute_is_refused(self):
        with pytest.raises(ValueError, match="linger_after_full_s"):
            SessionSettings(linger_after_full_s=(10, 50))


class TestRefusals:
    @pytest.mark.parametrize(
        ("status", "refusal"),
        [
            (PileState.OFFLINE, Refusal.OFFLINE),
            (PileState.UNKNOWN, Refusal.OFFLINE),
            (PileState.FAULTED, Refusal.FAULTED),
            (PileState.CHARGING, Refusal.OCCUPIED),
            (PileState.RESERVED, Refusal.OCCUPIED),
            (PileState.AVAILABLE, None),
        ],
    )
    async def test_a_start_is_refused_by_the_piles_status(
        self, community_tcec, status, refusal
    ):
        simulator = a_simulator(community_tcec)
        (pile,) = free_piles(community_tcec, 1)
        await simulator.runner.force(pile, status)
        try:
            assert simulator.refusal_for(pile) is refusal
        finally:
            await simulator.runner.force(pile, PileState.AVAILABLE)
            await simulator.close()
