"""Disputed charge records survive restarts, stay one per record and reason."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evroam.charging.model import ChargeDispute, DisputeReason
from evroam.shared.ids import OperatorId, SessionId
from evroam.shared.money import Money
from evroam.storage.dispute_repository import SqlDisputeStore
from tests.adapters.conftest import engine_for
from tests.adapters.storage.conftest import SQL_ENGINES

AT = datetime(2026, 11, 2, 10, tzinfo=UTC)


@pytest.fixture(params=SQL_ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlDisputeStore]:
    for engine in engine_for(request, tmp_path):
        yield SqlDisputeStore(engine)


def a_dispute(record: str = "CDR-1", **changes: object) -> ChargeDispute:
    dispute = ChargeDispute(
        id=f"dsp_{record}",
        operator_id=OperatorId("rapidgrid"),
        session_id=SessionId("S" * 18),
        partner_record_id=record,
        reason=DisputeReason.RERATED,
        figures=(("ours", Money.of("12.38")), ("partner", Money.of("12.50"))),
        billed=Money.of("12.38"),
        opened_at=AT,
        detail="tariff rapidgrid-22@3",
    )
    return replace(dispute, **changes)  # type: ignore[arg-type]


class TestDisputeStore:
    def test_keeps_both_figures_and_what_was_billed(self, store):
        store.open(a_dispute())
        held = store.find(OperatorId("rapidgrid"), "CDR-1", DisputeReason.RERATED)
        assert held == a_dispute()
        assert held.figure("partner") == Money.of("12.50")

    def test_opening_a_record_twice_keeps_the_first(self, store):
        store.open(a_dispute())
        again = store.open(a_dispute(id="dsp_other", billed=Money.of("1.00")))
        assert again == a_dispute()
        assert len(store.list()) == 1

    def test_lists_one_partners_disputes_of_a_period_newest_first(self, store):
        store.open(a_dispute("CDR-1"))
        store.open(a_dispute("CDR-2", opened_at=AT + timedelta(days=1)))
        store.open(a_dispute("CDR-3", operator_id=OperatorId("swapway")))
        listed = store.list(OperatorId("rapidgrid"), AT, AT + timedelta(days=2))
        assert [d.partner_record_id for d in listed] == ["CDR-2", "CDR-1"]
