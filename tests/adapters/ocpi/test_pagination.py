"""Paginated pulls from a CPO's Sender interface follow Link headers to the end."""

from datetime import timedelta

from evroam.protocols.ocpi_2_2_1.client import OcpiClient
from evroam.protocols.ocpi_2_2_1.enums import InterfaceRole
from evroam.protocols.ocpi_2_2_1.models import Endpoint
from evroam.protocols.ocpi_2_2_1.tokens import Peer
from tests.adapters.ocpi.fakes import T0, a_location

TOKEN = "hub-token-c"
LOCATIONS = "http://cpo.test/ocpi/cpo/2.2.1/locations"


def hub_client(network) -> OcpiClient:
    network.cpo_tokens.save(Peer(key="hub", incoming_token=TOKEN, is_registered=True))
    endpoint = Endpoint(
        identifier="locations", role=InterfaceRole.SENDER, url=LOCATIONS
    )
    return OcpiClient(network.http, token=TOKEN, endpoints=[endpoint])


class TestPaginatedPull:
    async def test_pulls_25_locations_in_pages_of_10(self, network):
        network.source.location_list += [
            a_location(f"L{n:02}", minutes=n) for n in range(25)
        ]
        client = hub_client(network)
        pages = [page async for page in client.iter_location_pages(page_limit=10)]
        assert [len(p.items) for p in pages] == [10, 10, 5]
        assert {p.total_count for p in pages} == {25}
        assert {p.limit for p in pages} == {10}
        assert pages[-1].next_url is None
        ids = [loc.id for p in pages for loc in p.items]
        assert ids == [f"L{n:02}" for n in range(25)]

    async def test_the_next_link_keeps_the_date_filter(self, network):
        network.source.location_list += [
            a_location(f"L{n:02}", minutes=n) for n in range(25)
        ]
        client = hub_client(network)
        since = T0 + timedelta(minutes=5)
        pages = [p async for p in client.iter_location_pages(since, page_limit=10)]
        assert pages[0].total_count == 20
        assert "date_from=" in (pages[0].next_url or "")
        assert sum(len(p.items) for p in pages) == 20

    async def test_the_server_caps_the_page_size(self, network):
        network.source.location_list += [a_location(f"L{n:03}") for n in range(150)]
        client = hub_client(network)
        first = await anext(client.iter_location_pages(page_limit=1000))
        assert first.limit == 100
        assert len(first.items) == 100

    async def test_keeps_valid_objects_and_sets_bad_ones_aside(self, network):
        network.source.location_list.append(a_location("GOOD"))
        bad = a_location("BAD").model_copy(update={"coordinates": None})
        network.source.location_list.append(bad)
        client = hub_client(network)
        page = await anext(client.iter_location_pages())
        assert [loc.id for loc in page.items] == ["GOOD"]
        assert len(page.rejected) == 1

    async def test_gets_one_location_evse_by_path(self, network):
        network.source.location_list.append(a_location("LOC1"))
        hub_client(network)
        response = await network.http.get(
            f"{LOCATIONS}/LOC1/E1", headers={"Authorization": "Token aHViLXRva2VuLWM="}
        )
        assert response.json()["data"]["uid"] == "E1"
        missing = await network.http.get(
            f"{LOCATIONS}/NOPE", headers={"Authorization": "Token aHViLXRva2VuLWM="}
        )
        assert missing.status_code == 404
        assert missing.json()["status_code"] == 2003
