"""The real hub (services, API app, SQLite) and one fake OCPI CPO, in process.

The CPO is the wire library's CPO router over an in-memory source; a test can
mount extra routes first (they win), e.g. to serve a real feed's raw JSON.
"""

from __future__ import annotations

import contextlib
import typing
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import APIRouter, FastAPI

from evroam.api.app import create_app
from evroam.bootstrap import Services, build_services
from evroam.catalogue.model import OperatorProfile, Protocol, Station
from evroam.config import Settings
from evroam.partners.model import Partner
from evroam.protocols.ocpi_2_2_1.authorization import (
    TokenReceiver,
    build_tokens_receiver_router,
)
from evroam.protocols.ocpi_2_2_1.client import OcpiClient
from evroam.protocols.ocpi_2_2_1.commands import (
    CommandReceiver,
    ReservationReceiver,
    UnlockReceiver,
    build_cpo_commands_router,
)
from evroam.protocols.ocpi_2_2_1.endpoint import build_cpo_router
from evroam.protocols.ocpi_2_2_1.enums import InterfaceRole, ModuleId
from evroam.protocols.ocpi_2_2_1.models import Endpoint
from evroam.protocols.ocpi_2_2_1.server import ServerConfig
from evroam.protocols.ocpi_2_2_1.tokens import InMemoryTokenStore, Peer
from evroam.shared.clock import Clock
from evroam.shared.ids import OperatorId, station_id_for
from evroam.storage.database import DatabaseAccess
from tests.adapters.ocpi.fakes import CPO_ROLE, InMemoryCpoSource
from tests.asgi_network import HostRouter


class PileDesk(ReservationReceiver, UnlockReceiver, typing.Protocol):
    """A CPO's receiver of reservations and unlocks."""


CPO_HOST = "cpo.test"
CPO_KEY = "feedcpo"  # the partner id the hub gives the CPO
TOKEN_A = "token-a-of-the-fake-cpo"


@dataclass
class HubAndCpo:
    services: Services
    router: HostRouter
    http: httpx.AsyncClient
    source: InMemoryCpoSource
    cpo_tokens: InMemoryTokenStore

    def hub_api(self, token: str | None = None) -> dict[str, str]:
        """Headers for the hub's /api (a driver's token, or the admin's)."""
        bearer = token or self.services.settings.admin_token
        return {
            "Authorization": f"Bearer {bearer}",
            "Content-Type": "application/json",
        }

    def partner(self, partner_id: str = CPO_KEY) -> Partner:
        return Partner(
            OperatorId(partner_id),
            "Fake CPO",
            Protocol.OCPI,
            OperatorProfile.FAST,
            f"http://{CPO_HOST}/ocpi/cpo/versions",
            {"token_a": TOKEN_A},
        )

    async def onboard(self, partner_id: str = CPO_KEY) -> None:
        await self.services.partners.add_partner(self.partner(partner_id))

    def station(self, location_id: str) -> Station | None:
        return self.services.catalogue.find_station(
            station_id_for(CPO_KEY, location_id)
        )

    def cpo_client(self, module: str = ModuleId.LOCATIONS) -> OcpiClient:
        """What the CPO uses to push to the hub's ``module`` receiver."""
        hub = self.cpo_tokens.find("hub")
        assert hub is not None
        assert hub.is_registered
        receiver = Endpoint(
            identifier=module,
            role=InterfaceRole.RECEIVER,
            url=hub.endpoints[module],
        )
        return OcpiClient(self.http, token=hub.outgoing_token, endpoints=[receiver])

    @property
    def cpo_token(self) -> str:
        """The token the CPO presents to the hub (the hub's TOKEN_B)."""
        hub = self.cpo_tokens.find("hub")
        assert hub is not None
        assert hub.outgoing_token
        return hub.outgoing_token


@contextlib.asynccontextmanager
async def hub_and_cpo(
    directory: Path,
    first: Callable[[], APIRouter] | None = None,
    commands: CommandReceiver | None = None,
    token_receiver: TokenReceiver | None = None,
    pile_desk: PileDesk | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[HubAndCpo]:
    """``first`` makes routes the CPO app mounts before the library's;
    ``commands`` answers the hub's commands (Commands RECEIVER);
    ``token_receiver`` takes the hub's Token pushes (Tokens RECEIVER);
    ``pile_desk`` takes reservations and unlocks (with ``commands``)."""
    router = HostRouter()
    settings = Settings(
        database_url=f"sqlite:///{directory / 'hub.db'}",
        public_url="http://hub.test",
        maintenance_interval_s=0,
        payment_provider="sandbox",
        admin_token="admin-token-of-the-tests",
    )
    services = build_services(
        settings,
        clock=clock,
        http=lambda: httpx.AsyncClient(transport=router),
        access=DatabaseAccess.UPGRADE,
    )
    router.mount("hub.test", create_app(settings, services))
    http = httpx.AsyncClient(transport=router)
    source = InMemoryCpoSource()
    tokens = InMemoryTokenStore((Peer(key="hub", incoming_token=TOKEN_A),))
    cpo = FastAPI()
    if first is not None:
        cpo.include_router(first())
    extra: tuple[tuple[str, InterfaceRole], ...] = ()
    if token_receiver is not None:
        extra += ((ModuleId.TOKENS, InterfaceRole.RECEIVER),)
        cpo.include_router(
            build_tokens_receiver_router(
                tokens=tokens, receiver=token_receiver, prefix="/ocpi/cpo"
            )
        )
    if commands is not None:
        extra += ((ModuleId.COMMANDS, InterfaceRole.RECEIVER),)
        cpo.include_router(
            build_cpo_commands_router(
                tokens=tokens,
                receiver=commands,
                prefix="/ocpi/cpo",
                reservations=pile_desk,
                unlocks=pile_desk,
            )
        )
    cpo.include_router(
        build_cpo_router(
            config=ServerConfig(f"http://{CPO_HOST}", (CPO_ROLE,), "/ocpi/cpo"),
            tokens=tokens,
            source=source,
            fetch_endpoints=OcpiClient(http).fetch_endpoints,
            extra_modules=extra,
        )
    )
    router.mount(CPO_HOST, cpo)
    try:
        yield HubAndCpo(services, router, http, source, tokens)
    finally:
        await http.aclose()
        services.close()
