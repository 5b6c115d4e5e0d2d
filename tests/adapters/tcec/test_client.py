"""TcecClient against a T/CEC router (FastAPI over httpx.ASGITransport)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from evroam.protocols.tcec_102.client import SeqCounter, TcecClient
from evroam.protocols.tcec_102.endpoint import PeerConfig, TcecEndpoint, build_router
from evroam.protocols.tcec_102.envelope import TcecSecrets
from evroam.protocols.tcec_102.errors import PayloadError, TokenError
from evroam.protocols.tcec_102.models import (
    ConnectorStatusInfo,
    NotificationStationStatusRequest,
    NotificationStationStatusResponse,
    QueryEquipBusinessPolicyResponse,
    QueryStationsInfoRequest,
    QueryStationsInfoResponse,
    QueryStationStatusRequest,
    QueryStationStatusResponse,
    StationInfo,
    StationStatusInfo,
)
from evroam.protocols.tcec_102.profiles import SpellingProfile
from evroam.protocols.tcec_102.timestamp import format_timestamp
from tests.fakes import FixedClock

from .wire import fixture

OPERATOR_ID = "MA0EVROAM"
OPERATOR_SECRET = "op-secret-123456"
SECRETS = TcecSecrets.from_text(
    "a1b2c3d4e5f6g7h8", "h8g7f6e5d4c3b2a1", "sigsecret0000000"
)
START = datetime(2024, 5, 1, 4, 0, tzinfo=UTC)


def a_station_info(n: int) -> StationInfo:
    return StationInfo(
        StationID=f"S{n:04d}",
        StationName=f"充电站{n}",
        StationLng=Decimal("121.4") + Decimal(n) / 1000,
        StationLat=Decimal("31.2"),
    )


class FakePartner:
    """A partner network of 25 stations behind a real T/CEC router."""

    def __init__(self, spelling: SpellingProfile = SpellingProfile.STANDARD) -> None:
        self.clock = FixedClock(START)
        self.stations = [a_station_info(n) for n in range(25)]
        self.pages_served: list[int] = []
        self.tokens_issued = 0
        self.pushed: list[ConnectorStatusInfo] = []
        self.refuse_token_once = False
        self.mistyped: dict[str, dict[str, Any]] = {}  # StationID -> fields sent
        self.endpoint = TcecEndpoint(
            {OPERATOR_ID: PeerConfig(OPERATOR_SECRET, SECRETS, spelling)},
            token_ttl_s=3600,
            clock=self.clock,
            handlers={
                "query_stations_info": self.query_stations_info,
                "query_station_status": self.query_station_status,
                "query_equip_business_policy": self.query_equip_business_policy,
                "notification_stationStatus": self.notification_station_status,
            },
            new_token=self.new_token,
        )
        self.app = FastAPI()
        self.app.include_router(build_router(self.endpoint))

    def new_token(self) -> str:
        self.tokens_issued += 1
        return f"token-{self.tokens_issued}"

    async def query_stations_info(self, _: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.refuse_token_once:
            self.refuse_token_once = False
            raise TokenError("Token已失效")
        request = QueryStationsInfoRequest.model_validate(body)
        self.pages_served.append(request.PageNo)
        start = (request.PageNo - 1) * request.PageSize
        page = self.stations[start : start + request.PageSize]
        page_count = -(-len(self.stations) // request.PageSize)
        body = QueryStationsInfoResponse(
            PageNo=request.PageNo,
            PageCount=page_count,
            ItemSize=len(self.stations),
            StationInfos=page,
        ).to_wire()
        for station in body["StationInfos"]:
            station.update(self.mistyped.get(station["StationID"], {}))
        return body

    async def query_station_status(
        self, _: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        ids = QueryStationStatusRequest.model_validate(body).StationIDs
        infos = [StationStatusInfo(StationID=i) for i in ids]
        return QueryStationStatusResponse(
            Total=len(ids), StationStatusInfos=infos
        ).to_wire()

    async def query_equip_business_policy(
        self, _: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        reply = fixture("business_policy_sevice.json")
        reply["EquipBizSeq"] = body["EquipBizSeq"]
        return reply

    async def notification_station_status(
        self, _: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        request = NotificationStationStatusRequest.model_validate(body)
        self.pushed.append(request.ConnectorStatusInfo)
        return NotificationStationStatusResponse(Status=0).to_wire()


@pytest.fixture
def partner() -> FakePartner:
    return FakePartner()


@pytest.fixture
async def client(partner: FakePartner) -> AsyncIterator[TcecClient]:
    transport = httpx.ASGITransport(app=partner.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cpo") as http:
        yield TcecClient(
            http,
            base_url="http://cpo/evcs/v1",
            operator_id=OPERATOR_ID,
            operator_secret=OPERATOR_SECRET,
            secrets=SECRETS,
            clock=partner.clock,
        )


class TestSyncingAPartner:
    async def test_token_then_every_page_then_a_status_push(self, client, partner):
        token = await client.query_token()
        assert token.TokenAvailableTime == 3600

        stations = [info async for info in client.iter_all_stations(page_size=10)]
        assert [s.StationID for s in stations] == [f"S{n:04d}" for n in range(25)]
        assert partner.pages_served == [1, 2, 3]

        status = ConnectorStatusInfo(ConnectorID="S0001-01", Status=3)
        reply = await client.notification_station_status(status)
        assert reply.Status == 0
        assert partner.pushed == [status]
        assert partner.tokens_issued == 1

    async def test_a_mistyped_station_is_refused_with_why_and_the_rest_kept(
        self, client, partner
    ):
        partner.mistyped = {
            "S0003": {"StationLat": "31.2"},
            "S0012": {"StationType": "1"},
        }
        stations = [info async for info in client.iter_all_stations(page_size=10)]
        assert len(stations) == 23
        assert "S0003" not in {s.StationID for s in stations}
        refused = {r.station_id: r.reason for r in client.refused_stations}
        assert set(refused) == {"S0003", "S0012"}
        assert "StationLat" in refused["S0003"]
        assert "StationType" in refused["S0012"]

    async def test_a_page_of_only_refused_stations_does_not_end_the_pull(
        self, client, partner
    ):
        partner.mistyped = {f"S{n:04d}": {"StationLng": "x"} for n in range(10)}
        stations = [info async for info in client.iter_all_stations(page_size=10)]
        assert [s.StationID for s in stations] == [f"S{n:04d}" for n in range(10, 25)]

    async def test_the_first_call_fetches_a_token_by_itself(self, client, partner):
        page = await client.query_stations_info(page_no=3, page_size=10)
        assert (page.PageNo, page.PageCount, len(page.StationInfos)) == (3, 3, 5)
        assert partner.tokens_issued == 1

    async def test_station_status_is_asked_fifty_stations_at_a_time(self, client):
        ids = [f"S{n:04d}" for n in range(120)]
        reply = await client.query_station_status(ids)
        assert reply.Total == 120
        assert [s.StationID for s in reply.StationStatusInfos] == ids

    async def test_business_policy_comes_back_with_our_27_character_sequence(
        self, client
    ):
        reply = await client.query_equip_business_policy("E000101")
        assert isinstance(reply, QueryEquipBusinessPolicyResponse)
        assert len(reply.EquipBizSeq) == 27
        assert reply.EquipBizSeq.startswith(OPERATOR_ID)
        assert reply.PolicyInfos[1].SevicePrice == Decimal("0.8000")


class TestTokenLifetime:
    async def test_an_expiring_token_is_replaced_before_use(self, client, partner):
        await client.query_stations_info()
        partner.clock.set(START + timedelta(minutes=59, seconds=30))
        await client.query_stations_info()
        assert partner.tokens_issued == 2

    async def test_a_token_refused_by_the_partner_is_fetched_again_once(
        self, client, partner
    ):
        await client.query_token()
        partner.refuse_token_once = True
        page = await client.query_stations_info()
        assert page.PageNo == 1
        assert partner.tokens_issued == 2

    async def test_an_envelope_taken_for_a_replay_is_sent_again_fresh(
        self, client, partner
    ):
        """Another sender with our OperatorID (a second worker, a restarted
        process) used Seq 0001 in this very second: the partner answers 4003
        and the client re-seals with the next Seq."""
        await client.query_token()  # Seq 0001 at the partner's fixed time
        transport = httpx.ASGITransport(app=partner.app)
        async with httpx.AsyncClient(transport=transport) as http:
            restarted = TcecClient(
                http,
                base_url="http://cpo/evcs/v1",
                operator_id=OPERATOR_ID,
                operator_secret=OPERATOR_SECRET,
                secrets=SECRETS,
                clock=partner.clock,
            )
            await restarted.query_token()  # Seq 0001 again: refused, then 0002

        assert partner.tokens_issued == 2

    async def test_a_wrong_operator_secret_raises_a_token_error(self, partner):
        transport = httpx.ASGITransport(app=partner.app)
        async with httpx.AsyncClient(transport=transport) as http:
            client = TcecClient(
                http,
                base_url="http://cpo/evcs/v1",
                operator_id=OPERATOR_ID,
                operator_secret="not-the-secret",
                secrets=SECRETS,
                clock=partner.clock,
            )
            with pytest.raises(TokenError):
                await client.query_stations_info()


class TestServiceSpellingPartner:
    async def ask_policy(self, profile: SpellingProfile):
        partner = FakePartner(SpellingProfile.SERVICE)
        transport = httpx.ASGITransport(app=partner.app)
        async with httpx.AsyncClient(transport=transport) as http:
            client = TcecClient(
                http,
                base_url="http://cpo/evcs/v1",
                operator_id=OPERATOR_ID,
                operator_secret=OPERATOR_SECRET,
                secrets=SECRETS,
                clock=partner.clock,
                spelling=profile,
            )
            return await client.query_equip_business_policy("E000101")

    async def test_a_partner_set_to_the_service_profile_is_understood(self):
        reply = await self.ask_policy(SpellingProfile.SERVICE)
        assert [p.SevicePrice for p in reply.PolicyInfos] == [
            Decimal("0.4000"),
            Decimal("0.8000"),
            Decimal("0.6000"),
            Decimal("0.8000"),
        ]

    async def test_a_partner_set_to_the_wrong_profile_is_refused_naming_it(self):
        with pytest.raises(PayloadError, match=r"ServicePrice.*profile standard"):
            await self.ask_policy(SpellingProfile.STANDARD)


class TestEnvelopeDetails:
    def test_seq_counts_to_9999_and_wraps_to_0001(self):
        seq = SeqCounter(last=9998)
        assert [seq.next(), seq.next(), seq.next()] == ["9999", "0001", "0002"]

    def test_timestamps_are_written_in_beijing_time(self):
        assert format_timestamp(START) == "20240501120000"

    async def test_the_router_answers_over_http_200_with_an_envelope(self, partner):
        transport = httpx.ASGITransport(app=partner.app)
        async with httpx.AsyncClient(transport=transport) as http:
            response = await http.post("http://cpo/evcs/v1/query_token", content=b"{}")
        assert response.status_code == 200
        assert response.json()["Ret"] == 4004

    async def test_the_router_refuses_a_body_over_one_mebibyte(self, partner):
        transport = httpx.ASGITransport(app=partner.app)
        async with httpx.AsyncClient(transport=transport) as http:
            big = b" " * (2 * 1024 * 1024)
            response = await http.post("http://cpo/evcs/v1/query_token", content=big)
        assert response.json()["Ret"] == 4004

    def test_the_router_publishes_every_message_in_openapi(self, partner):
        paths = partner.app.openapi()["paths"]
        assert set(paths) == {
            "/evcs/v1/query_token",
            "/evcs/v1/query_stations_info",
            "/evcs/v1/query_station_status",
            "/evcs/v1/query_equip_business_policy",
            "/evcs/v1/notification_stationStatus",
        }
