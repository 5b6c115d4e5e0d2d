"""Reserving a pile (/api/v1/reservations) and reporting a stuck cable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from evroam.api.deps import CurrentAccount, ServicesDep
from evroam.api.problem import AUTH_RESPONSES
from evroam.pile_requests.model import (
    MAX_RESERVATION_MINUTES,
    MIN_RESERVATION_MINUTES,
    CableReport,
    Reservation,
)
from evroam.shared.ids import PileId

router = APIRouter(prefix="/api/v1", tags=["reservations"], responses=AUTH_RESPONSES)
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "the pile takes no reservation now (says why)"}
}


class ReservationCreate(BaseModel):
    pile_id: str = Field(min_length=1, max_length=200)
    minutes: int = Field(
        ge=MIN_RESERVATION_MINUTES,
        le=MAX_RESERVATION_MINUTES,
        description="how long the pile is held for you",
    )


class ReservationPublic(BaseModel):
    id: str
    pile_id: str
    station_id: str
    minutes: int
    status: str = Field(
        description="requested (the partner took it, the pile's answer is to "
        "come), reserved, rejected, timeout (no answer in time), failed, "
        "cancelling, cancelled, expired"
    )
    reason: str | None = Field(description="why it was refused, in the CPO's words")
    created_at: datetime
    expires_at: datetime


class ReservationList(BaseModel):
    items: list[ReservationPublic]


def reservation_public(r: Reservation) -> ReservationPublic:
    return ReservationPublic(
        id=r.id,
        pile_id=r.pile_id,
        station_id=r.station_id,
        minutes=r.minutes,
        status=r.status.value,
        reason=r.reason,
        created_at=r.created_at,
        expires_at=r.expires_at,
    )


@router.post(
    "/reservations",
    response_model=ReservationPublic,
    status_code=201,
    responses=CONFLICT,
)
async def reserve(
    services: ServicesDep, account: CurrentAccount, body: ReservationCreate
) -> ReservationPublic:
    """Reserve a pile that takes reservations (OCPI EVSEs listing RESERVABLE)."""
    return reservation_public(
        await services.pile_requests.reserve(
            account.id, PileId(body.pile_id), body.minutes
        )
    )


@router.get("/reservations", response_model=ReservationList)
def my_reservations(services: ServicesDep, account: CurrentAccount) -> ReservationList:
    found = services.pile_requests.list_reservations(account.id)
    return ReservationList(items=[reservation_public(r) for r in found])


@router.get("/reservations/{reservation_id}", response_model=ReservationPublic)
def my_reservation(
    services: ServicesDep, account: CurrentAccount, reservation_id: str
) -> ReservationPublic:
    return reservation_public(
        services.pile_requests.get_reservation(account.id, reservation_id)
    )


@router.post(
    "/reservations/{reservation_id}/cancel",
    response_model=ReservationPublic,
    responses=CONFLICT,
)
async def cancel_reservation(
    services: ServicesDep, account: CurrentAccount, reservation_id: str
) -> ReservationPublic:
    return reservation_public(
        await services.pile_requests.cancel(account.id, reservation_id)
    )


class CableReportCreate(BaseModel):
    pile_id: str = Field(min_length=1, max_length=200)
    connector_id: str = Field(default="1", min_length=1, max_length=36)
    note: str = Field(default="", max_length=500)


class CableReportPublic(BaseModel):
    id: str
    pile_id: str
    station_id: str
    connector_id: str
    note: str
    status: str = Field(description="open, unlocking, unlocked, unlock_failed")
    reason: str | None
    created_at: datetime
    updated_at: datetime


def cable_report_public(r: CableReport) -> CableReportPublic:
    return CableReportPublic(
        id=r.id,
        pile_id=r.pile_id,
        station_id=r.station_id,
        connector_id=r.connector_id,
        note=r.note,
        status=r.status.value,
        reason=r.reason,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


@router.post("/me/cable-reports", response_model=CableReportPublic, status_code=201)
def report_stuck_cable(
    services: ServicesDep, account: CurrentAccount, body: CableReportCreate
) -> CableReportPublic:
    """The cable will not come out: an operator is told and can unlock it."""
    return cable_report_public(
        services.pile_requests.report_stuck_cable(
            account.id, PileId(body.pile_id), body.connector_id, body.note
        )
    )


@router.get("/me/cable-reports/{report_id}", response_model=CableReportPublic)
def my_cable_report(
    services: ServicesDep, account: CurrentAccount, report_id: str
) -> CableReportPublic:
    return cable_report_public(services.pile_requests.my_report(account.id, report_id))
