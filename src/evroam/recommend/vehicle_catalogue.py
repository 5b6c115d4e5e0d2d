"""Curated vehicle models: cars no licensed dataset holds, entered by hand.

Xiaomi and Li Auto models are in neither open dataset (``vehicle_import``), nor
are the Xpeng G9 and GAC Aion S Max as sold in China; their figures come from
the makers' pages (``source``), they carry no licence (``licence == ""``) and
``curve_source`` is ``curated``. Figures are usable (net) battery energy, a
realistic mixed-driving consumption (about 20-25 % above the CLTC rating) and a
DC curve shaped from published 10-80 % times and peak powers. Li Auto L-series
cars are EREVs: their battery is modelled for charging stops, and a trip no
charging plan covers is still planned, on the range extender
(``is_extended_range``, ADR 0031). None of them can swap at ``swapway``.
"""

from __future__ import annotations

from evroam.catalogue.model import ConnectorStandard
from evroam.recommend.vehicle import CurvePoint, VehicleModel

GBT = frozenset({ConnectorStandard.GBT_DC, ConnectorStandard.GBT_AC})


def _curve(*points: tuple[float, float]) -> tuple[CurvePoint, ...]:
    return tuple(CurvePoint(soc, kw) for soc, kw in points)


def _car(
    key: str,
    brand: str,
    model: str,
    kwh: float,
    consumption: float,
    ac_kw: float,
    curve: tuple[CurvePoint, ...],
    voltage_v: int,
    source: str,
    *,
    is_extended_range: bool = False,
) -> VehicleModel:
    return VehicleModel(
        id=key,
        brand=brand,
        model=model,
        usable_battery_kwh=kwh,
        consumption_kwh_per_100km=consumption,
        max_ac_kw=ac_kw,
        max_dc_kw=max(p.power_kw for p in curve),
        dc_curve=curve,
        connectors=GBT,
        pack_voltage_v=voltage_v,
        source=f"{source} (curated: in no licensed dataset)",
        is_extended_range=is_extended_range,
    )


CURATED: tuple[VehicleModel, ...] = (
    _car(
        "xiaomi-su7",
        "Xiaomi",
        "SU7 Standard (RWD)",
        73.6,
        14.5,
        7.0,
        _curve((0, 90), (10, 150), (30, 150), (50, 120), (80, 70), (90, 40), (100, 10)),
        400,
        "xiaomiev.com SU7 spec page (73.6 kWh BYD LFP, CLTC 700 km, 400 V); "
        "Xiaomi launch 2024-03-28: 15 min for 350 km",
    ),
    _car(
        "xiaomi-su7-pro",
        "Xiaomi",
        "SU7 Pro",
        94.3,
        15.0,
        7.0,
        _curve(
            (0, 100), (10, 160), (40, 160), (60, 120), (80, 80), (90, 40), (100, 10)
        ),
        400,
        "xiaomiev.com SU7 spec page (94.3 kWh CATL LFP, CLTC 830 km, 400 V)",
    ),
    _car(
        "xiaomi-su7-max",
        "Xiaomi",
        "SU7 Max",
        101.0,
        16.5,
        11.0,
        _curve(
            (0, 200),
            (10, 480),
            (30, 470),
            (50, 330),
            (70, 220),
            (80, 150),
            (90, 80),
            (100, 20),
        ),
        871,
        "xiaomiev.com SU7 spec page (101 kWh CATL Qilin NMC, 871 V, "
        "5 min 220 km / 15 min 510 km); carlist.com 'Xiaomi reveals details on "
        "upcoming SU7'",
    ),
    _car(
        "xpeng-g9",
        "Xpeng",
        "G9 650 Max (800 V)",
        98.0,
        17.5,
        11.0,
        _curve(
            (0, 200),
            (10, 400),
            (30, 390),
            (50, 300),
            (70, 200),
            (80, 150),
            (90, 70),
            (100, 15),
        ),
        800,
        "xiaopeng.com G9 spec page (98 kWh, 800 V, S4 supercharging "
        "'5 min 200 km', 10-80 % in about 15 min)",
    ),
    _car(
        "li-mega",
        "Li Auto",
        "MEGA (800 V BEV)",
        102.7,
        20.0,
        11.0,
        _curve(
            (0, 250),
            (10, 520),
            (35, 510),
            (55, 400),
            (70, 280),
            (80, 180),
            (90, 90),
            (100, 20),
        ),
        800,
        "lixiang.com MEGA spec page (102.7 kWh CATL Qilin 5C, 800 V, peak 520 kW, "
        "10-80 % in 12 min)",
    ),
    _car(
        "li-l7",
        "Li Auto",
        "L7 Max (EREV)",
        52.3,
        21.0,
        7.0,
        _curve((0, 60), (10, 100), (50, 95), (70, 80), (80, 60), (90, 30), (100, 8)),
        400,
        "lixiang.com L7 spec page (2024 Max: 52.3 kWh LFP, 20-80 % in 20 min); "
        "extended range: always reaches the destination",
        is_extended_range=True,
    ),
    _car(
        "aion-s-max",
        "GAC Aion",
        "Aion S Max 80",
        69.9,
        13.5,
        7.0,
        _curve((0, 70), (10, 100), (50, 95), (70, 80), (80, 55), (90, 30), (100, 8)),
        400,
        "gac-aion.com Aion S Max spec page (69.9 kWh LFP, 30-80 % in about 30 min)",
    ),
)
