"""Responses are gzip-compressed for clients that accept it; live streams never are."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.browser.live_server import _Server

CHINA = "73,18,135,54"


class TestCompression:
    async def test_a_station_page_comes_gzipped(self, client):
        response = await client.get(
            "/api/v1/stations",
            params={"bbox": CHINA, "limit": 30},
            headers={"Accept-Encoding": "gzip"},
        )
        assert response.headers["content-encoding"] == "gzip"
        assert len(response.json()["items"]) == 30

    async def test_the_page_comes_gzipped(self, client):
        response = await client.get("/", headers={"Accept-Encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip"

    def test_the_event_stream_is_neither_compressed_nor_held_back(self, app: FastAPI):
        with (
            _Server(app) as server,
            httpx.stream(
                "GET",
                server.base_url + "/api/v1/events",
                params={"bbox": CHINA},
                headers={"Accept-Encoding": "gzip"},
                timeout=10,
            ) as response,
        ):
            assert "content-encoding" not in response.headers
            first = next(response.iter_raw())
            assert first.startswith(b": connected")
