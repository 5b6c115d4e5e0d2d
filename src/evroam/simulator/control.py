"""The simulator's control API under ``/sim`` (tests and benchmarks; no protocol)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from evroam.simulator.network import UnknownPileError
from evroam.simulator.runner import SimulationRunner

# The statuses a simulated pile can be forced to (the scenario's status names).
StatusName = Literal[
    "available", "occupied", "charging", "reserved", "offline", "faulted", "unknown"
]


class ForcedStatus(BaseModel):
    status: StatusName


class ServiceFeeRaise(BaseModel):
    per_kwh: Decimal


def build_control_router(runner: SimulationRunner) -> APIRouter:
    """``GET /sim/state``, ``GET /sim/piles``, ``POST /sim/piles/{name}/status``,
    ``POST /sim/tariffs/service-fee``, ``POST /sim/pause`` and ``POST /sim/resume``."""
    router = APIRouter(prefix="/sim", tags=["simulator control"])

    @router.get("/state")
    async def get_state() -> dict[str, Any]:
        return runner.state()

    @router.get("/piles")
    async def get_piles() -> dict[str, str]:
        """Every pile's status, named as the hub names it (the ground truth)."""
        return {name: s.value for name, s in runner.network.pile_statuses().items()}

    @router.post("/piles/{pile_name:path}/status")
    async def force_status(pile_name: str, body: ForcedStatus) -> dict[str, Any]:
        try:
            change = await runner.force(pile_name, body.status)
        except UnknownPileError as exc:
            raise HTTPException(404, f"no pile {pile_name!r}") from exc
        return {
            "pile": pile_name,
            "status": str(change.status),
            "at": change.at.isoformat(),
            "pushes": runner.counters.as_dict(),
        }

    @router.post("/tariffs/service-fee")
    async def raise_service_fee(body: ServiceFeeRaise) -> dict[str, Any]:
        """Every tariff's service fee up by ``per_kwh`` (a price change)."""
        runner.raise_service_fee(body.per_kwh)
        return {"tariff_version": runner.network.tariff_version}

    @router.post("/pause")
    async def pause() -> dict[str, Any]:
        runner.pause()
        return runner.state()

    @router.post("/resume")
    async def resume() -> dict[str, Any]:
        runner.resume()
        return runner.state()

    return router
