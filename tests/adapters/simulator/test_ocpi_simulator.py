"""The OCPI simulator: handshake with a hub, full pulls, and pushes once registered."""

import httpx
import pytest
from fastapi import FastAPI

from evroam.catalogue.model import OperatorProfile, PileStatus, Protocol
from evroam.protocols.ocpi_2_2_1.client import OcpiClient
from evroam.protocols.ocpi_2_2_1.endpoint import build_emsp_router
from evroam.protocols.ocpi_2_2_1.enums import Status
from evroam.protocols.ocpi_2_2_1.errors import UnauthorizedError
from evroam.protocols.ocpi_2_2_1.server import ServerConfig
from evroam.protocols.ocpi_2_2_1.tokens import InMemoryTokenStore, Peer, new_token
from evroam.simulator.network import SimulatedNetwork
from evroam.simulator.ocpi_app import (
    OcpiSimulatorConfig,
    build_ocpi_simulator,
)
from tests.adapters.ocpi.fakes import HUB_ROLE, HostRouter, InMemoryLocationReceiver

SIM_URL = "http://sim.test"
HUB_VERSIONS = "http://hub.test/ocpi/versions"
TOKEN_A = "token-a-for-the-test"


class World:
    """A fake hub (eMSP router, recording receiver) and the simulator, in process."""

    def __init__(self, network: SimulatedNetwork, clock, wire):
        http, router = wire
        self.http = http
        self.receiver = InMemoryLocationReceiver()
        self.hub_tokens = InMemoryTokenStore()
        self.token_b = new_token()
        self.hub_tokens.save(
            Peer(
                key=network.operator.id, incoming_token=self.token_b, is_registered=True
            )
        )
        hub = FastAPI()
        hub.include_router(
            build_emsp_router(
                config=ServerConfig("http://hub.test", (HUB_ROLE,), prefix="/ocpi"),
                tokens=self.hub_tokens,
                locations=self.receiver,
                clock=clock,
            )
        )
        self.config = OcpiSimulatorConfig(public_url=SIM_URL, token_a=TOKEN_A)
        self.app = build_ocpi_simulator(network, self.config, http=http, clock=clock)
        self.runner = self.app.state.runner
        router.mount("hub.test", hub)
        router.mount("sim.test", self.app)

    async def register(self) -> OcpiClient:
        client = OcpiClient(self.http)
        await client.register(
            self.config.versions_url, TOKEN_A, HUB_VERSIONS, self.token_b, HUB_ROLE
        )
        return client


@pytest.fixture
async def wire():
    router = HostRouter()
    async with httpx.AsyncClient(transport=router) as client:
        yield client, router


@pytest.fixture
def world(community_ocpi, clock, wire) -> World:
    return World(community_ocpi, clock, wire)


class TestHandshake:
    async def test_the_hub_registers_with_token_a_and_learns_our_senders(self, world):
        client = await world.register()
        urls = {e.identifier: e.url for e in client.endpoints}
        assert urls["locations"] == f"{SIM_URL}/ocpi/cpo/2.2.1/locations"
        assert urls["tariffs"] == f"{SIM_URL}/ocpi/cpo/2.2.1/tariffs"
        assert world.runner.is_registered

    async def test_token_a_opens_the_versions_but_not_the_locations(self, world):
        stale = OcpiClient(world.http, token=TOKEN_A)
        _, stale.endpoints = await stale.fetch_endpoints(world.config.versions_url)
        with pytest.raises(UnauthorizedError):
            await anext(stale.iter_locations())


class TestPulling:
    async def test_iter_locations_returns_every_location_of_the_profile(
        self, world, community_ocpi
    ):
        client = await world.register()
        locations = [loc async for loc in client.iter_locations(page_limit=100)]
        assert len(locations) == community_ocpi.station_count == 1236
        assert sum(len(loc.evses or ()) for loc in locations) == 6000
        assert {loc.party_id for loc in locations} == {"NBC"}

    async def test_every_connector_names_a_tariff_the_hub_can_pull(self, world):
        client = await world.register()
        tariff_ids = {t.id async for t in client.iter_tariffs()}
        named = {
            tid
            async for loc in client.iter_locations()
            for evse in loc.evses or ()
            for conn in evse.connectors
            for tid in conn.tariff_ids or ()
        }
        assert named == tariff_ids

    async def test_date_from_returns_only_locations_changed_since(self, world, clock):
        client = await world.register()
        clock.set(clock.now().replace(minute=30))
        await world.runner.force("S0000007/E01", PileStatus.CHARGING)
        changed = [loc.id async for loc in client.iter_locations(date_from=clock.now())]
        assert changed == ["S0000007"]


class TestPushing:
    async def test_changes_before_registration_only_change_the_network(
        self, world, community_ocpi
    ):
        await world.runner.force("S0000001/E01", PileStatus.FAULTED)
        assert community_ocpi.pile_statuses()["S0000001/E01"] == "faulted"
        assert world.receiver.patches == []
        assert world.runner.counters.skipped == 1

    async def test_a_forced_change_is_patched_to_the_hub_with_last_updated(
        self, world, clock
    ):
        client = await world.register()
        location = await client.get_location("S0000001")
        await world.receiver.on_location("neighbourly", location)
        answer = await world.http.post(
            f"{SIM_URL}/sim/piles/S0000001/E01/status", json={"status": "charging"}
        )
        assert answer.status_code == 200
        ((key, location_id, evse_uid, patch),) = world.receiver.patches
        assert (key, location_id, evse_uid) == ("neighbourly", "S0000001", "E01")
        assert patch.status is Status.CHARGING
        assert patch.last_updated == clock.now()

    async def test_a_swap_stock_change_puts_the_whole_location(self, clock, wire):
        network = SimulatedNetwork.for_profile(OperatorProfile.SWAP, Protocol.OCPI, 7)
        world = World(network, clock, wire)
        await world.register()
        await world.runner.tick(clock.now())
        clock.set(clock.now().replace(second=2))
        changes = await world.runner.tick(clock.now())
        swapped = {network.piles[c.pile].name.split("/")[0] for c in changes if c.swap}
        pushed = {loc_id for (_, loc_id) in world.receiver.locations}
        assert swapped
        assert swapped <= pushed
        some = world.receiver.locations[("swapway", next(iter(swapped)))]
        assert some.evroam.swap is not None
