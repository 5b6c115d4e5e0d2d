"""Operators: GET /api/v1/operators."""

from __future__ import annotations

from fastapi import APIRouter

from evroam.api.deps import ServicesDep
from evroam.api.schemas.stations import OperatorList, operator_public

router = APIRouter(prefix="/api/v1", tags=["operators"])


@router.get("/operators", response_model=OperatorList)
def list_operators(services: ServicesDep) -> OperatorList:
    """Every partner operator with its station, pile and swap-station counts."""
    return OperatorList(
        items=[operator_public(s) for s in services.catalogue.list_operators()]
    )
