"""Vehicles as the recommender sees them: battery, consumption, charging curve."""

from __future__ import annotations

import bisect
import enum
import math
from dataclasses import dataclass, field

from evroam.catalogue.model import ConnectorStandard, PowerType
from evroam.shared.errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """DC charging power the car accepts at a state of charge (percent)."""

    soc_percent: float
    power_kw: float


class CurveSource(enum.StrEnum):
    """Where a model's DC curve comes from."""

    OPEN_EV_DATA = "open-ev-data"  # KilowattApp's Open EV Data (MIT, credited)
    GENERIC = "generic"  # no published curve: a documented shape at the DC peak
    CURATED = "curated"  # entered by hand from makers' figures: no licensed source


@dataclass(frozen=True, slots=True)
class VehicleModel:
    """A car model; ``dc_curve`` is piecewise linear in SoC, sorted by SoC.

    ``swap_operator_ids`` names the operators whose swap stations take its pack
    (empty: the car cannot swap).
    """

    id: str
    brand: str
    model: str
    usable_battery_kwh: float
    consumption_kwh_per_100km: float
    max_ac_kw: float
    max_dc_kw: float
    dc_curve: tuple[CurvePoint, ...]
    connectors: frozenset[ConnectorStandard]
    pack_voltage_v: int
    swap_operator_ids: frozenset[str] = frozenset()
    source: str = ""
    is_extended_range: bool = False  # an EREV: a range extender holds the floor
    licence: str = ""  # the licence of the data it was imported from; "" curated
    curve_source: CurveSource = CurveSource.CURATED
    _curve_socs: tuple[float, ...] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        numbers = (
            self.usable_battery_kwh,
            self.consumption_kwh_per_100km,
            self.max_ac_kw,
            self.max_dc_kw,
            *(v for p in self.dc_curve for v in (p.soc_percent, p.power_kw)),
        )
        if not all(math.isfinite(v) for v in numbers):
            raise InvalidInputError("vehicle", "every figure must be a finite number")
        if self.usable_battery_kwh <= 0 or self.consumption_kwh_per_100km <= 0:
            raise InvalidInputError("vehicle", "battery and consumption must be > 0")
        socs = [p.soc_percent for p in self.dc_curve]
        if not self.dc_curve or socs != sorted(socs) or socs[0] > 0 or socs[-1] < 100:
            raise InvalidInputError(
                "dc_curve", "needs points sorted by SoC covering 0 to 100 %"
            )
        object.__setattr__(self, "_curve_socs", tuple(socs))

    @property
    def is_swap_compatible(self) -> bool:
        return bool(self.swap_operator_ids)

    def range_km(self, soc_percent: float) -> float:
        """Distance the car can drive on ``soc_percent`` of its battery."""
        kwh = self.usable_battery_kwh * soc_percent / 100.0
        return kwh / self.consumption_kwh_per_100km * 100.0

    def soc_used(self, distance_km: float) -> float:
        """Percent of the battery a drive of ``distance_km`` uses."""
        kwh = distance_km * self.consumption_kwh_per_100km / 100.0
        return kwh / self.usable_battery_kwh * 100.0

    def dc_power_at(self, soc_percent: float) -> float:
        points = self.dc_curve
        if soc_percent <= points[0].soc_percent:
            return points[0].power_kw
        # The first point at or above the SoC (a bisection: imported curves
        # have a hundred points, and charge_minutes asks for every percent).
        j = bisect.bisect_left(self._curve_socs, soc_percent, 1)
        if j == len(points):
            return points[-1].power_kw
        lo, hi = points[j - 1], points[j]
        span = hi.soc_percent - lo.soc_percent
        share = 0.0 if span == 0 else (soc_percent - lo.soc_percent) / span
        return lo.power_kw + share * (hi.power_kw - lo.power_kw)


_STEP_PERCENT = 1.0


def charge_minutes(
    vehicle: VehicleModel,
    from_soc: float,
    to_soc: float,
    pile_power_kw: float,
    power_type: PowerType,
) -> float:
    """Minutes to charge from ``from_soc`` to ``to_soc`` percent at a pile.

    DC: the car's curve, capped by the pile's power (and the car's DC maximum),
    integrated in 1 % steps. AC: flat at min(pile, car's on-board charger).
    """
    if not 0 <= from_soc <= 100 or not 0 <= to_soc <= 100:
        raise InvalidInputError("soc", "must be between 0 and 100")
    if to_soc <= from_soc:
        return 0.0
    if power_type is PowerType.AC:
        power = min(pile_power_kw, vehicle.max_ac_kw)
        kwh = vehicle.usable_battery_kwh * (to_soc - from_soc) / 100.0
        return kwh / max(power, 0.1) * 60.0
    minutes = 0.0
    soc = from_soc
    while soc < to_soc:
        step = min(_STEP_PERCENT, to_soc - soc)
        mid = soc + step / 2
        power = min(vehicle.dc_power_at(mid), pile_power_kw, vehicle.max_dc_kw)
        kwh = vehicle.usable_battery_kwh * step / 100.0
        minutes += kwh / max(power, 0.1) * 60.0
        soc += step
    return minutes


def energy_kwh(vehicle: VehicleModel, from_soc: float, to_soc: float) -> float:
    return max(0.0, vehicle.usable_battery_kwh * (to_soc - from_soc) / 100.0)
