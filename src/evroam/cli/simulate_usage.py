"""``evroam simulate-usage``: drivers charging near home and work.

Past days go in process, through the hub's own use cases with an explicit
``occurred_at`` (``--backfill DAYS``, ADR 0025); live traffic goes through the
hub's API and the partners' protocols (``--live MINUTES``).
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from evroam.bootstrap import Services, build_backfill, build_services
from evroam.cli.options import DEFAULT_DB, DbOption, JsonOption
from evroam.config import Settings
from evroam.simulated_usage.backfill import BackfillReport
from evroam.simulated_usage.drivers import DriverPlan, plan_driver
from evroam.storage.database import DatabaseMissingError, shown

console = Console(stderr=True)
DEFAULT_DAYS = 7


def simulate_usage(
    drivers: Annotated[
        int, typer.Option(min=0, max=5000, help="How many drivers.")
    ] = 20,
    backfill: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=90,
            help="Fill the last DAYS days in process: every partner pile's status "
            "history and the drivers' charges, back-dated (default 7).",
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(min=1, max=90, help="The same as --backfill."),
    ] = None,
    live: Annotated[
        float | None,
        typer.Option(
            min=0.5,
            help="Instead: drivers charge now, for MINUTES, through --hub's API.",
        ),
    ] = None,
    hub: Annotated[
        str, typer.Option(help="Base URL of a running hub (--live).")
    ] = "http://127.0.0.1:8000",
    seed: Annotated[int, typer.Option(help="Seed of the driver behaviour.")] = 7,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Fill a hub with drivers who consent, top up and charge near home and work."""
    if live is not None:
        result = asyncio.run(run_live(hub, drivers, live, seed))
        typer.echo(json.dumps(result) if as_json else live_line(result))
        return
    report = run_backfill(db, backfill or days or DEFAULT_DAYS, drivers, seed)
    typer.echo(json.dumps(report_json(report)) if as_json else backfill_line(report))


# -- past days, in process ---------------------------------------------------------
def run_backfill(db: str, days: int, drivers: int, seed: int) -> BackfillReport:
    """The backfill over ``db``; its simulated drivers pay with the sandbox
    provider (money that exists only in this simulation)."""
    services = build_services(Settings(database_url=db, payment_provider="sandbox"))
    try:
        _require_partners(services, db)
        report = build_backfill(services).run(
            days, drivers, seed, on_step=console.print
        )
        console.print("archiving the status history for the reports")
        services.history_keeper.keep()
        console.print("learning station availability by hour of the week")
        services.availability_learner.learn()
        return report
    finally:
        services.close()


def _require_partners(services: Services, db: str) -> None:
    if not services.partners.list_partners():
        raise DatabaseMissingError(
            f"no partner networks in {shown(db)}: start evroam demo first"
        )


def backfill_line(r: BackfillReport) -> str:
    if not r.piles:
        return (
            f"nothing to backfill: the status history already covers the last "
            f"{r.days} days"
        )
    return (
        f"backfilled {r.days} days: {r.piles:,} piles, {r.status_rows:,} status "
        f"changes; {r.drivers} drivers, {r.billed} of {r.placed} charges billed, "
        f"{r.kwh:,.1f} kWh, ¥{r.paid.amount:,.2f} (in {r.seconds:.0f} s)"
    )


def report_json(r: BackfillReport) -> dict[str, Any]:
    return {
        "days": r.days,
        "piles": r.piles,
        "status_rows": r.status_rows,
        "drivers": r.drivers,
        "planned": r.planned,
        "placed": r.placed,
        "billed": r.billed,
        "kwh": str(r.kwh),
        "paid": str(r.paid.amount),
        "seconds": round(r.seconds, 1),
    }


# -- now, through the API and the partners' protocols ------------------------------
class HubDriver:
    """One simulated driver talking to the hub's public API."""

    def __init__(self, http: httpx.AsyncClient, plan: DriverPlan) -> None:
        self.plan = plan
        self._http = http
        self._auth: dict[str, str] = {}

    async def sign_up(self, top_up: str) -> None:
        account = self._ok(
            await self._http.post("/api/v1/accounts", json={"name": self.plan.name})
        )
        self._auth = {"Authorization": f"Bearer {account['token']}"}
        car = {
            "vin": self.plan.vin,
            "brand": self.plan.brand,
            "model": self.plan.model,
            "delivery_date": "2026-01-15",
        }
        registered = await self._http.post(
            "/api/v1/accounts/me/vehicles", json=car, headers=self._auth
        )
        if registered.status_code != 409:  # 409: an earlier run's driver has it
            self._ok(registered)
        intent = self._ok(
            await self._http.post(
                "/api/v1/wallet/top-ups",
                json={"amount": top_up},
                headers=self._key("top-up"),
            )
        )
        self._ok(await self._http.post(intent["confirm_url"], headers=self._auth))
        self._ok(
            await self._http.put(
                "/api/v1/me/consent",
                json={"usage_analytics": True},
                headers=self._auth,
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

    async def free_pile_near(self, lat: float, lon: float) -> str | None:
        params: dict[str, Any] = {
            "lat": lat,
            "lon": lon,
            "radius_km": 5,
            "limit": 10,
            "available": "true",
        }
        page = self._ok(await self._http.get("/api/v1/stations", params=params))
        for station in page["items"]:
            if station["is_swap"] or station["piles"]["free"] == 0:
                continue
            detail = self._ok(await self._http.get(f"/api/v1/stations/{station['id']}"))
            for pile in detail["piles_detail"]:
                if pile["category"] == "free":
                    return str(pile["id"])
        return None

    async def charge(self, pile_id: str, minutes: float) -> dict[str, Any] | None:
        """Start, charge for ``minutes``, stop, and wait for the receipt (the
        partner's charge record); None if the partner would not start."""
        r = await self._http.post(
            "/api/v1/charging-sessions",
            json={"pile_id": pile_id, "target_kwh": "60"},
            headers=self._key("start"),
        )
        if r.status_code != 201:
            return None
        session_id = r.json()["id"]
        await asyncio.sleep(minutes * 60)
        await self._http.post(
            f"/api/v1/charging-sessions/{session_id}/stop", headers=self._key("stop")
        )
        for _ in range(60):
            receipt = await self._http.get(
                f"/api/v1/receipts/{session_id}", headers=self._auth
            )
            if receipt.status_code == 200:
                return dict(receipt.json())
            await asyncio.sleep(2)
        return None


@dataclass(frozen=True, slots=True)
class _LiveCharge:
    driver: int
    after_s: float
    minutes: float


async def run_live(hub: str, drivers: int, minutes: float, seed: int) -> dict[str, Any]:
    """``drivers`` drivers each plug in once at a random moment of the next
    ``minutes`` minutes and charge for 1-5 minutes (at most to the end)."""
    rng = random.Random(seed)
    plans = [plan_driver(rng, i) for i in range(drivers)]
    span_s = minutes * 60
    charges = []
    for i in range(drivers):
        after_s = rng.uniform(0, span_s / 2)
        length = min(rng.uniform(1, 5), (span_s - after_s) / 60)
        charges.append(_LiveCharge(i, after_s, length))
    async with httpx.AsyncClient(base_url=hub, timeout=30) as http:
        hub_drivers = [HubDriver(http, plan) for plan in plans]
        for driver in hub_drivers:
            await driver.sign_up("500.00")
        receipts = await asyncio.gather(
            *(_one(hub_drivers[c.driver], c) for c in charges)
        )
    billed = [r for r in receipts if r]
    return {
        "drivers": drivers,
        "charges": len(charges),
        "billed": len(billed),
        "kwh": str(sum((Decimal(r["kwh"]) for r in billed), Decimal(0))),
        "paid": str(sum((Decimal(r["total"]) for r in billed), Decimal(0))),
        "finished_at": datetime.now(UTC).isoformat(),
    }


async def _one(driver: HubDriver, charge: _LiveCharge) -> dict[str, Any] | None:
    await asyncio.sleep(charge.after_s)
    pile = await driver.free_pile_near(*driver.plan.home)
    return await driver.charge(pile, charge.minutes) if pile else None


def live_line(result: dict[str, Any]) -> str:
    return (
        f"{result['drivers']} drivers, {result['charges']} charges, "
        f"{result['billed']} billed: {result['kwh']} kWh, ¥{result['paid']}"
    )
