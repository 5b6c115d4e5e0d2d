from datetime import UTC, datetime
from decimal import Decimal

import pytest

from evroam.charging.remote import DisputeReason, OrderCheck, OrderTotals
from evroam.settlement.errors import PartnerRecordsUnavailableError
from evroam.settlement.model import (
    DisputeKind,
    PartnerLedger,
    PartnerRecord,
    Period,
    RecordKey,
)
from evroam.settlement.service import SettlementService
from evroam.shared.ids import OperatorId
from evroam.shared.money import Money
from tests.fakes import FixedClock
from tests.unit.settlement.memory import (
    InMemoryPartnerRecords,
    InMemorySettlementRepository,
    a_billed_charge,
)

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
OCTOBER = Period.parse("2026-10")
SWAPWAY = OperatorId("swapway")


def service_over(charges, ledger=None):
    repository = InMemorySettlementRepository(charges)
    records = InMemoryPartnerRecords(ledger)
    return SettlementService(repository, records, FixedClock(NOW)), repository


def ledger_of(*records, key=RecordKey.PARTNER_RECORD_ID):
    return PartnerLedger(key, tuple(records))


def theirs(record_id, kwh="20.5", amount="20.00"):
    return PartnerRecord(record_id, Decimal(kwh), Money.of(amount))


class TestSettlePeriod:
    def test_sums_the_partners_charges_of_the_month_to_the_fen(self):
        charges = [
            a_billed_charge(1, kwh="10.333", electricity="0.10", service="0.20"),
            a_billed_charge(2, kwh="0.001", electricity="0.10", service="0.10"),
            a_billed_charge(3, kwh="7.25", electricity="3.35", service="1.01"),
        ]
        service, _ = service_over(charges)

        statement = service.settle_period(SWAPWAY, OCTOBER)

        assert statement.sessions == 3
        assert statement.kwh == Decimal("17.584")
        assert statement.electricity == Money.of("3.55")
        assert statement.service == Money.of("1.31")
        assert statement.amount_owed == Money.of("4.86")
        assert statement.generated_at == NOW

    def test_counts_a_charge_ending_late_on_the_last_local_day_in_that_month(self):
        late = a_billed_charge(1, ended_at=datetime(2026, 10, 31, 15, 30, tzinfo=UTC))
        service, _ = service_over([late])

        assert service.settle_period(SWAPWAY, OCTOBER).sessions == 1
        assert service.settle_period(SWAPWAY, Period.parse("2026-11")).sessions == 0

    def test_leaves_out_other_partners_and_other_months(self):
        charges = [
            a_billed_charge(1),
            a_billed_charge(2, operator_id="voltnet"),
            a_billed_charge(3, ended_at=datetime(2026, 9, 30, 15, 59, tzinfo=UTC)),
        ]
        service, _ = service_over(charges)

        assert service.settle_period(SWAPWAY, OCTOBER).sessions == 1

    def test_keeps_the_discount_apart_from_what_the_partner_is_owed(self):
        service, _ = service_over([a_billed_charge(1, discount="3.00")])

        statement = service.settle_period(SWAPWAY, OCTOBER)

        assert statement.amount_owed == Money.of("20.00")
        assert statement.discounts == Money.of("3.00")

    def test_keeps_the_statement_it_issued(self):
        service, repository = service_over([a_billed_charge(1)])

        statement = service.settle_period(SWAPWAY, OCTOBER)

        assert repository.statements[("swapway", "2026-10")] == statement

    def test_an_empty_month_owes_nothing(self):
        service, _ = service_over([])

        statement = service.settle_period(SWAPWAY, OCTOBER)

        assert (statement.sessions, statement.amount_owed) == (0, Money.zero())


class TestReconcile:
    async def test_matching_records_reconcile(self):
        service, _ = service_over(
            [a_billed_charge(1), a_billed_charge(2)],
            ledger_of(theirs("CDR-1"), theirs("CDR-2")),
        )

        result = await service.reconcile(SWAPWAY, OCTOBER)

        assert result.is_reconciled
        assert result.ours == result.theirs
        assert result.theirs.count == 2

    async def test_reports_records_missing_on_either_side(self):
        service, _ = service_over(
            [a_billed_charge(1), a_billed_charge(2)],
            ledger_of(theirs("CDR-1"), theirs("CDR-9", amount="5.00")),
        )

        result = await service.reconcile(SWAPWAY, OCTOBER)

        found = {(d.partner_record_id, d.reason) for d in result.disputes}
        assert found == {
            ("CDR-2", DisputeKind.MISSING_THEIRS),
            ("CDR-9", DisputeKind.MISSING_OURS),
        }
        assert not result.is_reconciled

    async def test_reports_a_different_amount_with_both_values(self):
        service, _ = service_over(
            [a_billed_charge(1)], ledger_of(theirs("CDR-1", amount="20.01"))
        )

        (dispute,) = (await service.reconcile(SWAPWAY, OCTOBER)).disputes

        assert dispute.reason is DisputeKind.AMOUNT
        assert (dispute.our_value, dispute.their_value) == (
            Decimal("20.00"),
            Decimal("20.01"),
        )

    async def test_reports_different_energy_but_not_below_a_hundredth_of_a_kwh(self):
        service, _ = service_over(
            [a_billed_charge(1, kwh="20.501"), a_billed_charge(2, kwh="20.5")],
            ledger_of(theirs("CDR-1", kwh="20.50"), theirs("CDR-2", kwh="20.6")),
        )

        result = await service.reconcile(SWAPWAY, OCTOBER)

        assert [(d.partner_record_id, d.reason) for d in result.disputes] == [
            ("CDR-2", DisputeKind.ENERGY)
        ]

    async def test_matches_t_cec_orders_by_session_ref(self):
        charge = a_billed_charge(1)
        service, _ = service_over(
            [charge], ledger_of(theirs(charge.session_id), key=RecordKey.SESSION_REF)
        )

        assert (await service.reconcile(SWAPWAY, OCTOBER)).is_reconciled

    async def test_asks_the_partner_for_the_month_in_utc(self):
        repository = InMemorySettlementRepository([])
        records = InMemoryPartnerRecords(ledger_of())
        service = SettlementService(repository, records, FixedClock(NOW))

        await service.reconcile(SWAPWAY, OCTOBER)

        assert records.asked == [(SWAPWAY, OCTOBER.starts_at, OCTOBER.ends_at)]

    async def test_fails_clearly_when_the_partner_cannot_be_asked(self):
        service, _ = service_over([a_billed_charge(1)], ledger=None)

        with pytest.raises(PartnerRecordsUnavailableError):
            await service.reconcile(SWAPWAY, OCTOBER)


class TestAnswerOrderCheck:
    def check(self, *orders):
        return OrderCheck("CHK1", OCTOBER.starts_at, OCTOBER.ends_at, orders)

    def test_disputes_unknown_orders_and_wrong_money_or_energy(self):
        one, two, three = (a_billed_charge(n) for n in (1, 2, 3))
        service, _ = service_over([one, two, three])

        disputes = service.answer_order_check(
            SWAPWAY,
            self.check(
                OrderTotals(one.session_id, Decimal("20.50"), Decimal("20.00")),
                OrderTotals(two.session_id, Decimal("20.50"), Decimal("21.00")),
                OrderTotals(three.session_id, Decimal("22.00"), Decimal("20.00")),
                OrderTotals("NOSUCHREF000000000", Decimal(1), Decimal(1)),
            ),
        )

        assert [(d.ref, d.reason) for d in disputes] == [
            (two.session_id, DisputeReason.MONEY),
            (three.session_id, DisputeReason.ENERGY),
            ("NOSUCHREF000000000", DisputeReason.NOT_FOUND),
        ]

    def test_treats_another_partners_session_as_unknown(self):
        other = a_billed_charge(1, operator_id="voltnet")
        service, _ = service_over([other])

        (dispute,) = service.answer_order_check(
            SWAPWAY,
            self.check(OrderTotals(other.session_id, other.kwh, Decimal("20.00"))),
        )

        assert dispute.reason is DisputeReason.NOT_FOUND
