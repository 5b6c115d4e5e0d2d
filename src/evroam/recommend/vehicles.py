"""The vehicle catalogue and drivers' custom vehicles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from evroam.catalogue.model import ConnectorStandard
from evroam.recommend.errors import InvalidVehicleSpecError, VehicleNotFoundError
from evroam.recommend.vehicle import CurvePoint, VehicleModel
from evroam.recommend.vehicle_catalogue import CURATED
from evroam.recommend.vehicle_imported import IMPORTED
from evroam.shared.errors import InvalidInputError

VEHICLES: tuple[VehicleModel, ...] = (*CURATED, *IMPORTED)
"""Imported from licensed open data (``vehicle_import``) plus the curated models
no dataset holds (``vehicle_catalogue``)."""
_BY_ID = {v.id: v for v in VEHICLES}


def all_vehicles() -> tuple[VehicleModel, ...]:
    """Every catalogue model, by brand then model."""
    return tuple(sorted(VEHICLES, key=lambda v: (v.brand, v.model)))


def find_vehicle(vehicle_id: str) -> VehicleModel | None:
    return _BY_ID.get(vehicle_id)


def get_vehicle(vehicle_id: str) -> VehicleModel:
    vehicle = _BY_ID.get(vehicle_id)
    if vehicle is None:
        raise VehicleNotFoundError(vehicle_id)
    return vehicle


@dataclass(frozen=True, slots=True)
class CustomVehicle:
    """What a driver tells us about a car the catalogue does not hold."""

    usable_battery_kwh: float
    consumption_kwh_per_100km: float
    max_dc_kw: float
    max_ac_kw: float = 7.0
    connectors: frozenset[ConnectorStandard] = frozenset(
        {ConnectorStandard.GBT_DC, ConnectorStandard.GBT_AC}
    )
    dc_curve: Sequence[tuple[float, float]] = ()
    pack_voltage_v: int = 400
    swap_operator_ids: frozenset[str] = frozenset()
    name: str = "Custom vehicle"


_LIMITS = {
    "usable_battery_kwh": (5.0, 250.0),
    "consumption_kwh_per_100km": (5.0, 60.0),
    "max_dc_kw": (0.0, 1000.0),
    "max_ac_kw": (0.0, 44.0),
}


def custom_vehicle(spec: CustomVehicle) -> VehicleModel:
    """A checked ``VehicleModel`` from a driver's figures.

    Without a curve the car is assumed to take its maximum DC power up to
    50 %, tapering linearly to 20 % of it at 100 % (a typical NMC/LFP shape).
    """
    for field, (low, high) in _LIMITS.items():
        value = getattr(spec, field)
        if not math.isfinite(value) or not low <= value <= high:
            raise InvalidVehicleSpecError(field, f"must be between {low} and {high}")
    if not spec.connectors:
        raise InvalidVehicleSpecError("connectors", "name at least one connector")
    curve = tuple(CurvePoint(float(s), float(p)) for s, p in spec.dc_curve)
    if not all(math.isfinite(v) for p in curve for v in (p.soc_percent, p.power_kw)):
        raise InvalidVehicleSpecError("dc_curve", "every point must be finite numbers")
    if not curve:
        top = spec.max_dc_kw
        curve = (CurvePoint(0, top), CurvePoint(50, top), CurvePoint(100, top * 0.2))
    if any(p.power_kw < 0 for p in curve):
        raise InvalidVehicleSpecError("dc_curve", "power must not be negative")
    try:
        return VehicleModel(
            id="custom",
            brand="custom",
            model=spec.name,
            usable_battery_kwh=spec.usable_battery_kwh,
            consumption_kwh_per_100km=spec.consumption_kwh_per_100km,
            max_ac_kw=spec.max_ac_kw,
            max_dc_kw=spec.max_dc_kw,
            dc_curve=curve,
            connectors=spec.connectors,
            pack_voltage_v=spec.pack_voltage_v,
            swap_operator_ids=spec.swap_operator_ids,
            source="given by the driver",
        )
    except InvalidInputError as exc:
        raise InvalidVehicleSpecError(exc.field, exc.message) from exc
