"""Vehicle models common in China: battery, consumption, charging curve, sources.

Figures are usable (net) battery energy, a realistic mixed-driving consumption
(about 20-25 % above the CLTC rating) and a DC curve shaped from published
10-80 % times and peak powers. ``swapway`` is our fictional NIO-like swap
network: NIO packs swap there. Li Auto L-series cars are EREVs: their battery
is modelled for charging stops, and a trip no charging plan covers is still
planned, on the range extender (``is_extended_range``, ADR 0031).
"""

from __future__ import annotations

from evroam.catalogue.model import ConnectorStandard
from evroam.recommend.vehicle import CurvePoint, VehicleModel

GBT = frozenset({ConnectorStandard.GBT_DC, ConnectorStandard.GBT_AC})
SWAPWAY = frozenset({"swapway"})


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
    swap: frozenset[str] = frozenset(),
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
        swap_operator_ids=swap,
        source=source,
        is_extended_range=is_extended_range,
    )


VEHICLES: tuple[VehicleModel, ...] = (
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
        "nio-et5",
        "NIO",
        "ET5 (75 kWh)",
        75.0,
        15.5,
        11.0,
        _curve((0, 80), (10, 125), (50, 120), (70, 90), (80, 60), (90, 35), (100, 10)),
        400,
        "nio.cn ET5 spec page (75 kWh standard pack, CLTC 560 km, swap-capable)",
        SWAPWAY,
    ),
    _car(
        "nio-es6",
        "NIO",
        "ES6 (100 kWh)",
        100.0,
        18.5,
        11.0,
        _curve((0, 80), (10, 140), (50, 130), (70, 100), (80, 70), (90, 40), (100, 10)),
        400,
        "nio.cn ES6 spec page (100 kWh long-range pack, CLTC 625 km, swap-capable)",
        SWAPWAY,
    ),
    _car(
        "nio-es8",
        "NIO",
        "ES8 (100 kWh)",
        100.0,
        21.0,
        11.0,
        _curve((0, 80), (10, 140), (50, 130), (70, 100), (80, 70), (90, 40), (100, 10)),
        400,
        "nio.cn ES8 spec page (100 kWh pack, CLTC 500 km, swap-capable)",
        SWAPWAY,
    ),
    _car(
        "xpeng-g6",
        "Xpeng",
        "G6 Long Range (800 V)",
        87.5,
        15.5,
        11.0,
        _curve(
            (0, 150), (10, 280), (40, 270), (60, 200), (80, 120), (90, 60), (100, 15)
        ),
        800,
        "xiaopeng.com G6 spec page (87.5 kWh, SEPA 2.0 800 V, peak 280 kW, "
        "10-80 % in 20 min)",
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
        "L7 Max (EREV, battery only)",
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
        "byd-seal",
        "BYD",
        "Seal 700 km",
        82.5,
        15.0,
        7.0,
        _curve((0, 90), (10, 150), (50, 140), (70, 100), (80, 70), (90, 35), (100, 8)),
        550,
        "bydauto.com.cn Seal spec page (82.56 kWh Blade LFP, e-platform 3.0, "
        "30-80 % in 26 min)",
    ),
    _car(
        "byd-han",
        "BYD",
        "Han EV 715 km",
        85.4,
        15.5,
        7.0,
        _curve((0, 80), (10, 120), (50, 115), (70, 90), (80, 60), (90, 30), (100, 8)),
        550,
        "bydauto.com.cn Han EV spec page (85.4 kWh Blade LFP, 30-80 % in 30 min)",
    ),
    _car(
        "byd-dolphin",
        "BYD",
        "Dolphin 420 km",
        44.9,
        12.5,
        7.0,
        _curve((0, 40), (10, 60), (60, 58), (80, 45), (90, 25), (100, 6)),
        400,
        "bydauto.com.cn Dolphin spec page (44.9 kWh Blade LFP, DC 60 kW)",
    ),
    _car(
        "tesla-model-3",
        "Tesla",
        "Model 3 RWD (China)",
        60.0,
        13.5,
        7.0,
        _curve((0, 120), (10, 170), (40, 160), (60, 110), (80, 65), (90, 35), (100, 8)),
        350,
        "tesla.cn Model 3 spec page (60 kWh LFP, Supercharger peak 170 kW; "
        "China cars use GB/T DC and AC inlets)",
    ),
    _car(
        "tesla-model-y-lr",
        "Tesla",
        "Model Y Long Range (China)",
        78.4,
        16.0,
        7.0,
        _curve(
            (0, 150),
            (10, 250),
            (25, 240),
            (50, 150),
            (70, 100),
            (80, 75),
            (90, 40),
            (100, 10),
        ),
        360,
        "tesla.cn Model Y spec page (78.4 kWh NCM, peak 250 kW, GB/T inlets)",
    ),
    _car(
        "zeekr-001",
        "Zeekr",
        "001 (2024, 800 V)",
        100.0,
        17.5,
        11.0,
        _curve(
            (0, 200), (10, 360), (40, 350), (60, 260), (80, 150), (90, 70), (100, 15)
        ),
        800,
        "zeekrlife.com 001 spec page (100 kWh Qilin, 800 V, 10-80 % in 15 min)",
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
