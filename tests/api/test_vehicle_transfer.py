"""POST /api/v1/admin/vehicles/{vin}/transfer: the operator moves a car, audited."""

from __future__ import annotations

from tests.api.test_accounts import CAR, VIN, open_account
from tests.hub_keys import ADMIN

MOVE = {"performed_by": "Zhao Min (support)", "reason": "bought second-hand"}


async def register(client, auth):
    return await client.post("/api/v1/accounts/me/vehicles", json=CAR, headers=auth)


async def cars(client, auth) -> list[str]:
    mine = await client.get("/api/v1/accounts/me/vehicles", headers=auth)
    return [v["vin"] for v in mine.json()["items"]]


class TestAnOperatorMovesACar:
    async def test_the_car_moves_and_the_transfer_is_kept(self, client):
        _, seller = await open_account(client, "Seller")
        buyer_body, buyer = await open_account(client, "Buyer")
        assert (await register(client, seller)).status_code == 201
        assert (await register(client, buyer)).status_code == 409
        r = await client.post(
            f"/api/v1/admin/vehicles/{VIN}/transfer",
            json={"to_account": buyer_body["id"], **MOVE},
            headers=ADMIN,
        )
        assert r.status_code == 201, r.text
        moved = r.json()
        assert moved["to_account"] == buyer_body["id"]
        assert moved["performed_by"] == "Zhao Min (support)"
        assert await cars(client, buyer) == [VIN]
        assert await cars(client, seller) == []
        # now the seller is the one refused, and the buyer may register it again
        assert (await register(client, seller)).status_code == 409
        assert (await register(client, buyer)).status_code == 201
        audit = await client.get(
            f"/api/v1/admin/vehicles/{VIN}/transfers", headers=ADMIN
        )
        [record] = audit.json()["items"]
        assert record["from_account"] != record["to_account"] == buyer_body["id"]
        assert record["reason"] == "bought second-hand"
        assert record["transferred_at"]

    async def test_needs_the_admin_token(self, client):
        _, owner = await open_account(client, "Owner")
        taker_body, taker = await open_account(client, "Taker")
        await register(client, owner)
        r = await client.post(
            f"/api/v1/admin/vehicles/{VIN}/transfer",
            json={"to_account": taker_body["id"], **MOVE},
            headers=taker,
        )
        assert r.status_code == 401
        assert await cars(client, owner) == [VIN]

    async def test_an_unregistered_vin_is_404_and_no_reason_is_422(self, client):
        body, _ = await open_account(client, "Nobody's car")
        r = await client.post(
            f"/api/v1/admin/vehicles/{VIN}/transfer",
            json={"to_account": body["id"], **MOVE},
            headers=ADMIN,
        )
        assert r.status_code == 404
        r = await client.post(
            f"/api/v1/admin/vehicles/{VIN}/transfer",
            json={"to_account": body["id"], "performed_by": "Zhao Min"},
            headers=ADMIN,
        )
        assert r.status_code == 422
        listed = await client.get(
            f"/api/v1/admin/vehicles/{VIN}/transfers", headers=ADMIN
        )
        assert listed.json() == {"items": []}

    async def test_moving_to_the_holder_itself_changes_nothing(self, client):
        owner_body, owner = await open_account(client, "Holder")
        await register(client, owner)
        r = await client.post(
            f"/api/v1/admin/vehicles/{VIN}/transfer",
            json={"to_account": owner_body["id"], **MOVE},
            headers=ADMIN,
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "to_account"
        listed = await client.get(
            f"/api/v1/admin/vehicles/{VIN}/transfers", headers=ADMIN
        )
        assert listed.json() == {"items": []}

    async def test_erasing_a_party_takes_the_vin_out_of_the_audit(self, client):
        _, seller = await open_account(client, "Old Owner")
        buyer_body, buyer = await open_account(client, "New Owner")
        await register(client, seller)
        r = await client.post(
            f"/api/v1/admin/vehicles/{VIN}/transfer",
            json={"to_account": buyer_body["id"], **MOVE},
            headers=ADMIN,
        )
        assert r.status_code == 201
        assert (await client.delete("/api/v1/me", headers=buyer)).status_code == 204
        listed = await client.get(
            f"/api/v1/admin/vehicles/{VIN}/transfers", headers=ADMIN
        )
        assert listed.json() == {"items": []}
