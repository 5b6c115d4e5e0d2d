"""GET /api/v1/vehicles and POST /api/v1/recommendations."""

from __future__ import annotations

import pytest

from evroam.bootstrap import Services

pytestmark = pytest.mark.skipif(
    "recommend" not in Services.__dataclass_fields__,
    reason="services.recommend and the router are wired by the lead",
)


class TestVehicles:
    async def test_lists_the_catalogue_with_sources(self, client):
        response = await client.get("/api/v1/vehicles")
        assert response.status_code == 200
        body = response.json()["items"]
        assert len(body) >= 15
        assert all(v["source"] for v in body)

    async def test_credits_the_open_data_and_marks_where_each_curve_comes_from(
        self, client
    ):
        body = (await client.get("/api/v1/vehicles")).json()
        assert (
            "Open EV Data (https://github.com/KilowattApp/open-ev-data)"
            in (body["credit"])
        )
        by_id = {v["id"]: v for v in body["items"]}
        assert by_id["xiaomi-su7"]["curve_source"] == "curated"
        assert by_id["xiaomi-su7"]["licence"] == ""
        assert by_id["tesla-model-3"]["curve_source"] == "open-ev-data"
        assert "CDLA-Permissive-2.0" in by_id["tesla-model-3"]["licence"]
        assert by_id["li-l7"]["is_extended_range"] is True


class TestRecommendations:
    async def test_ranks_reachable_options_with_reasons(self, client):
        response = await client.post(
            "/api/v1/recommendations",
            json={"vehicle_id": "xiaomi-su7-max", "soc": 18,
                  "at": {"lat": 31.2304, "lon": 121.4737}, "prefer": "time"},
        )  # fmt: skip
        assert response.status_code == 200
        options = response.json()["options"]
        assert options
        assert options[0]["why"].startswith("fastest")
        assert all(o["arrival_soc"] >= 10 for o in options)

    async def test_nio_drivers_also_get_swap_options(self, client):
        response = await client.post(
            "/api/v1/recommendations",
            json={"vehicle_id": "nio-et5", "soc": 30, "limit": 50,
                  "at": {"lat": 31.2304, "lon": 121.4737}, "prefer": "time"},
        )  # fmt: skip
        kinds = {o["kind"] for o in response.json()["options"]}
        assert "swap" in kinds

    async def test_unknown_vehicles_are_a_404_problem(self, client):
        response = await client.post(
            "/api/v1/recommendations",
            json={
                "vehicle_id": "no-such-car",
                "soc": 30,
                "at": {"lat": 31, "lon": 121},
            },
        )
        assert response.status_code == 404

    async def test_bad_input_is_a_422_problem(self, client):
        response = await client.post(
            "/api/v1/recommendations",
            json={"vehicle_id": "nio-et5", "soc": 5, "at": {"lat": 31, "lon": 121}},
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"

    @pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
    async def test_a_custom_curve_with_a_non_finite_number_is_a_422_problem(
        self, client, bad
    ):
        body = (
            '{"vehicle": {"usable_battery_kwh": 60, "consumption_kwh_per_100km": 15,'
            ' "max_dc_kw": 120, "dc_curve": [[0, 100], [50, ' + bad + "], [100, 20]]},"
            ' "soc": 40, "at": {"lat": 31.2304, "lon": 121.4737}}'
        )
        response = await client.post(
            "/api/v1/recommendations",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert "dc_curve" in response.text
