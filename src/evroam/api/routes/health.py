"""Liveness and readiness: GET /api/v1/health."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from evroam import __version__
from evroam.api.deps import ServicesDep

router = APIRouter(prefix="/api/v1", tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    database: str
    bus: str


@router.get("/health", response_model=Health)
def health(services: ServicesDep) -> Health:
    """``ok`` when the database answers; names the engines in use."""
    return Health(
        status="ok" if services.ping_database() else "degraded",
        version=__version__,
        database=services.engine.dialect.name,
        bus="redis" if services.settings.bus_url else "in-process",
    )
