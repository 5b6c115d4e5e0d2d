"""POST /api/v1/trips: notes and the no-plan problem carry a code and parameters
for clients in other languages (ADR 0045)."""

from __future__ import annotations

SHANGHAI = {"lat": 31.2304, "lon": 121.4737}
BEIJING = {"lat": 39.9042, "lon": 116.4074}


class TestTripMessages:
    async def test_a_trip_no_car_can_make_names_the_stretch_with_a_code(self, client):
        response = await client.post(
            "/api/v1/trips",
            json={"vehicle_id": "xiaomi-su7-max", "soc": 30,
                  "from": SHANGHAI, "to": BEIJING},
        )  # fmt: skip

        assert response.status_code == 422
        problem = response.json()
        assert problem["code"] == "trip.no_plan_gap"
        params = problem["params"]
        assert params["car"] == "Xiaomi SU7 Max"
        assert params["to_name"] == "the destination"
        assert params["hop_km"] > params["range_km"] > 0
        assert f"{params['hop_km']} km by road" in problem["detail"]
        assert problem["errors"][0]["field"] == "soc"

    async def test_a_plain_trip_has_no_notes_in_either_form(self, client):
        near = {"lat": 31.26, "lon": 121.50}
        response = await client.post(
            "/api/v1/trips",
            json={"vehicle_id": "xiaomi-su7-max", "soc": 80,
                  "from": SHANGHAI, "to": near},
        )  # fmt: skip

        assert response.status_code == 200
        assert response.json()["notes"] == []
        assert response.json()["note_details"] == []

    async def test_other_invalid_input_has_no_code(self, client):
        response = await client.post(
            "/api/v1/trips",
            json={"vehicle_id": "xiaomi-su7-max", "soc": 5,
                  "from": SHANGHAI, "to": BEIJING},
        )  # fmt: skip

        assert response.status_code == 422
        assert "code" not in response.json()
