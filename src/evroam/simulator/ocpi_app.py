"""A partner platform speaking OCPI 2.2.1 as a CPO: senders, and pushes to the hub.

It serves versions, credentials, and the Locations and Tariffs senders. The
hub registers with TOKEN_A (given out of band); the CPO router then reads the
hub's endpoints with the hub's TOKEN_B. From then on each status change is
``PATCH {receiver}/{cc}/{party}/{location}/{evse_uid}`` with ``status`` and
``last_updated``; a swap-stock change is a full ``PUT`` of the Location.
Before registration changes only accumulate in the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI

from evroam.protocols.ocpi_2_2_1.authorization import build_tokens_receiver_router
from evroam.protocols.ocpi_2_2_1.client import OcpiClient
from evroam.protocols.ocpi_2_2_1.commands import build_cpo_commands_router
from evroam.protocols.ocpi_2_2_1.endpoint import build_cpo_router
from evroam.protocols.ocpi_2_2_1.enums import InterfaceRole, ModuleId, Role
from evroam.protocols.ocpi_2_2_1.models import (
    BusinessDetails,
    CredentialsRole,
    Endpoint,
    EvsePatch,
)
from evroam.protocols.ocpi_2_2_1.server import ServerConfig
from evroam.protocols.ocpi_2_2_1.sessions import build_cpo_cdrs_router
from evroam.protocols.ocpi_2_2_1.tokens import InMemoryTokenStore, Peer, TokenStore
from evroam.shared.clock import Clock, SystemClock
from evroam.simulator.control import build_control_router
from evroam.simulator.network import Change, SimulatedNetwork
from evroam.simulator.ocpi_reservations import OcpiPileDesk
from evroam.simulator.ocpi_sessions import (
    OcpiCommandDesk,
    OcpiSessionReporter,
)
from evroam.simulator.ocpi_source import NetworkCpoSource
from evroam.simulator.ocpi_tokens import TokenCache, build_tokens_control_router
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
from evroam.simulator.wire_status import ocpi_status

HUB_KEY = "hub"  # the token store's key of the one peer a simulator serves
OCPI_PREFIX = "/ocpi/cpo"


@dataclass(frozen=True, slots=True)
class OcpiSimulatorConfig:
    """``public_url`` is where the hub reaches us, e.g. ``http://127.0.0.1:9001``."""

    public_url: str
    token_a: str
    simulation: SimulationSettings = field(default_factory=SimulationSettings)
    prefix: str = OCPI_PREFIX
    push_timeout_s: float = 5.0
    sessions: SessionSettings = field(default_factory=SessionSettings)

    @property
    def versions_url(self) -> str:
        return f"{self.public_url.rstrip('/')}{self.prefix}/versions"

    def __repr__(self) -> str:
        return (
            f"OcpiSimulatorConfig(public_url={self.public_url!r}, token_a=<redacted>)"
        )


class OcpiPusher:
    """Pushes to the hub's Locations receiver once the hub has registered."""

    def __init__(
        self,
        source: NetworkCpoSource,
        network: SimulatedNetwork,
        tokens: TokenStore,
        http: httpx.AsyncClient,
    ) -> None:
        self._source = source
        self._network = network
        self._tokens = tokens
        self._http = http

    def _hub(self) -> Peer | None:
        peer = self._tokens.find(HUB_KEY)
        if peer is None or not peer.is_registered:
            return None
        if not peer.outgoing_token or ModuleId.LOCATIONS not in peer.endpoints:
            return None
        return peer

    @property
    def is_ready(self) -> bool:
        return self._hub() is not None

    async def push(self, change: Change) -> None:
        hub = self._hub()
        if hub is None:
            raise RuntimeError("the hub is not registered")
        receiver = Endpoint(
            identifier=ModuleId.LOCATIONS,
            role=InterfaceRole.RECEIVER,
            url=hub.endpoints[ModuleId.LOCATIONS],
        )
        client = OcpiClient(self._http, token=hub.outgoing_token, endpoints=[receiver])
        ref = self._network.piles[change.pile]
        if change.swap is not None:
            await client.push_location(self._source.location(ref.station_index))
            return
        location_id, evse_uid = ref.name.split("/", 1)
        patch = EvsePatch(
            status=ocpi_status(change.status),
            last_updated=change.at,
        )
        await client.patch_evse(
            self._source.country_code,
            self._source.party_id,
            location_id,
            evse_uid,
            patch,
        )


def _our_role(network: SimulatedNetwork) -> CredentialsRole:
    operator = network.operator
    return CredentialsRole(
        role=Role.CPO,
        business_details=BusinessDetails(name=operator.name),
        party_id=operator.party_id,
        country_code=operator.country_code,
    )


def build_ocpi_simulator(
    network: SimulatedNetwork,
    config: OcpiSimulatorConfig,
    *,
    http: httpx.AsyncClient | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """The app; ``app.state.runner`` is its ``SimulationRunner``. ``http`` (to
    reach the hub) is closed with the app only when it was created here."""
    clock = clock or SystemClock()
    owned = http is None
    hub_http = http or httpx.AsyncClient(
        timeout=config.push_timeout_s, limits=httpx.Limits(keepalive_expiry=2.0)
    )
    tokens = InMemoryTokenStore((Peer(key=HUB_KEY, incoming_token=config.token_a),))
    source = NetworkCpoSource(network)
    runner = SimulationRunner(
        network,
        OcpiPusher(source, network, tokens, hub_http),
        config.simulation,
        clock,
    )
    sessions = SessionSimulator(runner, config.sessions, clock)
    reporter = OcpiSessionReporter(sessions, source, tokens, hub_http)
    token_cache = TokenCache()
    pile_desk = OcpiPileDesk(runner, tokens, hub_http, clock, token_cache)
    sessions.reporter = reporter

    async def close() -> None:
        await pile_desk.close()
        await sessions.close()
        if owned:
            await hub_http.aclose()

    app = FastAPI(
        title=f"{network.operator.name} (simulated OCPI 2.2.1 CPO)",
        lifespan=runner_lifespan(runner, close),
    )
    app.include_router(
        build_cpo_router(
            config=ServerConfig(
                config.public_url.rstrip("/"), (_our_role(network),), config.prefix
            ),
            tokens=tokens,
            source=source,
            fetch_endpoints=OcpiClient(hub_http).fetch_endpoints,
            clock=clock,
            extra_modules=(
                (ModuleId.COMMANDS, InterfaceRole.RECEIVER),
                (ModuleId.CDRS, InterfaceRole.SENDER),
                (ModuleId.TOKENS, InterfaceRole.RECEIVER),
            ),
        )
    )
    app.include_router(
        build_cpo_commands_router(
            tokens=tokens,
            receiver=OcpiCommandDesk(sessions, token_cache, pile_desk),
            clock=clock,
            prefix=config.prefix,
            reservations=pile_desk,
            unlocks=pile_desk,
        )
    )
    app.include_router(
        build_tokens_receiver_router(
            tokens=tokens, receiver=token_cache, clock=clock, prefix=config.prefix
        )
    )
    app.include_router(build_tokens_control_router(token_cache, tokens, hub_http))
    app.include_router(
        build_cpo_cdrs_router(
            tokens=tokens, source=reporter, clock=clock, prefix=config.prefix
        )
    )
    app.include_router(build_control_router(runner))
    app.include_router(build_sessions_control_router(sessions))
    app.state.runner = runner
    app.state.sessions = sessions
    app.state.tokens = tokens
    app.state.token_cache = token_cache
    app.state.pile_desk = pile_desk
    return app
