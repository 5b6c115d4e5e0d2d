"""Search, the offline map's schematic, the 24 h price outlook, the web app's page."""

from __future__ import annotations

import re


class TestPlaceSearch:
    async def test_finds_a_city_by_chinese_pinyin_and_english(self, client):
        for text in ("上海", "shanghai", "Shang Hai", "SH"):
            body = (await client.get("/api/v1/places", params={"q": text})).json()
            first = body["items"][0]
            assert (first["kind"], first["name_zh"]) == ("city", "上海"), text

    async def test_finds_a_district_and_leads_to_its_city(self, client):
        body = (await client.get("/api/v1/places", params={"q": "pudong"})).json()
        first = body["items"][0]
        assert (first["kind"], first["name_zh"], first["context"]) == (
            "district",
            "浦东新区",
            "上海",
        )

    async def test_finds_stations_by_name(self, client):
        body = (
            await client.get("/api/v1/places", params={"q": "test station s01"})
        ).json()
        kinds = {item["kind"] for item in body["items"]}
        assert kinds == {"station"}
        assert all(item["station_id"] for item in body["items"])

    async def test_nothing_found_is_an_empty_list(self, client):
        body = (await client.get("/api/v1/places", params={"q": "zzzzqx"})).json()
        assert body == {"items": []}


class TestSchematic:
    async def test_has_the_scenario_cities_and_corridor_lines(self, client):
        response = await client.get("/api/v1/basemap/schematic")
        features = response.json()["features"]
        kinds = {f["geometry"]["type"] for f in features}
        assert kinds == {"Point", "LineString"}
        names = {f["properties"].get("name_zh") for f in features}
        assert {"上海", "京沪高速"} <= names


class TestPriceOutlook:
    async def test_one_price_per_hour_that_adds_up(self, client):
        body = (
            await client.get(
                "/api/v1/stations/rapidgrid-S000/prices", params={"hours": 24}
            )
        ).json()
        items = body["items"]
        assert len(items) == 24
        for item in items:
            total = float(item["electricity_per_kwh"]) + float(item["service_per_kwh"])
            assert abs(total - float(item["total_per_kwh"])) < 1e-9
        assert len({item["period"] for item in items}) > 1  # time of use

    async def test_an_unknown_station_is_a_404(self, client):
        response = await client.get("/api/v1/stations/nope/prices")
        assert response.status_code == 404


class TestOperatorsConnectors:
    async def test_each_operator_lists_the_connectors_at_its_stations(self, client):
        items = (await client.get("/api/v1/operators")).json()["items"]
        by_id = {item["id"]: set(item["connectors"]) for item in items}
        assert "swap" in by_id["swapway"]
        assert "swap" not in by_id["rapidgrid"]


class TestThePage:
    async def test_chinese_for_a_chinese_browser(self, client):
        response = await client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert '<html lang="zh-CN">' in response.text
        assert "筛选" in response.text

    async def test_english_when_asked_and_remembered_in_a_cookie(self, client):
        response = await client.get(
            "/", params={"lang": "en"}, headers={"Accept-Language": "zh-CN"}
        )
        assert '<html lang="en">' in response.text
        cookie = response.headers["set-cookie"]
        assert re.search(r"evroam_lang=en;.*SameSite=strict", cookie, re.I)

    async def test_manifest_and_service_worker(self, client):
        manifest = (await client.get("/manifest.webmanifest")).json()
        assert manifest["display"] == "standalone"
        worker = await client.get("/sw.js")
        assert worker.headers["content-type"].startswith("text/javascript")
        assert "__VERSION__" not in worker.text
