import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.gateways.settlement_records import (
    OcpiCdrRecords,
    ProtocolPartnerRecords,
    TcecOrderCheckRecords,
)
from evroam.partners.model import Partner
from evroam.settlement.errors import PartnerRecordsUnavailableError
from evroam.settlement.model import Period, RecordKey
from evroam.shared.ids import OperatorId
from evroam.shared.money import Money

CDR = json.loads((Path(__file__).parent / "fixtures" / "cdr.json").read_text())
CDRS_URL = "https://cpo.example/ocpi/cpo/2.2.1/cdrs"
OCTOBER = Period.parse("2026-10")


def a_cdr(n: int, end: str, total: float = 20.0) -> dict:
    return {
        **CDR,
        "id": f"CDR-{n}",
        "end_date_time": end,
        "total_cost": {"excl_vat": total, "incl_vat": total},
    }


def a_partner(protocol=Protocol.OCPI, endpoints=True) -> Partner:
    credentials = {"token_c": "secret-c"}
    if endpoints:
        credentials["endpoints"] = json.dumps({"cdrs": CDRS_URL})
    return Partner(
        OperatorId("swapway"),
        "Swapway",
        protocol,
        OperatorProfile.SWAP,
        "https://cpo.example/ocpi/versions",
        credentials,
    )


class CdrSender:
    """A CPO's CDRs sender: pages of ``limit`` with a Link to the next."""

    def __init__(self, cdrs, status_code=1000):
        self.cdrs = cdrs
        self.status_code = status_code
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        offset = int(request.url.params.get("offset", 0))
        limit = int(request.url.params.get("limit", 2))
        page = self.cdrs[offset : offset + limit]
        headers = {"X-Total-Count": str(len(self.cdrs))}
        if offset + limit < len(self.cdrs):
            following = request.url.copy_merge_params({"offset": offset + limit})
            headers["Link"] = f'<{following}>; rel="next"'
        body = {
            "data": page,
            "status_code": self.status_code,
            "timestamp": "2026-11-01T00:00:00Z",
        }
        return httpx.Response(200, json=body, headers=headers)


def pulling_from(sender: CdrSender) -> ProtocolPartnerRecords:
    def http() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(sender))

    return ProtocolPartnerRecords(
        lambda _id: a_partner(),
        OcpiCdrRecords(http, page_limit=2),
        TcecOrderCheckRecords(NoChecks()),
    )


class NoChecks:
    def within(self, partner_id, starts_at, ends_at):
        return []


class TestOcpiCdrRecords:
    async def test_pulls_every_page_and_keeps_cdrs_that_ended_in_the_month(self):
        sender = CdrSender(
            [
                a_cdr(1, "2026-10-15T04:00:00Z"),
                a_cdr(2, "2026-10-31T15:30:00Z", total=7.5),  # 23:30 local, 31 Oct
                a_cdr(3, "2026-10-31T16:00:00Z"),  # 00:00 local, 1 Nov
                a_cdr(4, "2026-09-30T15:59:59Z"),  # still September locally
                a_cdr(5, "2026-10-01T00:00:00Z"),
            ]
        )

        ledger = await pulling_from(sender).pull(
            OperatorId("swapway"), OCTOBER.starts_at, OCTOBER.ends_at
        )

        assert ledger.key is RecordKey.PARTNER_RECORD_ID
        assert [r.record_id for r in ledger.records] == ["CDR-1", "CDR-2", "CDR-5"]
        assert ledger.records[1].amount == Money.of("7.50")
        assert ledger.records[0].kwh == Decimal("20.5")
        assert len(sender.requests) == 3

    async def test_asks_for_cdrs_updated_from_the_month_start_with_its_token(self):
        sender = CdrSender([])

        await pulling_from(sender).pull(
            OperatorId("swapway"), OCTOBER.starts_at, OCTOBER.ends_at
        )

        (request,) = sender.requests
        assert request.url.params["date_from"] == "2026-09-30T16:00:00Z"
        assert request.url.params["date_to"] == "2026-11-07T16:00:00Z"
        assert request.headers["Authorization"] == "Token c2VjcmV0LWM="

    async def test_fails_when_the_cpo_answers_with_an_error(self):
        sender = CdrSender([], status_code=2001)

        with pytest.raises(PartnerRecordsUnavailableError, match="2001"):
            await pulling_from(sender).pull(
                OperatorId("swapway"), OCTOBER.starts_at, OCTOBER.ends_at
            )

    async def test_fails_on_an_unreadable_cdr_rather_than_skip_it(self):
        sender = CdrSender([{"id": "broken"}])

        with pytest.raises(PartnerRecordsUnavailableError, match="unreadable"):
            await pulling_from(sender).pull(
                OperatorId("swapway"), OCTOBER.starts_at, OCTOBER.ends_at
            )


class TestProtocolPartnerRecords:
    @pytest.mark.parametrize(
        ("partner", "reason"),
        [
            (a_partner(endpoints=False), "no CDRs endpoint"),
            (a_partner(Protocol.TCEC), "check_charge_orders"),
        ],
    )
    async def test_says_why_a_partner_cannot_be_asked(self, partner, reason):
        records = ProtocolPartnerRecords(
            lambda _id: partner,
            OcpiCdrRecords(httpx.AsyncClient),
            TcecOrderCheckRecords(NoChecks()),
        )

        with pytest.raises(PartnerRecordsUnavailableError, match=reason):
            await records.pull(
                OperatorId("swapway"), OCTOBER.starts_at, datetime.now(UTC)
            )
