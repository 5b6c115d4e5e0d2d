"""GET /api/v1/admin/disputes: charge records disputed when billed, every figure."""

from __future__ import annotations

from datetime import UTC, datetime

from evroam.charging.model import ChargeDispute, DisputeReason
from evroam.shared.ids import OperatorId, SessionId
from evroam.shared.money import Money
from tests.hub_keys import ADMIN


def a_dispute(record: str, partner: str, month: int) -> ChargeDispute:
    return ChargeDispute(
        id=f"dsp_{record}",
        operator_id=OperatorId(partner),
        session_id=SessionId("S00000000000000001"),
        partner_record_id=record,
        reason=DisputeReason.RERATED,
        figures=(
            ("ours", Money.of("12.38")),
            ("cdr_tariff", Money.of("12.38")),
            ("partner", Money.of("12.50")),
        ),
        billed=Money.of("12.38"),
        opened_at=datetime(2026, month, 15, 4, tzinfo=UTC),
        detail="ours 12.38, cdr_tariff 12.38, partner 12.50; billed ours",
    )


class TestDisputes:
    async def test_lists_a_partners_disputes_of_a_month_with_both_figures(
        self, client, services
    ):
        services.disputes.open(a_dispute("CDR-1", "rapidgrid", 10))
        services.disputes.open(a_dispute("CDR-2", "rapidgrid", 11))
        services.disputes.open(a_dispute("CDR-3", "swapway", 10))
        r = await client.get(
            "/api/v1/admin/disputes",
            params={"partner": "rapidgrid", "period": "2026-10"},
            headers=ADMIN,
        )
        assert r.status_code == 200, r.text
        [item] = r.json()["items"]
        assert item["partner_record_id"] == "CDR-1"
        assert item["reason"] == "rerated"
        assert item["figures"] == {
            "ours": "12.38",
            "cdr_tariff": "12.38",
            "partner": "12.50",
        }
        assert item["billed"] == "12.38"

    async def test_needs_the_admin_token(self, client):
        r = await client.get("/api/v1/admin/disputes")
        assert r.status_code == 401
