"""A partner platform speaking T/CEC 102: the hub pulls from it, it pushes status.

Served under ``/evcs/v1``: query_token, query_stations_info (pages of at most
``max_page_size`` stations, whatever PageSize asks, with PageCount and
ItemSize), query_station_status (≤ 50 StationIDs, swap stock on the bay's
connector) and query_equip_business_policy (the pile's tariff for today,
local time). Pushes go to ``{hub_url}/evcs/v1/notification_stationStatus``,
one ConnectorStatusInfo per call, as the standard does.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI

from evroam.protocols.tcec_102.client import TcecClient
from evroam.protocols.tcec_102.endpoint import (
    Handler,
    PeerConfig,
    TcecEndpoint,
    build_router,
)
from evroam.protocols.tcec_102.models import (
    QueryEquipBusinessPolicyRequest,
    QueryEquipBusinessPolicyResponse,
    QueryStationsInfoRequest,
    QueryStationsInfoResponse,
    QueryStationStatusRequest,
    QueryStationStatusResponse,
    parse_body,
)
from evroam.protocols.tcec_102.timestamp import WIRE_ZONE, parse_query_time
from evroam.scenario.cities import PROVINCES
from evroam.shared.clock import Clock, SystemClock
from evroam.shared.datum import Datum
from evroam.simulator.control import build_control_router
from evroam.simulator.credentials import TcecPartnerCredentials
from evroam.simulator.network import Change, SimulatedNetwork
from evroam.simulator.runner import (
    SimulationRunner,
    SimulationSettings,
    runner_lifespan,
)
from evroam.simulator.sessions import (
    SessionSettings,
    SessionSimulator,
    build_sessions_control_router,
)
from evroam.simulator.tcec_sessions import (
    TcecSessionReporter,
    build_charging_query_handlers,
    build_check_control_router,
)
from evroam.simulator.tcec_wire import (
    StationContact,
    connector_status_info_of,
    policy_infos_of,
    station_info_of,
    station_status_info_of,
)

FAIL_NO_SUCH_EQUIPMENT = 1  # T/CEC 102.4 query_equip_business_policy FailReason


@dataclass(frozen=True, slots=True)
class TcecSimulatorConfig:
    credentials: TcecPartnerCredentials
    hub_url: str = "http://127.0.0.1:8000"
    simulation: SimulationSettings = field(default_factory=SimulationSettings)
    token_ttl_s: int = 7200
    max_page_size: int = 100  # keeps a page well under the 1 MiB envelope limit
    push_timeout_s: float = 5.0
    sessions: SessionSettings = field(default_factory=SessionSettings)


class TcecPusher:
    """notification_stationStatus to the hub, as the partner's OperatorID."""

    def __init__(self, network: SimulatedNetwork, client: TcecClient) -> None:
        self._network = network
        self._client = client

    @property
    def is_ready(self) -> bool:
        return True  # T/CEC needs no registration: the hub knows us by config

    async def push(self, change: Change) -> None:
        ref = self._network.piles[change.pile]
        station = self._network.station(ref.station_index)
        info = connector_status_info_of(station.piles[ref.position], station.swap)
        reply = await self._client.notification_station_status(info)
        if reply.Status != 0:
            raise RuntimeError(f"hub refused the status of {ref.name}")


class _Handlers:
    """The three query messages, answered from the network."""

    def __init__(
        self, network: SimulatedNetwork, config: TcecSimulatorConfig, clock: Clock
    ) -> None:
        self._network = network
        self._config = config
        self._clock = clock
        self._service_tel = service_tel_of(network.operator.id)

    def as_map(self) -> dict[str, Handler]:
        return {
            "query_stations_info": self.stations_info,
            "query_station_status": self.station_status,
            "query_equip_business_policy": self.business_policy,
        }

    async def stations_info(self, _: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(QueryStationsInfoRequest, body)
        since = (
            parse_query_time(request.LastQueryTime) if request.LastQueryTime else None
        )
        matching = self._changed_since(since)
        size = min(request.PageSize, self._config.max_page_size)
        first = (request.PageNo - 1) * size
        our_id = self._config.credentials.partner_operator_id
        infos = [
            station_info_of(
                station,
                our_id,
                self._network.prices_of(i),
                StationContact(area_code_of(station.tags), self._service_tel),
                # Chinese platforms publish GCJ-02, and so do we (ADR 0030).
                datum=Datum.GCJ02,
            )
            for i in matching[first : first + size]
            for station in (self._network.station(i),)
        ]
        return QueryStationsInfoResponse(
            PageNo=request.PageNo,
            PageCount=max(1, math.ceil(len(matching) / size)),
            ItemSize=len(matching),
            StationInfos=infos,
        ).to_wire()

    def _changed_since(self, since: datetime | None) -> list[int]:
        # LastQueryTime selects stations whose information changed after it;
        # status and stock changes are not station information.
        count = self._network.station_count
        if since is None:
            return list(range(count))
        return [
            i
            for i in range(count)
            if (self._network.info_updated_at(i) or since) > since
        ]

    async def station_status(self, _: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(QueryStationStatusRequest, body)
        found = (self._network.find_station(sid) for sid in request.StationIDs)
        infos = [
            station_status_info_of(self._network.station(i))
            for i in found
            if i is not None
        ]
        return QueryStationStatusResponse(
            Total=len(infos), StationStatusInfos=infos
        ).to_wire()

    async def business_policy(self, _: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(QueryEquipBusinessPolicyRequest, body)
        pile = self._network.find_pile(request.ConnectorID)
        if pile is None:
            return QueryEquipBusinessPolicyResponse(
                EquipBizSeq=request.EquipBizSeq,
                ConnectorID=request.ConnectorID,
                SuccStat=1,
                FailReason=FAIL_NO_SUCH_EQUIPMENT,
            ).to_wire()
        today = self._clock.now().astimezone(WIRE_ZONE).date()
        policies = policy_infos_of(self._network.prices_of(pile.station_index), today)
        return QueryEquipBusinessPolicyResponse(
            EquipBizSeq=request.EquipBizSeq,
            ConnectorID=request.ConnectorID,
            SuccStat=0,
            SumPeriod=len(policies),
            PolicyInfos=policies,
        ).to_wire()


def area_code_of(tags: Sequence[str]) -> str:
    """The GB/T 2260 code of the station's province (its ``province:`` tag)."""
    for tag in tags:
        key, _, value = tag.partition(":")
        if key == "province" and value in PROVINCES:
            return PROVINCES[value].area_code
    return "000000"


def service_tel_of(operator_id: str) -> str:
    """A made-up, fixed 400 service line per simulated operator."""
    digits = str(int(hashlib.sha256(operator_id.encode()).hexdigest(), 16))[:7]
    return f"400-{digits[:3]}-{digits[3:]}"


def build_tcec_simulator(
    network: SimulatedNetwork,
    config: TcecSimulatorConfig,
    *,
    http: httpx.AsyncClient | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """The app; ``app.state.runner`` is its ``SimulationRunner``. ``http`` (to
    reach the hub) is closed with the app only when it was created here."""
    clock = clock or SystemClock()
    owned = http is None
    client_http = http or httpx.AsyncClient(
        timeout=config.push_timeout_s, limits=httpx.Limits(keepalive_expiry=2.0)
    )
    creds = config.credentials
    to_hub = TcecClient(
        client_http,
        base_url=f"{config.hub_url.rstrip('/')}/evcs/v1",
        operator_id=creds.partner_operator_id,
        operator_secret=creds.operator_secret,
        secrets=creds.secrets,
        clock=clock,
        spelling=creds.spelling,
    )
    pusher = TcecPusher(network, to_hub)
    runner = SimulationRunner(network, pusher, config.simulation, clock)
    sessions = SessionSimulator(runner, config.sessions, clock)
    reporter = TcecSessionReporter(sessions, to_hub)
    sessions.reporter = reporter
    endpoint = TcecEndpoint(
        {
            creds.hub_operator_id: PeerConfig(
                creds.operator_secret, creds.secrets, creds.spelling
            )
        },
        token_ttl_s=config.token_ttl_s,
        clock=clock,
        handlers={
            **_Handlers(network, config, clock).as_map(),
            **build_charging_query_handlers(sessions),
        },
    )

    async def close() -> None:
        await sessions.close()
        if owned:
            await client_http.aclose()

    app = FastAPI(
        title=f"{network.operator.name} (simulated T/CEC 102 partner)",
        lifespan=runner_lifespan(runner, close),
    )
    app.include_router(build_router(endpoint))
    app.include_router(build_control_router(runner))
    app.include_router(build_sessions_control_router(sessions))
    app.include_router(build_check_control_router(reporter))
    app.state.runner = runner
    app.state.sessions = sessions
    app.state.session_reporter = reporter
    return app
