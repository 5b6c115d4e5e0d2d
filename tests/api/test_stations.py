"""GET /api/v1/stations, /stations/{id}, /stations/clusters, /operators, /health."""

from __future__ import annotations

import pytest

from evroam.shared.datum import Datum, from_wgs84
from evroam.shared.geo import distance_m

SHANGHAI = {"lat": 31.2304, "lon": 121.4737}


class TestHealthAndOperators:
    async def test_health_reports_ok_and_the_engines(self, client):
        body = (await client.get("/api/v1/health")).json()
        assert body["status"] == "ok"
        assert body["database"] == "sqlite"
        assert body["bus"] == "in-process"

    async def test_operators_show_counts_as_plain_integers_and_protocols(self, client):
        items = (await client.get("/api/v1/operators")).json()["items"]
        by_id = {o["id"]: o for o in items}
        assert by_id["rapidgrid"]["piles"] == 60
        assert by_id["rapidgrid"]["stations"] == 30
        assert by_id["rapidgrid"]["protocol"] == "ocpi"
        assert by_id["swapway"]["swap_stations"] == 1
        assert by_id["swapway"]["protocol"] == "tcec"


class TestNearSearch:
    async def test_nearest_first_with_price_now_and_parking(self, client):
        r = await client.get("/api/v1/stations", params={**SHANGHAI, "radius_km": 3})
        assert r.status_code == 200
        items = r.json()["items"]
        distances = [i["distance_m"] for i in items]
        assert distances == sorted(distances)
        first = items[0]
        assert first["id"] == "rapidgrid-S000"
        assert first["price_now"] == {
            "electricity_per_kwh": "1.0200",
            "service_per_kwh": "0.8000",
            "total_per_kwh": "1.8200",
            "currency": "CNY",
            "period": "peak",
        }
        assert first["parking"] == {
            "free_minutes": 60,
            "fee_per_hour": "5.00",
            "daily_cap": "30.00",
            "currency": "CNY",
        }
        assert first["piles"] == {
            "free": 1,
            "busy": 1,
            "offline": 0,
            "unknown": 0,
            "total": 2,
        }
        assert first["status"] == "free"

    async def test_the_radius_bounds_the_results(self, client):
        items = (
            await client.get("/api/v1/stations", params={**SHANGHAI, "radius_km": 1})
        ).json()["items"]
        assert items
        assert all(i["distance_m"] <= 1000 for i in items)
        assert len(items) < 30

    async def test_cursor_pages_join_up_to_the_single_page_answer(self, client):
        params = {**SHANGHAI, "radius_km": 20}
        whole = await client.get("/api/v1/stations", params={**params, "limit": 500})
        expected = [i["id"] for i in whole.json()["items"]]
        seen, cursor = [], None
        while True:
            page = (
                await client.get(
                    "/api/v1/stations",
                    params={
                        **params,
                        "limit": 7,
                        **({"cursor": cursor} if cursor else {}),
                    },
                )
            ).json()
            seen += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected
        assert len(seen) == 31

    async def test_filters_by_operator_swap_and_max_price(self, client):
        swaps = (
            await client.get(
                "/api/v1/stations",
                params={**SHANGHAI, "radius_km": 50, "is_swap": "true"},
            )
        ).json()["items"]
        assert [s["id"] for s in swaps] == ["swapway-W001"]
        assert swaps[0]["swap"] == {
            "batteries_in_stock": 6,
            "queue_length": 1,
            "swap_minutes": 3,
        }
        cheap = (
            await client.get(
                "/api/v1/stations",
                params={**SHANGHAI, "radius_km": 50, "max_price_per_kwh": "1.5"},
            )
        ).json()["items"]
        assert cheap == []  # 10:01 is peak: 1.82 CNY/kWh everywhere


class TestBoxSearch:
    async def test_returns_stations_inside_the_box(self, client):
        r = await client.get(
            "/api/v1/stations", params={"bbox": "121.47,31.22,121.49,31.26"}
        )
        ids = [i["id"] for i in r.json()["items"]]
        assert ids == sorted(ids)
        assert ids
        assert all(i["distance_m"] is None for i in r.json()["items"])

    async def test_clusters_cover_every_station(self, client):
        r = await client.get(
            "/api/v1/stations/clusters", params={"bbox": "73,18,135,54", "zoom": 4}
        )
        clusters = r.json()["clusters"]
        # 30 RapidGrid stations, a swap station and the idle-fee site (conftest)
        assert sum(c["stations"] for c in clusters) == 32


class TestStationDetail:
    async def test_shows_every_pile_and_the_full_tariff(self, client):
        body = (await client.get("/api/v1/stations/rapidgrid-S003")).json()
        assert [p["status"] for p in body["piles_detail"]] == ["available", "charging"]
        assert body["piles_detail"][0]["connectors"][0]["standard"] == "gbt_dc"
        periods = {p["period"] for p in body["tariff"]["periods"]}
        assert periods == {"valley", "flat", "peak"}
        assert {
            "start": "23:00",
            "end": "07:00",
            "period": "valley",
            "months": [],
        } in body["tariff"]["windows"]

    async def test_an_operators_idle_fee_is_shown_with_the_station(self, client):
        r = await client.get("/api/v1/stations/swapway-I001")
        assert r.status_code == 200, r.text
        body = r.json()
        expected = {
            "grace_minutes": 15,
            "per_minute": "0.5000",
            "cap": "30.00",
            "currency": "CNY",
        }
        assert body["idle_fee"] == expected
        assert body["tariff"]["idle_fee"] == expected
        plain = (await client.get("/api/v1/stations/rapidgrid-S000")).json()
        assert plain["idle_fee"] is None

    async def test_an_unknown_station_is_a_404_problem(self, client):
        r = await client.get("/api/v1/stations/nobody-X")
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
        assert "nobody-X" in r.json()["detail"]


class TestBadInput:
    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"lat": 91, "lon": 121}, "lat"),
            ({"lat": 31, "lon": 181}, "lon"),
            ({"bbox": "122,31,121,32"}, "bbox"),
            ({"bbox": "121,31,122"}, "bbox"),
            ({"bbox": "121,-95,122,32"}, "bbox"),
            ({"lat": 31, "lon": 121, "connector": "tesla_magic"}, "connector"),
            ({"lat": 31, "lon": 121, "limit": 10**9}, "limit"),
            ({"lat": 31, "lon": 121, "radius_km": 0}, "radius_km"),
            ({"lat": 31, "lon": 121, "cursor": "%%%not-a-cursor"}, "cursor"),
            ({"bbox": "121,31,122,32", "cursor": "WzEsMl0"}, "cursor"),
            ({}, "lat"),
        ],
    )
    async def test_is_a_422_problem_that_names_the_field(self, client, params, field):
        r = await client.get("/api/v1/stations", params=params)
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert field in [e["field"] for e in body["errors"]]
        assert field in body["detail"]


class TestDatum:
    """Map clients on GCJ-02 tiles (Amap, Tencent) ask with ?datum=gcj02."""

    W001 = (31.30, 121.50)  # the swap station, stored in WGS-84

    async def test_a_station_is_returned_in_the_datum_asked(self, client):
        wgs = (await client.get("/api/v1/stations/swapway-W001")).json()
        gcj = (
            await client.get("/api/v1/stations/swapway-W001", params={"datum": "gcj02"})
        ).json()
        assert (wgs["lat"], wgs["lon"]) == self.W001
        expected = from_wgs84(*self.W001, Datum.GCJ02)
        assert (gcj["lat"], gcj["lon"]) == pytest.approx(expected, abs=1e-6)
        assert 300 < distance_m(gcj["lat"], gcj["lon"], *self.W001) < 700

    async def test_a_point_given_in_gcj02_finds_the_station_at_that_point(self, client):
        lat, lon = from_wgs84(*self.W001, Datum.GCJ02)
        params = {"lat": lat, "lon": lon, "radius_km": 0.2, "datum": "gcj02"}
        items = (await client.get("/api/v1/stations", params=params)).json()["items"]
        assert items[0]["id"] == "swapway-W001"
        assert items[0]["distance_m"] < 1
        assert (items[0]["lat"], items[0]["lon"]) == pytest.approx((lat, lon), abs=1e-6)

    async def test_a_gcj02_box_around_the_station_holds_it_a_wgs84_box_not(
        self, client
    ):
        lat, lon = from_wgs84(*self.W001, Datum.GCJ02)
        bbox = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"

        def ids(datum: str):
            params = {"bbox": bbox, "datum": datum}
            return client.get("/api/v1/stations", params=params)

        assert [i["id"] for i in (await ids("gcj02")).json()["items"]] == [
            "swapway-W001"
        ]
        assert (await ids("wgs84")).json()["items"] == []

    async def test_clusters_are_placed_in_the_datum_asked(self, client):
        lat, lon = from_wgs84(*self.W001, Datum.GCJ02)
        params = {
            "bbox": f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}",
            "zoom": 16,
            "datum": "gcj02",
        }
        (cluster,) = (
            await client.get("/api/v1/stations/clusters", params=params)
        ).json()["clusters"]
        assert distance_m(cluster["lat"], cluster["lon"], lat, lon) < 2
