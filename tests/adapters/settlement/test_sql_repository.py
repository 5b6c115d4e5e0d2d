import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from evroam.charging.model import BilledCharge
from evroam.settlement.model import Period, PeriodTotals
from evroam.settlement.service import SettlementService
from evroam.shared.ids import OperatorId
from evroam.shared.money import Money
from evroam.storage.charging_tables import billed_charges
from evroam.storage.settlement_repository import SqlSettlementRepository
from evroam.storage.settlement_tables import statements
from tests.fakes import FixedClock
from tests.unit.settlement.memory import (
    InMemoryPartnerRecords,
    InMemorySettlementRepository,
    a_billed_charge,
)

OCTOBER = Period.parse("2026-10")
SWAPWAY = OperatorId("swapway")


def row(c: BilledCharge) -> dict:
    return {
        "session_id": c.session_id,
        "operator_id": c.operator_id,
        "partner_record_id": c.partner_record_id,
        "started_at": c.started_at,
        "ended_at": c.ended_at,
        "kwh": str(c.kwh),
        "electricity_fen": c.electricity.fen,
        "service_fen": c.service.fen,
        "parking_fen": c.parking.fen,
        "partner_total_fen": c.partner_total.fen,
        "discount_fen": c.discount_total.fen,
        "partner_reported_fen": c.partner_reported_total.fen,
        "billed_at": c.billed_at,
    }


def store(engine, charges):
    with engine.begin() as conn:
        conn.execute(insert(billed_charges), [row(c) for c in charges])
    return SqlSettlementRepository(engine)


def random_charges(seed: int, count: int) -> list[BilledCharge]:
    rng = random.Random(seed)
    start = OCTOBER.starts_at - timedelta(days=2)
    span_s = int((OCTOBER.ends_at - start).total_seconds()) + 4 * 86_400

    def fen() -> str:
        return str(Decimal(rng.randint(0, 50_000)) / 100)

    def kwh() -> str:
        places = rng.choice([0, 2, 3, 3, 6])  # a few with more than 3 decimals
        return str(
            Decimal(rng.randint(0, 80_000_000))
            .scaleb(-6)
            .quantize(Decimal(1).scaleb(-places))
        )

    return [
        a_billed_charge(
            n,
            operator_id=rng.choice(["swapway", "swapway", "voltnet"]),
            ended_at=start + timedelta(seconds=rng.randrange(span_s)),
            kwh=kwh(),
            electricity=fen(),
            service=fen(),
            parking=fen(),
            discount=fen(),
            reported=fen(),
        )
        for n in range(count)
    ]


def reference(charges) -> PeriodTotals:
    memory = InMemorySettlementRepository(charges)
    return memory.period_totals(SWAPWAY, OCTOBER.starts_at, OCTOBER.ends_at)


class TestPeriodTotals:
    def test_equal_a_python_reference_on_random_records(self, engine):
        for seed in range(3):
            charges = random_charges(seed, 400)
            with engine.begin() as conn:
                conn.execute(billed_charges.delete())
            repository = store(engine, charges)

            got = repository.period_totals(SWAPWAY, OCTOBER.starts_at, OCTOBER.ends_at)

            assert got == reference(charges)
            assert got.sessions > 0

    def test_sum_kwh_exactly_whatever_the_decimals(self, engine):
        charges = [
            a_billed_charge(1, kwh="0.1"),
            a_billed_charge(2, kwh="0.2"),
            a_billed_charge(3, kwh="0.000001"),
            a_billed_charge(4, kwh="1E-7"),
            a_billed_charge(5, kwh="12.3400"),
            a_billed_charge(6, kwh="100"),
        ]
        repository = store(engine, charges)

        got = repository.period_totals(SWAPWAY, OCTOBER.starts_at, OCTOBER.ends_at)

        assert got.kwh == Decimal("112.6400011")

    def test_count_the_last_local_evening_in_and_the_first_local_minute_out(
        self, engine
    ):
        charges = [
            a_billed_charge(1, ended_at=datetime(2026, 10, 31, 15, 30, tzinfo=UTC)),
            a_billed_charge(2, ended_at=datetime(2026, 10, 31, 16, 0, tzinfo=UTC)),
            a_billed_charge(3, ended_at=datetime(2026, 9, 30, 16, 0, tzinfo=UTC)),
        ]
        repository = store(engine, charges)

        got = repository.period_totals(SWAPWAY, OCTOBER.starts_at, OCTOBER.ends_at)

        assert got.sessions == 2

    def test_are_zero_for_a_month_without_records(self, engine):
        repository = SqlSettlementRepository(engine)

        got = repository.period_totals(SWAPWAY, OCTOBER.starts_at, OCTOBER.ends_at)

        assert got == PeriodTotals.empty()


class TestRecords:
    def test_stream_every_record_of_the_month(self, engine):
        charges = random_charges(7, 300)
        repository = store(engine, charges)

        got = list(repository.iter_records(SWAPWAY, OCTOBER.starts_at, OCTOBER.ends_at))

        memory = InMemorySettlementRepository(charges)
        want = memory.iter_records(SWAPWAY, OCTOBER.starts_at, OCTOBER.ends_at)
        assert sorted(got, key=lambda r: r.session_id) == sorted(
            want, key=lambda r: r.session_id
        )

    def test_are_found_by_session_in_chunks(self, engine):
        charges = [a_billed_charge(n) for n in range(1200)]
        repository = store(engine, charges)
        wanted = {c.session_id for c in charges[::2]} | {"UNKNOWN"}

        found = repository.find_by_session(SWAPWAY, wanted)

        assert {r.session_id for r in found} == wanted - {"UNKNOWN"}
        assert found[0].amount == Money.of("20.00")


class TestStatements:
    def test_a_second_settlement_replaces_the_first(self, engine):
        repository = store(engine, [a_billed_charge(1)])
        clock = FixedClock(datetime(2026, 11, 1, tzinfo=UTC))
        service = SettlementService(repository, InMemoryPartnerRecords(), clock)
        service.settle_period(SWAPWAY, OCTOBER)
        store(engine, [a_billed_charge(2)])
        clock.set(datetime(2026, 11, 2, tzinfo=UTC))

        service.settle_period(SWAPWAY, OCTOBER)

        with engine.connect() as conn:
            rows = conn.execute(select(statements)).mappings().all()
        assert [(r["sessions"], r["amount_owed_fen"], r["kwh"]) for r in rows] == [
            (2, 4000, "41")
        ]
