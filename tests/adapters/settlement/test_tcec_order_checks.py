"""A T/CEC partner's orders for our reconciliation: its check_charge_orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.charging.remote import OrderCheck, OrderTotals
from evroam.gateways.settlement_records import TcecOrderCheckRecords, first_gap
from evroam.partners.model import Partner
from evroam.settlement.errors import PartnerRecordsUnavailableError
from evroam.settlement.model import RecordKey
from evroam.shared.ids import OperatorId
from evroam.shared.money import Money
from evroam.storage.order_check_repository import SqlOrderCheckStore

DEC_1 = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 1 December in Beijing
DAY = timedelta(days=1)
PARTNER = Partner(
    OperatorId("neighbourly"),
    "Neighbourly",
    Protocol.TCEC,
    OperatorProfile.COMMUNITY,
    "http://cpo.test/evcs/v1",
)


def a_check(check_id: str, first: int, days: int, *orders: OrderTotals) -> OrderCheck:
    starts_at = DEC_1 + (first - 1) * DAY
    return OrderCheck(check_id, starts_at, starts_at + days * DAY, orders)


def an_order(ref: str, kwh: str, money: str) -> OrderTotals:
    return OrderTotals(ref, Decimal(kwh), Decimal(money))


class Checks:
    def __init__(self, *checks: OrderCheck) -> None:
        self.checks = list(checks)

    def within(self, partner_id, starts_at, ends_at):
        return [
            c for c in self.checks if c.starts_at >= starts_at and c.ends_at <= ends_at
        ]


class TestCoverage:
    def test_checks_end_to_end_cover_the_period(self):
        checks = [a_check("A", 1, 10), a_check("B", 11, 21)]
        assert first_gap(checks, DEC_1, DEC_1 + 31 * DAY) is None

    def test_the_first_uncovered_stretch_is_named(self):
        checks = [a_check("A", 1, 10), a_check("B", 15, 17)]
        assert first_gap(checks, DEC_1, DEC_1 + 31 * DAY) == (
            DEC_1 + 10 * DAY,
            DEC_1 + 14 * DAY,
        )

    def test_overlapping_checks_cover_what_either_covers(self):
        checks = [a_check("A", 1, 20), a_check("B", 5, 27)]
        assert first_gap(checks, DEC_1, DEC_1 + 31 * DAY) is None


class TestPartnerLedgerFromChecks:
    def test_the_orders_of_checks_covering_the_period_are_its_records(self):
        records = TcecOrderCheckRecords(
            Checks(
                a_check("A", 1, 15, an_order("R1", "10.5", "12.30")),
                a_check("B", 16, 16, an_order("R2", "4", "5")),
            )
        )
        ledger = records.pull_from(PARTNER, DEC_1, DEC_1 + 31 * DAY)
        assert ledger.key is RecordKey.SESSION_REF
        assert {(r.record_id, r.kwh, r.amount) for r in ledger.records} == {
            ("R1", Decimal("10.5"), Money.of("12.30")),
            ("R2", Decimal(4), Money.of(5)),
        }

    def test_a_later_check_of_an_order_replaces_the_earlier_figures(self):
        records = TcecOrderCheckRecords(
            Checks(
                a_check("A", 1, 31, an_order("R1", "10", "12")),
                a_check("A2", 1, 31, an_order("R1", "10", "11")),
            )
        )
        (record,) = records.pull_from(PARTNER, DEC_1, DEC_1 + 31 * DAY).records
        assert record.amount == Money.of(11)

    def test_without_checks_for_the_whole_period_the_gap_is_the_reason(self):
        records = TcecOrderCheckRecords(Checks(a_check("A", 1, 10)))
        with pytest.raises(
            PartnerRecordsUnavailableError, match="2026-12-10T16:00:00\\+00:00"
        ):
            records.pull_from(PARTNER, DEC_1, DEC_1 + 31 * DAY)


class TestSqlOrderCheckStore:
    def test_a_check_is_kept_as_sent_and_found_inside_its_period(self, engine):
        store = SqlOrderCheckStore(engine)
        check = a_check("CHK1", 1, 31, an_order("R1", "10.25", "12.34"))
        store.save("neighbourly", check, DEC_1 + 40 * DAY)
        assert store.within("neighbourly", DEC_1, DEC_1 + 31 * DAY) == [check]
        assert store.within("neighbourly", DEC_1, DEC_1 + 30 * DAY) == []
        assert store.within("rapidgrid", DEC_1, DEC_1 + 31 * DAY) == []

    def test_a_check_sent_again_replaces_the_first(self, engine):
        store = SqlOrderCheckStore(engine)
        store.save("neighbourly", a_check("CHK1", 1, 31), DEC_1 + 40 * DAY)
        again = a_check("CHK1", 1, 31, an_order("R9", "1", "2"))
        store.save("neighbourly", again, DEC_1 + 41 * DAY)
        assert store.within("neighbourly", DEC_1, DEC_1 + 31 * DAY) == [again]
