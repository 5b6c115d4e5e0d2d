"""Vehicle and position inputs shared by recommendations and trips."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from evroam.catalogue.model import ConnectorStandard
from evroam.recommend.vehicles import CustomVehicle


class PointIn(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class CustomVehicleIn(BaseModel):
    """A car the catalogue lacks (``GET /api/v1/vehicles`` lists what it holds)."""

    model_config = ConfigDict(allow_inf_nan=False)  # NaN is not a figure: 422

    usable_battery_kwh: float = Field(ge=5, le=250)
    consumption_kwh_per_100km: float = Field(ge=5, le=60)
    max_dc_kw: float = Field(gt=0, le=1000)
    max_ac_kw: float = Field(default=7.0, ge=0, le=44)
    connectors: list[ConnectorStandard] = Field(
        default=[ConnectorStandard.GBT_DC, ConnectorStandard.GBT_AC], min_length=1
    )
    dc_curve: list[tuple[float, float]] = Field(
        default=[], description="[soc_percent, power_kw] pairs covering 0 to 100"
    )
    swap_operator_ids: list[str] = []
    name: str = Field(default="Custom vehicle", max_length=100)

    def to_domain(self) -> CustomVehicle:
        return CustomVehicle(
            usable_battery_kwh=self.usable_battery_kwh,
            consumption_kwh_per_100km=self.consumption_kwh_per_100km,
            max_dc_kw=self.max_dc_kw,
            max_ac_kw=self.max_ac_kw,
            connectors=frozenset(self.connectors),
            dc_curve=tuple(self.dc_curve),
            swap_operator_ids=frozenset(self.swap_operator_ids),
            name=self.name,
        )
