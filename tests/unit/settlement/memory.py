"""In-memory settlement ports for the unit tests, and a billed-charge builder."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from evroam.charging.model import BilledCharge
from evroam.settlement.errors import PartnerRecordsUnavailableError
from evroam.settlement.model import OurRecord, PartnerLedger, PeriodTotals, Statement
from evroam.shared.ids import OperatorId, SessionId
from evroam.shared.money import Money


def a_billed_charge(
    n: int = 1,
    *,
    operator_id: str = "swapway",
    ended_at: datetime = datetime(2026, 10, 15, 4, 0, tzinfo=UTC),
    kwh: str = "20.5",
    electricity: str = "12.00",
    service: str = "8.00",
    parking: str = "0",
    discount: str = "0",
    reported: str | None = None,
) -> BilledCharge:
    total = Money.of(electricity) + Money.of(service) + Money.of(parking)
    return BilledCharge(
        session_id=SessionId(f"S{n:017d}"),
        operator_id=OperatorId(operator_id),
        partner_record_id=f"CDR-{n}",
        started_at=ended_at - timedelta(hours=1),
        ended_at=ended_at,
        kwh=Decimal(kwh),
        electricity=Money.of(electricity),
        service=Money.of(service),
        parking=Money.of(parking),
        partner_total=total,
        discount_total=Money.of(discount),
        partner_reported_total=Money.of(reported) if reported else total,
        billed_at=ended_at + timedelta(minutes=5),
    )


class InMemorySettlementRepository:
    def __init__(self, charges: Collection[BilledCharge] = ()) -> None:
        self.charges = list(charges)
        self.statements: dict[tuple[str, str], Statement] = {}

    def _in(
        self, operator_id: OperatorId, starts_at: datetime, ends_at: datetime
    ) -> list[BilledCharge]:
        return [
            c
            for c in self.charges
            if c.operator_id == operator_id and starts_at <= c.ended_at < ends_at
        ]

    def period_totals(
        self, operator_id: OperatorId, starts_at: datetime, ends_at: datetime
    ) -> PeriodTotals:
        totals = PeriodTotals.empty()
        for c in self._in(operator_id, starts_at, ends_at):
            totals = PeriodTotals(
                totals.sessions + 1,
                totals.kwh + c.kwh,
                totals.electricity + c.electricity,
                totals.service + c.service,
                totals.parking + c.parking,
                totals.partner_total + c.partner_total,
                totals.discounts + c.discount_total,
                totals.partner_reported + c.partner_reported_total,
            )
        return totals

    def iter_records(
        self, operator_id: OperatorId, starts_at: datetime, ends_at: datetime
    ) -> Iterator[OurRecord]:
        for c in self._in(operator_id, starts_at, ends_at):
            yield _record(c)

    def find_by_session(
        self, operator_id: OperatorId, session_ids: Collection[str]
    ) -> list[OurRecord]:
        wanted = set(session_ids)
        return [
            _record(c)
            for c in self.charges
            if c.operator_id == operator_id and c.session_id in wanted
        ]

    def save_statement(self, statement: Statement) -> None:
        self.statements[(statement.partner_id, str(statement.period))] = statement


def _record(c: BilledCharge) -> OurRecord:
    return OurRecord(c.session_id, c.partner_record_id, c.kwh, c.partner_total)


class InMemoryPartnerRecords:
    def __init__(self, ledger: PartnerLedger | None = None) -> None:
        self.ledger = ledger
        self.asked: list[tuple[OperatorId, datetime, datetime]] = []

    async def pull(
        self, partner_id: OperatorId, starts_at: datetime, ends_at: datetime
    ) -> PartnerLedger:
        self.asked.append((partner_id, starts_at, ends_at))
        if self.ledger is None:
            raise PartnerRecordsUnavailableError(f"{partner_id}: unreachable")
        return self.ledger
