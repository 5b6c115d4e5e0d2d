"""Settlement use-cases: settle a period, reconcile it, answer a partner's check."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from evroam.charging.model import ChargeDispute
from evroam.charging.ports import DisputeStore
from evroam.charging.remote import OrderCheck, OrderDispute, OrderTotals, find_disputes
from evroam.settlement.model import (
    Dispute,
    DisputeKind,
    OurRecord,
    PartnerLedger,
    PartnerRecord,
    Period,
    Reconciliation,
    RecordKey,
    SideTotals,
    Statement,
)
from evroam.settlement.ports import PartnerRecords, SettlementRepository
from evroam.shared.clock import Clock
from evroam.shared.ids import OperatorId
from evroam.shared.money import Money

_CENT = Decimal("0.01")


class SettlementService:
    def __init__(
        self,
        repository: SettlementRepository,
        partner_records: PartnerRecords,
        clock: Clock,
        charge_disputes: DisputeStore | None = None,
    ) -> None:
        self._repository = repository
        self._partner_records = partner_records
        self._clock = clock
        self._charge_disputes = charge_disputes

    def settle_period(self, partner_id: OperatorId, period: Period) -> Statement:
        """The partner's statement for ``period``, computed and kept."""
        totals = self._repository.period_totals(
            partner_id, period.starts_at, period.ends_at
        )
        statement = Statement(
            partner_id=partner_id,
            period=period,
            sessions=totals.sessions,
            kwh=totals.kwh,
            electricity=totals.electricity,
            service=totals.service,
            parking=totals.parking,
            amount_owed=totals.partner_total,
            discounts=totals.discounts,
            generated_at=self._clock.now(),
        )
        self._repository.save_statement(statement)
        return statement

    async def reconcile(self, partner_id: OperatorId, period: Period) -> Reconciliation:
        """Our records of ``period`` against the partner's, record by record.

        Money is compared to the fen and energy to 0.01 kWh (T/CEC's precision).
        """
        ledger = await self._partner_records.pull(
            partner_id, period.starts_at, period.ends_at
        )
        statement = self.settle_period(partner_id, period)
        ours = self._repository.iter_records(
            partner_id, period.starts_at, period.ends_at
        )
        disputes = compare(ours, ledger)
        if self._charge_disputes is not None:
            opened = self._charge_disputes.list(
                partner_id, period.starts_at, period.ends_at, limit=100_000
            )
            disputes = with_charge_disputes(disputes, opened, ledger.key)
        theirs = _side(ledger.records)
        mine = SideTotals(statement.sessions, statement.kwh, statement.amount_owed)
        return Reconciliation(statement, mine, theirs, disputes)

    def answer_order_check(
        self, partner_id: OperatorId, check: OrderCheck
    ) -> list[OrderDispute]:
        """T/CEC check_charge_orders: the partner's orders we dispute.

        Our figure for an order is what we owe for it (the hub's own pricing of
        the partner's periods), looked up by session ref whatever its end time.
        """
        refs = {order.ref for order in check.orders}
        held = self._repository.find_by_session(partner_id, refs)
        ours = (OrderTotals(r.session_id, r.kwh, r.amount.amount) for r in held)
        return list(find_disputes(check.orders, ours))


def compare(ours: Iterable[OurRecord], ledger: PartnerLedger) -> tuple[Dispute, ...]:
    """Disputes between our records (streamed) and the partner's ledger."""
    theirs = {r.record_id: r for r in ledger.records}
    by_ref = ledger.key is RecordKey.SESSION_REF
    disputes: list[Dispute] = []
    for mine in ours:
        key = mine.session_id if by_ref else mine.partner_record_id
        other = theirs.pop(key, None)
        if other is None:
            disputes.append(
                Dispute(key, DisputeKind.MISSING_THEIRS, mine.amount.amount, None)
            )
            continue
        dispute = _differs(key, mine, other)
        if dispute is not None:
            disputes.append(dispute)
    disputes.extend(
        Dispute(r.record_id, DisputeKind.MISSING_OURS, None, r.amount.amount)
        for r in theirs.values()
    )
    return tuple(sorted(disputes, key=lambda d: (d.reason, d.partner_record_id)))


def with_charge_disputes(
    disputes: tuple[Dispute, ...],
    opened: Iterable[ChargeDispute],
    key: RecordKey,
) -> tuple[Dispute, ...]:
    """The ledger's disputes and the records we disputed when billing them
    (re-rated, implausible, over the cap), one line per record: ours replaces
    the ledger's amount line, since it names the figures and why."""
    ours: dict[str, Dispute] = {}
    for dispute in opened:
        record = (
            dispute.session_id
            if key is RecordKey.SESSION_REF
            else (dispute.partner_record_id)
        )
        mine = dispute.figure("ours") or dispute.billed
        theirs = dispute.figure("partner")
        ours.setdefault(
            record,
            Dispute(
                record,
                DisputeKind(dispute.reason.value),
                None if mine is None else mine.amount,
                None if theirs is None else theirs.amount,
            ),
        )
    kept = [d for d in disputes if d.partner_record_id not in ours]
    return tuple(
        sorted([*kept, *ours.values()], key=lambda d: (d.reason, d.partner_record_id))
    )


def _differs(key: str, mine: OurRecord, other: PartnerRecord) -> Dispute | None:
    if mine.amount != other.amount:
        return Dispute(key, DisputeKind.AMOUNT, mine.amount.amount, other.amount.amount)
    if _to_cent(mine.kwh) != _to_cent(other.kwh):
        return Dispute(key, DisputeKind.ENERGY, mine.kwh, other.kwh)
    return None


def _to_cent(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _side(records: Iterable[PartnerRecord]) -> SideTotals:
    count, kwh, amount = 0, Decimal(0), Money.zero()
    for record in records:
        count, kwh, amount = count + 1, kwh + record.kwh, amount + record.amount
    return SideTotals(count, kwh, amount)


__all__ = ["SettlementService", "compare", "with_charge_disputes"]
