"""Vehicles and charging recommendations: GET /vehicles, POST /recommendations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from evroam.api.deps import MaybeAccount, ServicesDep
from evroam.api.problem import AUTH_RESPONSES, PROBLEM_RESPONSES
from evroam.api.schemas.money import yuan
from evroam.api.schemas.vehicles import CustomVehicleIn, PointIn
from evroam.recommend.request import OwnedCar, RecommendRequest
from evroam.recommend.scoring import Objective, Option
from evroam.recommend.vehicle import CurveSource, VehicleModel
from evroam.recommend.vehicle_import import CREDIT
from evroam.recommend.vehicles import custom_vehicle, get_vehicle
from evroam.shared.geo import GeoPoint
from evroam.shared.ids import OperatorId

router = APIRouter(prefix="/api/v1", tags=["recommendations"])


class CurvePointPublic(BaseModel):
    soc_percent: float
    power_kw: float


class VehiclePublic(BaseModel):
    id: str
    brand: str
    model: str
    usable_battery_kwh: float
    consumption_kwh_per_100km: float
    max_ac_kw: float
    max_dc_kw: float
    dc_curve: list[CurvePointPublic]
    connectors: list[str]
    pack_voltage_v: int
    swap_operator_ids: list[str]
    source: str
    licence: str = Field(description="licence of the data it came from; empty: curated")
    curve_source: CurveSource = Field(
        description="open-ev-data: published curve; generic: a documented shape "
        "scaled to the DC peak; curated: entered by hand, no licensed source"
    )
    is_extended_range: bool = Field(description="has an engine: always arrives")


def vehicle_public(v: VehicleModel) -> VehiclePublic:
    return VehiclePublic(
        id=v.id,
        brand=v.brand,
        model=v.model,
        usable_battery_kwh=v.usable_battery_kwh,
        consumption_kwh_per_100km=v.consumption_kwh_per_100km,
        max_ac_kw=v.max_ac_kw,
        max_dc_kw=v.max_dc_kw,
        dc_curve=[
            CurvePointPublic(soc_percent=p.soc_percent, power_kw=p.power_kw)
            for p in v.dc_curve
        ],
        connectors=sorted(c.value for c in v.connectors),
        pack_voltage_v=v.pack_voltage_v,
        swap_operator_ids=sorted(v.swap_operator_ids),
        source=v.source,
        licence=v.licence,
        curve_source=v.curve_source,
        is_extended_range=v.is_extended_range,
    )


class RecommendationCreate(BaseModel):
    vehicle_id: str | None = Field(default=None, examples=["xiaomi-su7-max"])
    vehicle: CustomVehicleIn | None = None
    soc: float = Field(ge=0, le=100, description="state of charge now, percent")
    at: PointIn
    to: PointIn | None = None
    target_soc: float = Field(default=80, ge=0, le=100)
    min_arrival_soc: float = Field(default=10, ge=0, le=100)
    prefer: Objective = Objective.BALANCED
    max_detour_km: float | None = Field(default=None, ge=0, le=1000)
    operators: list[str] = []
    limit: int = Field(default=5, ge=1, le=50)

    @model_validator(mode="after")
    def _one_vehicle(self) -> RecommendationCreate:
        if (self.vehicle_id is None) == (self.vehicle is None):
            raise ValueError("give exactly one of vehicle_id or vehicle")
        return self


class OptionPublic(BaseModel):
    rank: int
    kind: Literal["charge", "swap"]
    station_id: str
    station_name: str
    operator: str
    lat: float
    lon: float
    drive_km: float
    drive_minutes: float
    detour_km: float | None
    arrival_soc: float
    arrival_at: datetime
    expected_wait_minutes: float
    free_chance: float | None = Field(
        None,
        description="chance (0..1) that a usable pile is free on arrival: the live "
        "state fading into the station's learned hour-of-week history (ADR 0039)",
    )
    free_chance_basis: Literal["station", "operator", "network", "profile"] | None = (
        Field(
            None,
            description="where the history part of free_chance comes from: the "
            "station's own hours, its operator's or the network's mean, or no "
            "history yet (profile: ADR 0008's daily profile)",
        )
    )
    status_age_s: int | None = Field(
        None, description="seconds since the station's live status last changed"
    )
    reliability: int | None = Field(
        None,
        description="0..100, set when the car could only use piles scored low "
        "(under 60, ADR 0040): the option is ranked below reliable ones",
    )
    charge_minutes: float
    final_soc: float
    energy_kwh: str
    power_kw: float
    free_piles: int
    usable_piles: int
    batteries_in_stock: int | None
    queue_length: int | None
    price_now_per_kwh: str
    partner_cost: str
    cost: str = Field(description="what the driver pays, after discounts")
    total_minutes: float
    currency: str
    why: str


class RecommendationPublic(BaseModel):
    vehicle_id: str
    prefer: Objective
    reachable_km: float
    evaluated: int
    options: list[OptionPublic]


def option_public(rank: int, o: Option) -> OptionPublic:
    return OptionPublic(
        rank=rank,
        kind=o.kind.value,
        station_id=o.station_id,
        station_name=o.station_name,
        operator=o.operator_id,
        lat=o.lat,
        lon=o.lon,
        drive_km=o.drive_km,
        drive_minutes=o.drive_minutes,
        detour_km=o.detour_km,
        arrival_soc=o.arrival_soc,
        arrival_at=o.arrival_at,
        expected_wait_minutes=o.wait_minutes,
        free_chance=o.free_chance,
        free_chance_basis=o.free_chance_basis,
        status_age_s=o.status_age_s,
        reliability=o.reliability,
        charge_minutes=o.charge_minutes,
        final_soc=o.final_soc,
        energy_kwh=str(o.energy_kwh),
        power_kw=o.power_kw,
        free_piles=o.free_piles,
        usable_piles=o.usable_piles,
        batteries_in_stock=o.batteries_in_stock,
        queue_length=o.queue_length,
        price_now_per_kwh=f"{o.price_now_per_kwh:.4f}",
        partner_cost=yuan(o.partner_cost),
        cost=yuan(o.cost),
        total_minutes=o.total_minutes,
        currency=o.cost.currency,
        why=o.explanation,
    )


class VehicleCatalogue(BaseModel):
    items: list[VehiclePublic]
    credit: str = Field(
        description="the attribution the vehicle data's licences ask for"
    )


@router.get("/vehicles", response_model=VehicleCatalogue)
def list_vehicles(services: ServicesDep) -> VehicleCatalogue:
    """Vehicle models with battery, consumption, DC curve, connectors and sources."""
    return VehicleCatalogue(
        items=[vehicle_public(v) for v in services.recommend.list_vehicles()],
        credit=CREDIT,
    )


def request_from(
    body: RecommendationCreate, owned: tuple[OwnedCar, ...]
) -> RecommendRequest:
    if body.vehicle is not None:
        spec = body.vehicle
        vehicle = custom_vehicle(spec.to_domain())
    else:
        vehicle = get_vehicle(body.vehicle_id or "")
    return RecommendRequest(
        vehicle=vehicle,
        soc_percent=body.soc,
        position=GeoPoint(body.at.lat, body.at.lon),
        destination=None if body.to is None else GeoPoint(body.to.lat, body.to.lon),
        target_soc_percent=body.target_soc,
        min_arrival_soc_percent=body.min_arrival_soc,
        objective=body.prefer,
        max_detour_km=body.max_detour_km,
        operator_ids=frozenset(OperatorId(o) for o in body.operators),
        owned_cars=owned,
        limit=body.limit,
    )


@router.post(
    "/recommendations",
    response_model=RecommendationPublic,
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)
def recommend(
    services: ServicesDep, account: MaybeAccount, body: RecommendationCreate
) -> RecommendationPublic:
    """Where to charge or swap now: reachable options ranked by time, cost or both,
    each with drive, arrival SoC, expected wait, charge minutes and cost (with a
    bearer token, the account's cars decide brand discounts)."""
    owned: tuple[OwnedCar, ...] = ()
    if account is not None:
        owned = tuple(
            OwnedCar(v.brand, v.delivery_date)
            for v in services.accounts.list_vehicles(account.id)
        )
    request = request_from(body, owned)
    answer = services.recommend.recommend(request)
    return RecommendationPublic(
        vehicle_id=request.vehicle.id,
        prefer=request.objective,
        reachable_km=round(answer.reachable_km, 1),
        evaluated=len(answer.evaluated),
        options=[option_public(i + 1, o) for i, o in enumerate(answer.options)],
    )
