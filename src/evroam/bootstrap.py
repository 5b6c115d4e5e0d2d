"""Composition root: the one place that picks concrete adapters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
from fastapi import APIRouter
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from evroam.accounts.service import AccountService
from evroam.catalogue.model import Protocol
from evroam.catalogue.service import CatalogueService
from evroam.config import Settings
from evroam.operators.ocpi.v2_2_1.client import OcpiClient
from evroam.operators.ocpi.v2_2_1.endpoint import build_emsp_router
from evroam.operators.ocpi.v2_2_1.enums import Role
from evroam.operators.ocpi.v2_2_1.hub import (
    HubLocationReceiver,
    OcpiPartnerGateway,
    PartnerTokenStore,
)
from evroam.operators.ocpi.v2_2_1.models import (
    BusinessDetails,
    CredentialsRole,
    Endpoint,
)
from evroam.operators.ocpi.v2_2_1.server import ServerConfig
from evroam.operators.tcec.endpoint import (
    InMemoryReplayGuard,
    ReplayGuard,
    SignedGrantStore,
    TcecEndpoint,
    build_router,
)
from evroam.operators.tcec.hub import (
    PartnerPeers,
    TcecPartnerGateway,
    build_hub_handlers,
)
from evroam.partners.ports import PartnerGateway
from evroam.partners.service import PartnersService
from evroam.shared.clock import Clock, SystemClock
from evroam.status.bus import InProcessEventBus
from evroam.status.ports import EventBus
from evroam.status.service import StatusService
from evroam.storage.account_repository import SqlAccountRepository
from evroam.storage.engine import create_database_engine, create_schema
from evroam.storage.lease import SqlLeaseStore
from evroam.storage.partner_repository import SqlPartnerRepository
from evroam.storage.station_repository import SqlStationRepository
from evroam.storage.status_repository import SqlStatusStore

TCEC_TOKEN_TTL_S = 7200  # T/CEC 102.4 example TokenAvailableTime


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    engine: Engine
    clock: Clock
    stations: SqlStationRepository
    catalogue: CatalogueService
    status: StatusService
    bus: EventBus
    partners: PartnersService
    partner_records: SqlPartnerRepository
    leases: SqlLeaseStore
    http: Callable[[], httpx.AsyncClient]
    accounts: AccountService

    def ping_database(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()


def build_services(
    settings: Settings,
    clock: Clock | None = None,
    http: Callable[[], httpx.AsyncClient] | None = None,
) -> Services:
    """Wire storage, bus, protocols and use-cases for ``settings``; creates the schema.

    ``http`` makes the client used to call partners (tests pass one with an
    ASGI transport).
    """
    clock = clock or SystemClock()
    engine = create_database_engine(settings.database_url)
    create_schema(engine)
    stations = SqlStationRepository(engine)
    bus = _build_bus(settings)
    catalogue = CatalogueService(stations, clock)
    status = StatusService(SqlStatusStore(engine), bus, clock)
    records = SqlPartnerRepository(engine)
    http = http or _http_factory(settings)
    partners = PartnersService(
        records,
        stations,
        catalogue,
        status,
        _gateways(settings, records, http, clock),
        clock,
    )
    return Services(
        settings=settings,
        engine=engine,
        clock=clock,
        stations=stations,
        catalogue=catalogue,
        status=status,
        bus=bus,
        partners=partners,
        partner_records=records,
        leases=SqlLeaseStore(engine),
        http=http,
        accounts=AccountService(SqlAccountRepository(engine), clock),
    )


def _http_factory(settings: Settings) -> Callable[[], httpx.AsyncClient]:
    def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=settings.http_timeout_s)

    return make


def hub_credentials_role(settings: Settings) -> CredentialsRole:
    """Who the hub is towards OCPI CPOs: an eMSP (party EVR, China)."""
    return CredentialsRole(
        role=Role.EMSP,
        business_details=BusinessDetails(
            name="evroam hub", website=settings.public_url
        ),
        party_id="EVR",
        country_code="CN",
    )


def _ocpi_config(settings: Settings) -> ServerConfig:
    return ServerConfig(
        public_url=settings.public_url.rstrip("/"),
        roles=(hub_credentials_role(settings),),
    )


def _gateways(
    settings: Settings,
    records: SqlPartnerRepository,
    http: Callable[[], httpx.AsyncClient],
    clock: Clock,
) -> dict[Protocol, PartnerGateway]:
    return {
        Protocol.OCPI: OcpiPartnerGateway(
            http,
            PartnerTokenStore(records),
            _ocpi_config(settings).versions_url,
            hub_credentials_role(settings),
            clock,
        ),
        Protocol.TCEC: TcecPartnerGateway(http, settings.tcec_operator_id, clock),
    }


def build_partner_routers(services: Services) -> list[APIRouter]:
    """The partner-facing protocol endpoints: OCPI under /ocpi, T/CEC under /evcs/v1."""
    settings = services.settings

    async def fetch_endpoints(
        versions_url: str, token: str
    ) -> tuple[str, tuple[Endpoint, ...]]:
        async with services.http() as http:
            return await OcpiClient(http).fetch_endpoints(versions_url, token)

    ocpi = build_emsp_router(
        config=_ocpi_config(settings),
        tokens=PartnerTokenStore(services.partner_records),
        locations=HubLocationReceiver(services.partners),
        fetch_endpoints=fetch_endpoints,
        clock=services.clock,
    )
    peers = PartnerPeers(services.partner_records)
    tcec = TcecEndpoint(
        peers,
        TCEC_TOKEN_TTL_S,
        services.clock,
        build_hub_handlers(peers, services.partners, services.clock),
        grants=SignedGrantStore(settings.token_key.encode()),
        replays=_replay_guard(settings),
    )
    return [ocpi, build_router(tcec, prefix="/evcs/v1")]


def _replay_guard(settings: Settings) -> ReplayGuard:
    if settings.bus_url:
        from evroam.messaging.redis_replay import RedisReplayGuard

        return RedisReplayGuard(settings.bus_url)
    return InMemoryReplayGuard()


def _build_bus(settings: Settings) -> EventBus:
    if settings.bus_url:
        from evroam.messaging.redis_streams import RedisStreamsEventBus

        return RedisStreamsEventBus(settings.bus_url)
    return InProcessEventBus()
