"""A CPO's CDR read as its charge record: periods, parking time and totals."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from evroam.charging.receipt import session_of
from evroam.charging.remote import ChargePeriod
from evroam.gateways.ocpi.sessions import charge_record_from_cdr
from evroam.protocols.ocpi_2_2_1.sessions import CDR

FIXTURE = Path(__file__).parents[1] / "settlement" / "fixtures" / "cdr.json"
BASE = json.loads(FIXTURE.read_text())  # 03:00-04:00 UTC, 20.5 kWh, 20 CNY


def at(hh_mm: str) -> datetime:
    hour, minute = (int(part) for part in hh_mm.split(":"))
    return datetime(2026, 10, 15, hour, minute, tzinfo=UTC)


def energy(start: str, kwh: float) -> dict:
    return {
        "start_date_time": at(start).isoformat(),
        "dimensions": [{"type": "ENERGY", "volume": kwh}],
    }


def parking(start: str, hours: float) -> dict:
    return {
        "start_date_time": at(start).isoformat(),
        "dimensions": [{"type": "PARKING_TIME", "volume": hours}],
    }


def a_cdr(**fields) -> CDR:
    return CDR.model_validate({**BASE, **fields})


class TestChargeRecordFromCdr:
    def test_a_parking_time_period_ends_the_charge_where_it_begins(self):
        cdr = a_cdr(
            charging_periods=[
                energy("03:00", 12.5),
                energy("03:20", 8.0),
                parking("03:40", 0.3333),
            ],
            total_parking_time=0.3333,
            total_parking_cost={"excl_vat": 5.0, "incl_vat": 5.0},
            total_cost={"excl_vat": 25.0, "incl_vat": 25.0},
        )
        record = charge_record_from_cdr("S00000000000000001", cdr)
        assert record.periods == (
            ChargePeriod(at("03:00"), at("03:20"), Decimal("12.5")),
            ChargePeriod(at("03:20"), at("03:40"), Decimal("8.0")),
        )
        assert (record.ended_at, record.kwh) == (at("04:00"), Decimal("20.5"))
        assert (record.parking_money, record.total_money) == (Decimal(5), Decimal(25))
        session = session_of(record)
        assert (session.ended_at, session.parking_minutes) == (at("03:40"), 20)

    def test_without_one_the_last_period_runs_to_the_end_of_the_cdr(self):
        record = charge_record_from_cdr("S00000000000000001", a_cdr())
        assert record.periods == (
            ChargePeriod(at("03:00"), at("04:00"), Decimal("20.5")),
        )
        assert session_of(record).parking_minutes == 0

    def test_total_parking_time_alone_ends_the_charge_that_long_before_the_end(self):
        # A CPO that reports parking only in the totals: 03:00-04:00, 20 min parked.
        cdr = a_cdr(total_parking_time=Decimal(1) / 3)
        record = charge_record_from_cdr("S00000000000000001", cdr)
        (period,) = record.periods
        assert period.ended_at == datetime(2026, 10, 15, 3, 40, tzinfo=UTC)
        assert session_of(record).parking_minutes == 20

    def test_parking_time_longer_than_the_last_period_stops_at_its_start(self):
        cdr = a_cdr(
            charging_periods=[energy("03:00", 12.5), energy("03:50", 8.0)],
            total_parking_time=0.5,
        )
        record = charge_record_from_cdr("S00000000000000001", cdr)
        assert record.periods[-1].ended_at == at("03:50")
        assert record.kwh == Decimal("20.5")
