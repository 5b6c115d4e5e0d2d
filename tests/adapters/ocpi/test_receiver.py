"""The hub's Locations receiver: pushes, patches, and what it refuses."""

import base64

import pytest

from evroam.protocols.ocpi_2_2_1.tokens import Peer, issue_token_a
from tests.adapters.ocpi.fakes import CPO_ROLE, a_location

RECEIVER = "http://hub.test/ocpi/2.2.1/locations/CN/SWP"
TOKEN = "swapway-token-c"


def auth(token: str = TOKEN, *, encode: bool = True) -> dict[str, str]:
    value = base64.b64encode(token.encode()).decode() if encode else token
    return {"Authorization": f"Token {value}"}


@pytest.fixture
def hub(network):
    network.hub_tokens.save(
        Peer(key="swapway", incoming_token=TOKEN, is_registered=True, roles=(CPO_ROLE,))
    )
    return network


async def put_loc1(hub):
    body = a_location("LOC1").model_dump(mode="json", exclude_none=True)
    return await hub.http.put(f"{RECEIVER}/LOC1", json=body, headers=auth())


class TestLocationPush:
    async def test_stores_a_pushed_location_under_the_callers_operator_key(self, hub):
        response = await put_loc1(hub)
        assert response.status_code == 200
        assert response.json()["status_code"] == 1000
        assert response.json()["timestamp"] == "2024-11-01T08:00:00Z"
        assert ("swapway", "LOC1") in hub.receiver.locations

    async def test_accepts_a_plain_token_for_pre_2_2_1_partners(self, hub):
        body = a_location("LOC1").model_dump(mode="json", exclude_none=True)
        response = await hub.http.put(
            f"{RECEIVER}/LOC1", json=body, headers=auth(encode=False)
        )
        assert response.json()["status_code"] == 1000

    async def test_refuses_a_location_whose_id_differs_from_the_url(self, hub):
        body = a_location("LOC2").model_dump(mode="json", exclude_none=True)
        response = await hub.http.put(f"{RECEIVER}/LOC1", json=body, headers=auth())
        assert response.json()["status_code"] == 2001

    async def test_refuses_a_body_that_is_not_a_location_with_2001(self, hub):
        response = await hub.http.put(
            f"{RECEIVER}/LOC1", json={"id": "LOC1"}, headers=auth()
        )
        assert response.status_code == 200
        assert response.json()["status_code"] == 2001

    async def test_answers_400_to_a_body_that_is_not_json(self, hub):
        response = await hub.http.put(
            f"{RECEIVER}/LOC1", content=b"{not json", headers=auth()
        )
        assert response.status_code == 400
        assert response.json()["status_code"] == 2001


class TestEvsePatch:
    async def test_applies_a_status_patch(self, hub):
        await put_loc1(hub)
        response = await hub.http.patch(
            f"{RECEIVER}/LOC1/E1",
            json={"status": "CHARGING", "last_updated": "2024-11-01T09:00:00Z"},
            headers=auth(),
        )
        assert response.json()["status_code"] == 1000
        evse = hub.receiver.locations[("swapway", "LOC1")].evses[0]
        assert evse.status == "CHARGING"

    async def test_a_patch_without_last_updated_is_refused_with_2001(self, hub):
        await put_loc1(hub)
        response = await hub.http.patch(
            f"{RECEIVER}/LOC1/E1", json={"status": "CHARGING"}, headers=auth()
        )
        assert response.json()["status_code"] == 2001
        assert hub.receiver.patches == []

    async def test_a_patch_of_an_unknown_location_answers_2003(self, hub):
        response = await hub.http.patch(
            f"{RECEIVER}/NOPE/E1",
            json={"status": "CHARGING", "last_updated": "2024-11-01T09:00:00Z"},
            headers=auth(),
        )
        assert response.json()["status_code"] == 2003

    async def test_a_location_patch_needs_last_updated_too(self, hub):
        await put_loc1(hub)
        response = await hub.http.patch(
            f"{RECEIVER}/LOC1", json={"name": "Renamed"}, headers=auth()
        )
        assert response.json()["status_code"] == 2001


class TestAuthorization:
    async def test_a_missing_token_gets_401_in_the_ocpi_envelope(self, hub):
        response = await hub.http.get("http://hub.test/ocpi/versions")
        assert response.status_code == 401
        assert response.json()["status_code"] == 2000
        assert "timestamp" in response.json()

    async def test_an_unknown_token_gets_401(self, hub):
        response = await hub.http.patch(
            f"{RECEIVER}/LOC1/E1",
            json={"status": "CHARGING", "last_updated": "2024-11-01T09:00:00Z"},
            headers=auth("forged"),
        )
        assert response.status_code == 401

    async def test_a_token_a_opens_versions_but_not_locations(self, hub):
        token_a = issue_token_a(hub.hub_tokens, "newcomer")
        versions = await hub.http.get(
            "http://hub.test/ocpi/versions", headers=auth(token_a)
        )
        assert versions.json()["data"][0]["version"] == "2.2.1"
        push = await hub.http.put(
            f"{RECEIVER}/LOC1",
            json=a_location("LOC1").model_dump(mode="json", exclude_none=True),
            headers=auth(token_a),
        )
        assert push.status_code == 401

    async def test_a_push_for_a_party_the_peer_does_not_own_is_refused(self, hub):
        body = a_location("LOC1").model_dump(mode="json", exclude_none=True)
        response = await hub.http.put(
            "http://hub.test/ocpi/2.2.1/locations/CN/XXX/LOC1",
            json=body,
            headers=auth(),
        )
        assert response.status_code == 404
