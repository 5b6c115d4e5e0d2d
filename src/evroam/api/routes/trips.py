"""Plan a trip with charging and swap stops: POST /api/v1/trips."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from evroam.api.deps import ServicesDep
from evroam.api.problem import PROBLEM_RESPONSES
from evroam.api.schemas.message import MessagePublic, message_public
from evroam.api.schemas.money import yuan
from evroam.api.schemas.vehicles import CustomVehicleIn, PointIn
from evroam.catalogue.search import StationSummary
from evroam.recommend.trip import (
    StopPlan,
    TripLeg,
    TripObjective,
    TripPlan,
    TripRequest,
)
from evroam.recommend.vehicles import CustomVehicle
from evroam.shared.geo import GeoPoint

router = APIRouter(prefix="/api/v1", tags=["trips"])


class TripCreate(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    vehicle_id: str | None = Field(default=None, examples=["xiaomi-su7"])
    vehicle: CustomVehicleIn | None = None
    soc: float = Field(ge=0, le=100, description="state of charge at departure, %")
    origin: PointIn = Field(alias="from")
    destination: PointIn = Field(alias="to")
    min_arrival_soc: float = Field(default=10, ge=0, le=100)
    target_soc_max: float = Field(default=90, ge=0, le=100)
    prefer: TripObjective = TripObjective.TIME
    depart_at: datetime | None = Field(default=None, description="default: now")

    @model_validator(mode="after")
    def _one_vehicle(self) -> TripCreate:
        if (self.vehicle_id is None) == (self.vehicle is None):
            raise ValueError("give exactly one of vehicle_id and vehicle")
        return self


class StationRefPublic(BaseModel):
    id: str
    name: str
    operator: str
    lat: float
    lon: float
    max_power_kw: float
    is_swap: bool
    free_piles: int
    total_piles: int


class StopPublic(BaseModel):
    station: StationRefPublic
    arrival_soc: float
    departure_soc: float
    arrives_at: datetime
    leaves_at: datetime
    wait_minutes: float
    charge_minutes: float = Field(description="for a swap: the swap itself")
    overhead_minutes: float
    energy_kwh: float
    cost: str
    is_swap: bool
    power_kw: float = Field(description="what the car draws there; 0 for a swap")
    is_ac: bool = Field(description="an AC pile (the car's on-board charger)")
    free_chance: float | None = Field(
        None,
        description="chance (0..1) that a pile is free when the car gets there "
        "(ADR 0039; none for a swap)",
    )
    free_chance_basis: Literal["station", "operator", "network", "profile"] | None = (
        Field(None, description="where the history part of free_chance comes from")
    )
    status_age_s: int | None = Field(
        None, description="seconds since the station's live status last changed"
    )
    alternatives: list[StationRefPublic]


class LegPublic(BaseModel):
    start: PointIn
    end: PointIn
    distance_km: float
    drive_minutes: float
    departure_soc: float
    arrival_soc: float


class TripPublic(BaseModel):
    vehicle_id: str
    prefer: TripObjective
    departs_at: datetime
    arrives_at: datetime
    total_minutes: float
    drive_minutes: float
    total_cost: str
    currency: str
    total_km: float
    arrival_soc: float
    stops: list[StopPublic]
    legs: list[LegPublic]
    notes: list[str] = Field(
        description="what a driver should know: slower chargers used, the "
        "range extender covering part of the way (English)"
    )
    note_details: list[MessagePublic] = Field(
        description="the same notes with a code and parameters, to say them in "
        "the client's language (ADR 0045)"
    )


@router.post("/trips", response_model=TripPublic, responses=PROBLEM_RESPONSES)
def plan_trip(services: ServicesDep, body: TripCreate) -> TripPublic:
    """Charging and swap stops from `from` to `to`, fastest (or cheapest), never
    arriving anywhere below `min_arrival_soc`; 422 when no plan exists."""
    plan = services.trips.plan(trip_request(body))
    return trip_public(plan)


def trip_request(body: TripCreate) -> TripRequest:
    vehicle: str | CustomVehicle
    if body.vehicle is not None:
        spec = body.vehicle
        vehicle = spec.to_domain()
    else:
        vehicle = body.vehicle_id or ""
    return TripRequest(
        vehicle=vehicle,
        soc_percent=body.soc,
        origin=GeoPoint(body.origin.lat, body.origin.lon),
        destination=GeoPoint(body.destination.lat, body.destination.lon),
        min_arrival_soc_percent=body.min_arrival_soc,
        target_soc_max_percent=body.target_soc_max,
        objective=body.prefer,
        departs_at=body.depart_at,
    )


def _ref(summary: StationSummary) -> StationRefPublic:
    return StationRefPublic(
        id=summary.id,
        name=summary.name,
        operator=summary.operator_id,
        lat=summary.lat,
        lon=summary.lon,
        max_power_kw=summary.max_power_kw,
        is_swap=summary.is_swap,
        free_piles=summary.piles.free,
        total_piles=summary.piles.total,
    )


def _stop(stop: StopPlan) -> StopPublic:
    return StopPublic(
        station=_ref(stop.station),
        arrival_soc=round(stop.arrival_soc, 1),
        departure_soc=round(stop.departure_soc, 1),
        arrives_at=stop.arrives_at,
        leaves_at=stop.leaves_at,
        wait_minutes=round(stop.wait_minutes, 1),
        charge_minutes=round(stop.charge_minutes, 1),
        overhead_minutes=round(stop.overhead_minutes, 1),
        energy_kwh=round(stop.energy_kwh, 2),
        cost=yuan(stop.cost),
        is_swap=stop.is_swap,
        power_kw=round(stop.power_kw, 1),
        is_ac=stop.is_ac,
        free_chance=stop.free_chance,
        free_chance_basis=stop.free_chance_basis,
        status_age_s=stop.status_age_s,
        alternatives=[_ref(s) for s in stop.alternatives],
    )


def _leg(leg: TripLeg) -> LegPublic:
    return LegPublic(
        start=PointIn(lat=leg.start.lat, lon=leg.start.lon),
        end=PointIn(lat=leg.end.lat, lon=leg.end.lon),
        distance_km=round(leg.distance_km, 1),
        drive_minutes=round(leg.drive_minutes, 1),
        departure_soc=round(leg.departure_soc, 1),
        arrival_soc=round(leg.arrival_soc, 1),
    )


def trip_public(plan: TripPlan) -> TripPublic:
    return TripPublic(
        vehicle_id=plan.vehicle_id,
        prefer=plan.objective,
        departs_at=plan.departs_at,
        arrives_at=plan.arrives_at,
        total_minutes=round(plan.total_minutes, 1),
        drive_minutes=round(plan.drive_minutes, 1),
        total_cost=yuan(plan.total_cost),
        currency=plan.total_cost.currency,
        total_km=round(plan.total_km, 1),
        arrival_soc=round(plan.arrival_soc, 1),
        stops=[_stop(s) for s in plan.stops],
        legs=[_leg(leg) for leg in plan.legs],
        notes=[note.text for note in plan.notes],
        note_details=[message_public(note) for note in plan.notes],
    )
