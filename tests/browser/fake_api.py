"""A tiny stand-in for the station JSON API and its SSE feed, around Shanghai."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Body, FastAPI, HTTPException, Query, Request
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
        "idle_fee": (
            {
                "grace_minutes": 15,
                "per_minute": "0.5000",
                "cap": "30.00",
                "currency": "CNY",
            }
            if operator == "rapidgrid"
            else None
        ),
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
        # Shaped as the real API's PilePublic: connectors are objects.
        detail = [
            {
                "id": f"{station_id}-{n}",
                "status": "available",
                "category": "free",
                "status_at": found["updated_at"],
                "connectors": [
                    {
                        "standard": c,
                        "max_power_kw": found["max_power_kw"],
                        "power_type": "ac_3_phase" if c == "gbt_ac" else "dc",
                    }
                    for c in found["connectors"]
                ],
                "max_power_kw": found["max_power_kw"],
            }
            for n in range(found["piles"]["free"])
        ]
        return JSONResponse({**found, "piles_detail": detail, "tariff": {}})

    @app.get("/api/v1/operators")
    def operators() -> dict[str, Any]:
        return {
            "items": [
                {
                    "id": key,
                    "name": name,
                    "protocol": protocol,
                    "connectors": sorted(
                        {
                            c
                            for s in network.stations.values()
                            if s["operator"] == key
                            for c in s["connectors"]
                        }
                    ),
                }
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


FAKE_VEHICLES = (
    {
        "id": "xiaomi-su7-max",
        "brand": "Xiaomi",
        "model": "SU7 Max",
        "usable_battery_kwh": 94.3,
        "consumption_kwh_per_100km": 16.3,
        "max_dc_kw": 208,
        "max_ac_kw": 11,
        "connectors": ["gbt_dc", "gbt_ac"],
        "pack_voltage_v": 871,
        "is_swap_compatible": False,
    },
    {
        "id": "nio-es6-75",
        "brand": "NIO",
        "model": "ES6 75 kWh",
        "usable_battery_kwh": 70.0,
        "consumption_kwh_per_100km": 18.5,
        "max_dc_kw": 90,
        "max_ac_kw": 7,
        "connectors": ["gbt_dc", "gbt_ac", "swap"],
        "pack_voltage_v": 400,
        "is_swap_compatible": True,
    },
)
LOWEST_SOC_IN_REACH = 5  # below this the fake answers 422, as the real API does


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


def _option(rank: int, station: dict[str, Any], at: dict[str, float]) -> dict[str, Any]:
    drive_km = round(
        111.0 * (abs(station["lat"] - at["lat"]) + abs(station["lon"] - at["lon"])), 1
    )
    charge_minutes = 3.0 if station["is_swap"] else 20.0 + 6 * rank
    total = round(drive_km * 2 + 4 * (rank - 1) + charge_minutes, 1)
    cost = f"{28 + 3 * rank}.{10 * rank:02d}"
    return {
        "rank": rank,
        "station": {k: station[k] for k in ("id", "name", "operator", "lat", "lon")},
        "kind": "swap" if station["is_swap"] else "charge",
        "drive_km": drive_km,
        "drive_minutes": round(drive_km * 2, 1),
        "arrival_soc": 18 - rank * 1.4,
        "wait_minutes": 4.0 * (rank - 1),
        "charge_minutes": charge_minutes,
        "target_soc": 80,
        "cost": cost,
        "total_minutes": total,
        "total_cost": cost,
        "currency": "CNY",
        "why": f"option {rank}: {drive_km} km away at {station['name']}, "
        f"{round(charge_minutes)} min there",
    }


@dataclass
class FakeRecommender:
    """Ranks the three stations nearest the start; keeps every request body it got."""

    network: FakeNetwork
    requests: list[dict[str, Any]] = field(default_factory=list)

    def recommend(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        at = body["at"]
        nearest = sorted(
            self.network.stations.values(),
            key=lambda s: (s["lat"] - at["lat"]) ** 2 + (s["lon"] - at["lon"]) ** 2,
        )[:3]
        return [_option(rank, s, at) for rank, s in enumerate(nearest, start=1)]


def add_recommendation_routes(app: FastAPI, recommender: FakeRecommender) -> None:
    """Fake ``GET /api/v1/vehicles`` and ``POST /api/v1/recommendations``."""

    @app.get("/api/v1/vehicles")
    def vehicles() -> dict[str, Any]:
        return {"items": list(FAKE_VEHICLES)}

    @app.post("/api/v1/recommendations")
    def recommendations(body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
        recommender.requests.append(body)
        if body.get("vehicle_id") not in {v["id"] for v in FAKE_VEHICLES}:
            return _problem(404, "Not Found", "no such vehicle")
        if body["soc"] < LOWEST_SOC_IN_REACH:
            return _problem(
                422,
                "Unprocessable Entity",
                f"no station is within reach on {body['soc']} % battery",
            )
        return JSONResponse({"options": recommender.recommend(body)})
