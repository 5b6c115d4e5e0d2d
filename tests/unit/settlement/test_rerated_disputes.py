"""Re-rating disputes show in the month's reconciliation, with both figures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from evroam.charging.model import ChargeDispute, DisputeReason
from evroam.settlement.model import DisputeKind, Period
from evroam.settlement.service import SettlementService
from evroam.shared.ids import OperatorId, SessionId
from evroam.shared.money import Money
from tests.fakes import FixedClock, InMemoryDisputeStore
from tests.unit.settlement.memory import (
    InMemoryPartnerRecords,
    InMemorySettlementRepository,
    a_billed_charge,
)
from tests.unit.settlement.test_service import ledger_of, theirs

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
OCTOBER = Period.parse("2026-10")
SWAPWAY = OperatorId("swapway")


def rerated(record: str, opened_at: datetime) -> ChargeDispute:
    return ChargeDispute(
        id=f"dsp_{record}",
        operator_id=SWAPWAY,
        session_id=SessionId("S00000000000000001"),
        partner_record_id=record,
        reason=DisputeReason.RERATED,
        figures=(("ours", Money.of("20.00")), ("partner", Money.of("20.50"))),
        billed=Money.of("20.00"),
        opened_at=opened_at,
    )


async def test_a_rerated_record_is_one_dispute_naming_both_figures():
    disputes = InMemoryDisputeStore()
    disputes.open(rerated("CDR-1", datetime(2026, 10, 15, 5, tzinfo=UTC)))
    disputes.open(rerated("CDR-7", datetime(2026, 11, 1, 5, tzinfo=UTC)))
    service = SettlementService(
        InMemorySettlementRepository([a_billed_charge(1)]),
        InMemoryPartnerRecords(ledger_of(theirs("CDR-1", amount="20.50"))),
        FixedClock(NOW),
        disputes,
    )

    (dispute,) = (await service.reconcile(SWAPWAY, OCTOBER)).disputes

    assert dispute.partner_record_id == "CDR-1"
    assert dispute.reason is DisputeKind.RERATED
    assert (dispute.our_value, dispute.their_value) == (
        Decimal("20.00"),
        Decimal("20.50"),
    )
