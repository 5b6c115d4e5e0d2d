"""Credentials handshake between the hub (eMSP) and a CPO simulator, end to end."""

import pytest

from evroam.protocols.ocpi_2_2_1.client import OcpiClient
from evroam.protocols.ocpi_2_2_1.enums import InterfaceRole
from evroam.protocols.ocpi_2_2_1.errors import MethodNotAllowedError, UnauthorizedError
from evroam.protocols.ocpi_2_2_1.models import Endpoint, EvsePatch
from evroam.protocols.ocpi_2_2_1.tokens import Peer, issue_token_a, new_token
from tests.adapters.ocpi.fakes import (
    CPO_ROLE,
    CPO_VERSIONS,
    HUB_ROLE,
    HUB_VERSIONS,
    T0,
    a_location,
)


async def register_hub_with_cpo(network):
    token_a = issue_token_a(network.cpo_tokens, "hub")
    token_b = new_token()
    network.hub_tokens.save(
        Peer(key="swapway", incoming_token=token_b, is_registered=True)
    )
    client = OcpiClient(network.http)
    registration = await client.register(
        CPO_VERSIONS, token_a, HUB_VERSIONS, token_b, HUB_ROLE
    )
    return client, registration, token_a, token_b


class TestHubRegistersWithCpo:
    async def test_exchanges_token_a_for_token_c_and_hands_over_token_b(self, network):
        client, reg, token_a, token_b = await register_hub_with_cpo(network)
        assert reg.token_c not in (token_a, token_b)
        assert client.token == reg.token_c
        hub_at_cpo = network.cpo_tokens.find("hub")
        assert hub_at_cpo.is_registered
        assert hub_at_cpo.incoming_token == reg.token_c
        assert hub_at_cpo.outgoing_token == token_b
        assert reg.roles == (CPO_ROLE,)

    async def test_learns_the_cpo_sender_endpoints(self, network):
        _, reg, *_ = await register_hub_with_cpo(network)
        assert (
            reg.endpoint_urls["locations"] == "http://cpo.test/ocpi/cpo/2.2.1/locations"
        )
        assert reg.endpoint_urls["tariffs"] == "http://cpo.test/ocpi/cpo/2.2.1/tariffs"

    async def test_the_cpo_fetched_the_hub_receiver_endpoint_with_token_b(
        self, network
    ):
        await register_hub_with_cpo(network)
        hub_at_cpo = network.cpo_tokens.find("hub")
        assert hub_at_cpo.endpoints["locations"] == (
            "http://hub.test/ocpi/2.2.1/locations"
        )

    async def test_later_calls_use_token_c(self, network):
        network.source.location_list.append(a_location("LOC1"))
        client, *_ = await register_hub_with_cpo(network)
        pulled = [loc.id async for loc in client.iter_locations()]
        assert pulled == ["LOC1"]

    async def test_token_a_is_refused_after_registration(self, network):
        _, _, token_a, _ = await register_hub_with_cpo(network)
        stale = OcpiClient(network.http, token=token_a)
        with pytest.raises(UnauthorizedError):
            await stale.fetch_endpoints(CPO_VERSIONS)

    async def test_a_second_post_is_refused_with_405(self, network):
        _, reg, _, token_b = await register_hub_with_cpo(network)
        again = OcpiClient(network.http)
        with pytest.raises(MethodNotAllowedError):
            await again.register(
                CPO_VERSIONS, reg.token_c, HUB_VERSIONS, token_b, HUB_ROLE
            )

    async def test_delete_unregisters_and_the_token_stops_working(self, network):
        client, *_ = await register_hub_with_cpo(network)
        await client.unregister()
        assert network.cpo_tokens.find("hub") is None
        with pytest.raises(UnauthorizedError):
            await client.fetch_endpoints(CPO_VERSIONS)

    async def test_the_cpo_pushes_a_status_change_to_the_hub_with_token_b(
        self, network
    ):
        await register_hub_with_cpo(network)
        hub_at_cpo = network.cpo_tokens.find("hub")
        simulator = OcpiClient(
            network.http,
            token=hub_at_cpo.outgoing_token,
            endpoints=[
                Endpoint(
                    identifier="locations",
                    role=InterfaceRole.RECEIVER,
                    url=hub_at_cpo.endpoints["locations"],
                )
            ],
        )
        await simulator.push_location(a_location("LOC1"))
        patch = EvsePatch(status="CHARGING", last_updated=T0)
        await simulator.patch_evse("CN", "SWP", "LOC1", "E1", patch)
        stored = network.receiver.locations[("swapway", "LOC1")]
        assert stored.evses[0].status == "CHARGING"


class TestCpoRegistersWithHub:
    async def test_hub_answers_a_token_a_it_issued_with_a_fresh_token_c(self, network):
        token_a = issue_token_a(network.hub_tokens, "swapway")
        cpo_token_b = new_token()
        network.cpo_tokens.save(
            Peer(key="hub", incoming_token=cpo_token_b, is_registered=True)
        )
        cpo_client = OcpiClient(network.http)
        reg = await cpo_client.register(
            HUB_VERSIONS, token_a, CPO_VERSIONS, cpo_token_b, CPO_ROLE
        )
        swapway = network.hub_tokens.find("swapway")
        assert swapway.incoming_token == reg.token_c != token_a
        assert swapway.outgoing_token == cpo_token_b
        assert swapway.endpoints["locations"].endswith("/ocpi/cpo/2.2.1/locations")
        assert reg.endpoint_urls["locations"] == "http://hub.test/ocpi/2.2.1/locations"
