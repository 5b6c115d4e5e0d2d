"""``evroam simulate-usage``: drivers charging near home and work, via the HTTP API."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
import typer
from rich.progress import Progress

LOCAL = ZoneInfo("Asia/Shanghai")
CENTRE = (31.2304, 121.4737)  # People's Square, Shanghai
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # ISO 3779: no I, O, Q
_BRANDS = (("BYD", "Seal"), ("NIO", "ET5"), ("XPeng", "P7"), ("Tesla", "Model 3"))


@dataclass(frozen=True, slots=True)
class DriverPlan:
    name: str
    vin: str
    brand: str
    model: str
    home: tuple[float, float]
    work: tuple[float, float] | None  # None: no commute (charges near home)
    charges_per_week: float


@dataclass(frozen=True, slots=True)
class PlannedCharge:
    driver: int  # index into the plans
    at: datetime  # UTC
    place: str  # home | work
    target_kwh: int


def _point_near(
    rng: random.Random, centre: tuple[float, float], radius_m: float
) -> tuple[float, float]:
    distance, bearing = radius_m * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    lat = centre[0] + distance * math.cos(bearing) / 111_320
    lon = centre[1] + distance * math.sin(bearing) / (
        111_320 * math.cos(math.radians(lat))
    )
    return round(lat, 6), round(lon, 6)


def plan_driver(
    rng: random.Random, index: int, centre: tuple[float, float] = CENTRE
) -> DriverPlan:
    brand, model = rng.choice(_BRANDS)
    is_commuter = rng.random() < 0.7
    return DriverPlan(
        name=f"Simulated driver {index + 1}",
        vin="".join(rng.choice(_VIN_CHARS) for _ in range(17)),
        brand=brand,
        model=model,
        home=_point_near(rng, centre, 15_000),
        work=_point_near(rng, centre, 6_000) if is_commuter else None,
        charges_per_week=rng.uniform(1.5, 4.0),
    )


def _local_hour(rng: random.Random, place: str, is_weekend: bool) -> float:
    """Commuters plug in on arrival at work; at home after work or, at weekends,
    around midday shopping and errands."""
    if place == "work":
        return rng.triangular(7.5, 10.5, 8.6)
    if is_weekend:
        return rng.triangular(9.0, 21.0, 14.0)
    return rng.triangular(17.5, 23.5, 19.5)


def plan_charges(
    rng: random.Random, plans: list[DriverPlan], first: date, days: int
) -> list[PlannedCharge]:
    """Every planned charge of every driver over ``days`` days, in time order."""
    charges: list[PlannedCharge] = []
    for i, plan in enumerate(plans):
        for day in (first + timedelta(days=d) for d in range(days)):
            is_weekend = day.weekday() >= 5
            if rng.random() >= plan.charges_per_week / 7:
                continue
            at_work = plan.work is not None and not is_weekend and rng.random() < 0.5
            place = "work" if at_work else "home"
            hour = _local_hour(rng, place, is_weekend)
            local = datetime(day.year, day.month, day.day, tzinfo=LOCAL) + timedelta(
                hours=hour
            )
            charges.append(
                PlannedCharge(i, local.astimezone(UTC), place, rng.randint(10, 45))
            )
    return sorted(charges, key=lambda c: (c.at, c.driver))


class HubDriver:
    """One simulated driver talking to the hub's public API."""

    def __init__(self, http: httpx.Client, plan: DriverPlan, top_up: str) -> None:
        self.plan = plan
        self._http = http
        account = self._ok(http.post("/api/v1/accounts", json={"name": plan.name}))
        self._auth = {"Authorization": f"Bearer {account['token']}"}
        car = {
            "vin": plan.vin,
            "brand": plan.brand,
            "model": plan.model,
            "delivery_date": "2026-01-15",
        }
        self._ok(
            http.post("/api/v1/accounts/me/vehicles", json=car, headers=self._auth)
        )
        intent = self._ok(
            http.post(
                "/api/v1/wallet/top-ups",
                json={"amount": top_up},
                headers=self._key("top-up"),
            )
        )
        self._ok(http.post(intent["confirm_url"], headers=self._auth))
        self._ok(
            http.put(
                "/api/v1/me/consent", json={"usage_analytics": True}, headers=self._auth
            )
        )

    def _key(self, purpose: str) -> dict[str, str]:
        return {
            **self._auth,
            "Idempotency-Key": f"{purpose}-{random.getrandbits(64):016x}",
        }

    @staticmethod
    def _ok(response: httpx.Response) -> Any:
        response.raise_for_status()
        return response.json()

    def free_pile_near(self, lat: float, lon: float) -> str | None:
        params: dict[str, Any] = {"lat": lat, "lon": lon, "radius_km": 3, "limit": 10}
        page = self._ok(self._http.get("/api/v1/stations", params=params))
        for station in page["items"]:
            if station["is_swap"] or station["piles"]["free"] == 0:
                continue
            detail = self._ok(self._http.get(f"/api/v1/stations/{station['id']}"))
            for pile in detail["piles_detail"]:
                if pile["category"] == "free":
                    return str(pile["id"])
        return None

    def start(self, pile_id: str, target_kwh: int) -> str | None:
        body = {"pile_id": pile_id, "target_kwh": target_kwh}
        r = self._http.post(
            "/api/v1/charging-sessions", json=body, headers=self._key("start")
        )
        return str(r.json()["id"]) if r.status_code == 201 else None

    def stop(self, session_id: str) -> None:
        self._http.post(
            f"/api/v1/charging-sessions/{session_id}/stop", headers=self._key("stop")
        )


def run_plan(
    http: httpx.Client,
    plans: list[DriverPlan],
    charges: list[PlannedCharge],
    speed: float,
    progress: Progress,
) -> int:
    """Play the charges in order, ``speed`` times faster than real time; returns
    how many sessions the hub started."""
    task = progress.add_task("drivers", total=len(plans) + len(charges))
    drivers = []
    for plan in plans:
        drivers.append(HubDriver(http, plan, top_up="500.00"))
        progress.advance(task)
    started, previous = 0, charges[0].at if charges else None
    for charge in charges:
        if previous is not None:
            time.sleep(min((charge.at - previous).total_seconds() / speed, 5.0))
        previous = charge.at
        driver = drivers[charge.driver]
        where = driver.plan.work if charge.place == "work" else driver.plan.home
        pile = driver.free_pile_near(*(where or driver.plan.home))
        session = driver.start(pile, charge.target_kwh) if pile else None
        if session is not None:
            started += 1
            time.sleep(min(charge.target_kwh * 120 / speed, 5.0))  # ~30 kW
            driver.stop(session)
        progress.advance(task)
    return started


def simulate_usage(
    drivers: Annotated[
        int, typer.Option(min=1, max=1000, help="How many drivers.")
    ] = 20,
    days: Annotated[
        int, typer.Option(min=1, max=90, help="Days of driving to play.")
    ] = 7,
    hub: Annotated[
        str, typer.Option(help="Base URL of a running hub.")
    ] = "http://127.0.0.1:8000",
    seed: Annotated[int, typer.Option(help="Seed of the driver behaviour.")] = 7,
    speed: Annotated[
        float, typer.Option(min=1.0, help="Times faster than real time (waits ≤ 5 s).")
    ] = 3600.0,
) -> None:
    """Fill a running hub with drivers charging near home and work, through its API."""
    rng = random.Random(seed)
    plans = [plan_driver(rng, i) for i in range(drivers)]
    charges = plan_charges(rng, plans, datetime.now(LOCAL).date(), days)
    with httpx.Client(base_url=hub, timeout=30) as http, Progress() as progress:
        started = run_plan(http, plans, charges, speed, progress)
    typer.echo(
        f"{drivers} drivers, {len(charges)} planned charges, {started} sessions started"
    )
