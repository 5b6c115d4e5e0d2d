"""POST /api/v1/accounts, GET /api/v1/accounts/me, vehicles; bearer tokens."""

from __future__ import annotations

import pytest

VIN = "LXMSU7A12R0000001"


async def open_account(client, name="Li Wei"):
    r = await client.post("/api/v1/accounts", json={"name": name})
    assert r.status_code == 201
    body = r.json()
    return body, {"Authorization": f"Bearer {body['token']}"}


class TestOpeningAnAccount:
    async def test_gives_an_id_and_a_token_that_identifies_the_account(self, client):
        body, auth = await open_account(client)
        assert body["id"].startswith("acc_")
        me = (await client.get("/api/v1/accounts/me", headers=auth)).json()
        assert me == {k: body[k] for k in ("id", "name", "created_at")}
        assert "token" not in me

    async def test_an_empty_name_is_a_422_problem(self, client):
        r = await client.post("/api/v1/accounts", json={"name": ""})
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "name"


class TestAuthentication:
    @pytest.mark.parametrize(
        "header", [None, "Bearer", "Bearer nope", "Basic dXNlcjpwYXNz", "evr_x"]
    )
    async def test_a_missing_or_unknown_token_is_a_401_problem(self, client, header):
        headers = {"Authorization": header} if header else {}
        r = await client.get("/api/v1/accounts/me", headers=headers)
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"] == "Bearer"

    async def test_each_driver_sees_only_their_own_vehicles(self, client):
        _, alice = await open_account(client, "Alice")
        _, bob = await open_account(client, "Bob")
        car = {
            "vin": VIN,
            "brand": "Xiaomi",
            "model": "SU7",
            "delivery_date": "2026-03-01",
        }
        assert (
            await client.post("/api/v1/accounts/me/vehicles", json=car, headers=alice)
        ).status_code == 201
        mine = (await client.get("/api/v1/accounts/me/vehicles", headers=alice)).json()
        theirs = (await client.get("/api/v1/accounts/me/vehicles", headers=bob)).json()
        assert [v["vin"] for v in mine["items"]] == [VIN]
        assert theirs["items"] == []


class TestVehicles:
    async def test_a_bad_vin_is_refused_and_names_the_field(self, client):
        _, auth = await open_account(client)
        car = {
            "vin": "IOQ45678901234567",
            "brand": "Xiaomi",
            "model": "SU7",
            "delivery_date": "2026-03-01",
        }
        r = await client.post("/api/v1/accounts/me/vehicles", json=car, headers=auth)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "vin"
        listed = (await client.get("/api/v1/accounts/me/vehicles", headers=auth)).json()
        assert listed["items"] == []

    async def test_a_car_names_its_catalogue_model_for_recommendations(self, client):
        _, auth = await open_account(client)
        car = {
            "vin": VIN,
            "brand": "Xiaomi",
            "model": "SU7 Max",
            "delivery_date": "2026-03-01",
            "catalogue_id": "xiaomi-su7-max",
        }
        r = await client.post("/api/v1/accounts/me/vehicles", json=car, headers=auth)
        assert r.status_code == 201
        listed = (await client.get("/api/v1/accounts/me/vehicles", headers=auth)).json()
        assert listed["items"][0]["catalogue_id"] == "xiaomi-su7-max"

    async def test_a_model_the_catalogue_does_not_hold_is_refused(self, client):
        _, auth = await open_account(client)
        car = {
            "vin": VIN,
            "brand": "Xiaomi",
            "model": "SU9",
            "delivery_date": "2026-03-01",
            "catalogue_id": "xiaomi-su9",
        }
        r = await client.post("/api/v1/accounts/me/vehicles", json=car, headers=auth)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "catalogue_id"


CAR = {"vin": VIN, "brand": "Xiaomi", "model": "SU7", "delivery_date": "2026-03-01"}


class TestAVinBelongsToOneAccount:
    async def register(self, client, auth):
        return await client.post("/api/v1/accounts/me/vehicles", json=CAR, headers=auth)

    async def test_another_account_cannot_take_a_registered_car(self, client):
        _, owner = await open_account(client, "Owner")
        _, taker = await open_account(client, "Taker")
        assert (await self.register(client, owner)).status_code == 201
        r = await self.register(client, taker)
        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["title"] == "VIN taken"
        assert problem["errors"][0]["field"] == "vin"
        assert "ask the operator" in problem["detail"]
        mine = (await client.get("/api/v1/accounts/me/vehicles", headers=owner)).json()
        theirs = (
            await client.get("/api/v1/accounts/me/vehicles", headers=taker)
        ).json()
        assert [v["vin"] for v in mine["items"]] == [VIN]
        assert theirs["items"] == []

    async def test_the_owner_registers_it_again_and_erasure_frees_it(self, client):
        _, owner = await open_account(client, "First owner")
        _, buyer = await open_account(client, "Second owner")
        assert (await self.register(client, owner)).status_code == 201
        assert (await self.register(client, owner)).status_code == 201
        assert (await client.delete("/api/v1/me", headers=owner)).status_code == 204
        assert (await self.register(client, buyer)).status_code == 201
