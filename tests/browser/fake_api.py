"""A tiny stand-in for the station JSON API and its SSE feed, around Shanghai."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from evroam.api.routes.web import mount_web

SHANGHAI = (31.23, 121.47)
OPERATORS = {
    "swapway": ("SwapWay Energy", "tcec"),
    "rapidgrid": ("RapidGrid", "ocpi"),
    "commucharge": ("CommuCharge", "tcec"),
}
CATEGORIES = ("free", "busy", "offline", "unknown")


def _piles(rng: random.Random, total: int) -> dict[str, int]:
    counts = dict.fromkeys(CATEGORIES, 0)
    for _ in range(total):
        counts[rng.choices(CATEGORIES, weights=(5, 4, 1, 1))[0]] += 1
    return {**counts, "total": total}


def station_status(piles: dict[str, int]) -> str:
    for category in ("free", "busy", "offline"):
        if piles[category]:
            return category
    return "unknown"


def _station(index: int, rng: random.Random) -> dict[str, Any]:
    operator = ("swapway", "rapidgrid", "commucharge")[index % 3]
    is_swap = operator == "swapway" and index % 2 == 0
    connectors = {
        "swapway": ["swap"] if is_swap else ["gbt_dc"],
        "rapidgrid": ["gbt_dc", "ccs2"] if index % 4 == 1 else ["gbt_dc"],
        "commucharge": ["gbt_ac"],
    }[operator]
    piles = _piles(rng, rng.randint(1, 8))
    return {
        "id": f"{operator}-S{index:06d}",
        "name": f"{OPERATORS[operator][0]} station {index}",
        "operator": operator,
        "lat": round(SHANGHAI[0] + rng.uniform(-0.12, 0.12), 6),
        "lon": round(SHANGHAI[1] + rng.uniform(-0.15, 0.15), 6),
        "address": f"{index} Nanjing Road",
        "city": "Shanghai",
        "distance_m": None,
        "piles": piles,
        "status": station_status(piles),
        "max_power_kw": {"swapway": 120.0, "rapidgrid": 180.0, "commucharge": 7.0}[
            operator
        ],
        "connectors": connectors,
        "price_now": {
            "electricity_per_kwh": "0.6500",
            "service_per_kwh": "0.6000",
            "total_per_kwh": "1.2500",
            "currency": "CNY",
            "period": "flat",
        },
        "parking": {
            "free_minutes": 60,
            "fee_per_hour": "5.00",
            "daily_cap": "30.00",
            "currency": "CNY",
        },
        "is_swap": is_swap,
        "swap": (
            {"batteries_in_stock": 7, "queue_length": 1, "swap_minutes": 3}
            if is_swap
            else None
        ),
        "updated_at": "2026-01-05T08:00:00Z",
    }


@dataclass
class StationFilter:
    bbox: tuple[float, float, float, float]
    connectors: list[str] = field(default_factory=list)
    operators: list[str] = field(default_factory=list)
    min_power_kw: float | None = None
    is_available: bool = False
    is_swap: bool = False

    def matches(self, s: dict[str, Any]) -> bool:
        min_lon, min_lat, max_lon, max_lat = self.bbox
        return all(
            (
                min_lon <= s["lon"] <= max_lon and min_lat <= s["lat"] <= max_lat,
                not self.connectors or set(self.connectors) & set(s["connectors"]),
                not self.operators or s["operator"] in self.operators,
                self.min_power_kw is None or s["max_power_kw"] >= self.min_power_kw,
                not self.is_available or s["piles"]["free"] > 0,
                not self.is_swap or s["is_swap"],
            )
        )


WHOLE_WORLD = (-180.0, -90.0, 180.0, 90.0)


@dataclass
class FakeNetwork:
    """Fixture stations plus a feed the test pushes pile status changes into."""

    count: int = 200
    max_page: int = 90  # below the page's limit, so the page must follow next_cursor
    stations: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    subscribers: int = 0
    is_closing: bool = False

    def __post_init__(self) -> None:
        rng = random.Random(20261)
        for index in range(self.count):
            station = _station(index, rng)
            self.stations[station["id"]] = station

    def select(self, wanted: StationFilter) -> list[dict[str, Any]]:
        return [s for s in self.stations.values() if wanted.matches(s)]

    def set_all_piles(self, station_id: str, category: str) -> None:
        """Turn every pile of a station to ``category`` and announce it on the feed."""
        station = self.stations[station_id]
        total = station["piles"]["total"]
        station["piles"] = {
            **dict.fromkeys(CATEGORIES, 0),
            category: total,
            "total": total,
        }
        station["status"] = station_status(station["piles"])
        self.events.append(
            {
                "station_id": station_id,
                "pile_id": f"{station_id}-1",
                "status": {"free": "available", "busy": "charging"}.get(
                    category, category
                ),
                "category": category,
                "observed_at": "2026-01-05T08:01:00Z",
                "lat": station["lat"],
                "lon": station["lon"],
            }
        )


def _parse_bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError as exc:
        raise HTTPException(422, detail=f"bad bbox {text!r}") from exc
    return west, south, east, north


def _filter(
    bbox: str,
    connector: list[str] | None,
    operator: list[str] | None,
    min_power_kw: float | None,
    available: bool,
    is_swap: bool,
) -> StationFilter:
    return StationFilter(
        _parse_bbox(bbox),
        connector or [],
        operator or [],
        min_power_kw,
        available,
        is_swap,
    )


def _clusters(items: list[dict[str, Any]], zoom: int) -> list[dict[str, Any]]:
    cell_deg = 360 / 2**zoom * 0.6
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for s in items:
        key = (int(s["lat"] // cell_deg), int(s["lon"] // cell_deg))
        cells.setdefault(key, []).append(s)
    clusters = []
    for members in cells.values():
        piles = {k: sum(s["piles"][k] for s in members) for k in (*CATEGORIES, "total")}
        clusters.append(
            {
                "lat": sum(s["lat"] for s in members) / len(members),
                "lon": sum(s["lon"] for s in members) / len(members),
                "stations": len(members),
                "piles": piles,
            }
        )
    return clusters


Many = Annotated[list[str] | None, Query()]


def _add_station_routes(app: FastAPI, network: FakeNetwork) -> None:
    @app.get("/api/v1/stations")
    def stations(
        bbox: str,
        connector: Many = None,
        operator: Many = None,
        min_power_kw: float | None = None,
        available: bool = False,
        is_swap: bool = False,
        limit: int = 500,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        wanted = _filter(bbox, connector, operator, min_power_kw, available, is_swap)
        found = network.select(wanted)
        start = int(cursor or 0)
        end = start + min(limit, network.max_page)
        return {
            "items": found[start:end],
            "next_cursor": str(end) if end < len(found) else None,
        }

    @app.get("/api/v1/stations/clusters")
    def clusters(
        bbox: str,
        zoom: int,
        connector: Many = None,
        operator: Many = None,
        min_power_kw: float | None = None,
        available: bool = False,
        is_swap: bool = False,
    ) -> dict[str, Any]:
        wanted = _filter(bbox, connector, operator, min_power_kw, available, is_swap)
        return {"clusters": _clusters(network.select(wanted), zoom)}

    @app.get("/api/v1/stations/{station_id}")
    def station(station_id: str) -> JSONResponse:
        found = network.stations.get(station_id)
        if found is None:
            return JSONResponse(
                {"title": "Not Found", "status": 404, "detail": "no such station"},
                status_code=404,
                media_type="application/problem+json",
            )
        detail = [
            {
                "id": f"{station_id}-{n}",
                "status": "available",
                "category": "free",
                "connectors": found["connectors"],
                "max_power_kw": found["max_power_kw"],
            }
            for n in range(found["piles"]["free"])
        ]
        return JSONResponse({**found, "piles_detail": detail, "tariff": {}})

    @app.get("/api/v1/operators")
    def operators() -> dict[str, Any]:
        return {
            "items": [
                {"id": key, "name": name, "protocol": protocol}
                for key, (name, protocol) in OPERATORS.items()
            ]
        }


def _add_event_route(app: FastAPI, network: FakeNetwork) -> None:
    async def feed(request: Request) -> AsyncIterator[str]:
        seen = len(network.events)
        network.subscribers += 1
        try:
            yield ": connected\n\n"
            while not (network.is_closing or await request.is_disconnected()):
                for event in network.events[seen:]:
                    seen += 1
                    yield f"event: pile_status\ndata: {json.dumps(event)}\n\n"
                await asyncio.sleep(0.05)
        finally:
            network.subscribers -= 1

    @app.get("/api/v1/events")
    def events(request: Request) -> StreamingResponse:
        return StreamingResponse(feed(request), media_type="text/event-stream")


def build_fake_app(network: FakeNetwork, *, has_events: bool = True) -> FastAPI:
    """The real map router over fake JSON endpoints that follow the API contract."""
    app = FastAPI()
    _add_station_routes(app, network)
    if has_events:
        _add_event_route(app, network)
    mount_web(app)
    return app
