"""Vehicle models from licensed open data: China-market cars, GB/T plugs, curves.

Two datasets, given as parsed JSON (``evroam vehicles import`` reads the copies
shipped in ``recommend/vehicle_data/``; see its SOURCE.md):

- open-ev-data-dataset (CDLA-Permissive-2.0): which models are sold in China
  (``markets`` holds ``CN``), net battery, AC and DC maximum power, voltage
  class, rated range. A record is ``<make>/<model>/base.json`` merged with
  ``<year>/<model>.json`` and, for a variant, ``<year>/<model>_<variant>.json``
  over that (dicts merge key by key, anything else is replaced). The newest
  year of each model and variant is kept.
- Open EV Data by KilowattApp (MIT with attribution: "Open EV Data
  (https://github.com/KilowattApp/open-ev-data)"): DC charging curves and an
  average consumption, for European variants. A model takes the curve of the
  entry of the same make whose model name starts with the model's name and
  whose usable battery is within ``MATCH_KWH`` of its net battery (closest
  first), if that curve is not the dataset's own default shape.

Everything imported is a China-market car, so its plugs are GB/T (DC and AC).
Without a matched curve a model gets ``GENERIC_SHAPE`` scaled to its DC peak
and says so (``curve_source``). Consumption: the matched entry's average, or
else the rated range's figure raised to real mixed driving (CLTC x 1.25, WLTP
x 1.1, as the curated catalogue assumes); a record with neither is skipped, as
is one without a net battery or a DC peak. NIO's cars swap at the NIO-like
network (``swapway``); no other imported make can swap there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evroam.catalogue.model import ConnectorStandard
from evroam.recommend.vehicle import CurvePoint, CurveSource, VehicleModel

GBT = frozenset({ConnectorStandard.GBT_DC, ConnectorStandard.GBT_AC})
MATCH_KWH = 5.0
GENERIC_SHAPE = (
    (0.0, 0.6),
    (10.0, 1.0),
    (40.0, 1.0),
    (60.0, 0.75),
    (80.0, 0.45),
    (90.0, 0.25),
    (100.0, 0.08),
)
"""Share of the DC peak by SoC: the median shape of the curated catalogue's
published curves (flat to ~40 %, tapering to a trickle at 100 %)."""
RANGE_TO_REAL = {"cltc": 1.25, "wltp": 1.1, "epa": 1.0}
EXTENDED_RANGE = frozenset({("fangchengbao", "bao_5"), ("yangwang", "u8")})
"""Sold with an engine (plug-in hybrid or range extender; the dataset has no
field for it): always reach the destination (ADR 0031)."""
KEPT_IDS = {
    ("nio", "es6", "100kwh"): "nio-es6",
    ("nio", "es6", ""): "nio-es6-base",
    ("nio", "es8", "100kwh"): "nio-es8",
    ("nio", "es8", ""): "nio-es8-base",
    ("xpeng", "g6", "ultra_long_range"): "xpeng-g6",
    ("xpeng", "g6", ""): "xpeng-g6-standard-range",
    ("tesla", "model_y", "long_range_awd"): "tesla-model-y-lr",
    ("tesla", "model_y", ""): "tesla-model-y-long-range-rwd",
    ("byd", "seal", "premium"): "byd-seal",
    ("byd", "seal", ""): "byd-seal-dynamic",
}
"""Catalogue ids of the hand-entered catalogue kept for the imported model
closest to what they named (battery and variant)."""
SWAP_NETWORKS = {"nio": frozenset({"swapway"})}
"""Makes whose packs the swap network takes (NIO's BEVs swap; firefly excepted)."""
NO_SWAP_MODELS = frozenset({("nio", "firefly_ev")})
OED_LICENCE = "open-ev-data-dataset, CDLA-Permissive-2.0"
KILOWATT_LICENCE = (
    "Open EV Data (https://github.com/KilowattApp/open-ev-data), MIT with attribution"
)
CREDIT = (
    "Vehicle data: Open EV Data (https://github.com/KilowattApp/open-ev-data), "
    "MIT License with Attribution Requirement, Copyright (c) 2024 Tijs Teulings; "
    "open-ev-data-dataset (https://github.com/open-ev-data/open-ev-data-dataset), "
    "Community Data License Agreement - Permissive 2.0."
)

Json = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ImportReport:
    vehicles: tuple[VehicleModel, ...]
    with_curve: int
    generic_curve: int
    skipped: tuple[str, ...]  # "<path>: why"


def merge(base: Json, over: Json) -> dict[str, Any]:
    """``over`` on top of ``base``: dicts merge key by key, the rest is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True, slots=True)
class _Record:
    path: str
    make: str
    model: str
    variant: str  # "" for the year's main file
    year: int
    data: dict[str, Any]


def records(files: Mapping[str, Json]) -> list[_Record]:
    """Merged records, newest year per (make, model, variant); ``files`` maps
    ``src/<make>/<model>/...`` paths to parsed JSON."""
    newest: dict[tuple[str, str, str], _Record] = {}
    for path in sorted(files):
        parts = path.split("/")
        if len(parts) != 5 or parts[0] != "src" or not parts[3].isdigit():
            continue
        _, make, model, year, name = parts
        main = f"src/{make}/{model}/{year}/{model}.json"
        base = files.get(f"src/{make}/{model}/base.json", {})
        if main not in files:
            continue
        data = merge(base, files[main])
        variant = ""
        if path != main:
            data = merge(data, files[path])
            variant = name.removesuffix(".json").removeprefix(f"{model}_")
        record = _Record(path, make, model, variant, int(year), data)
        key = (make, model, variant)
        if key not in newest or newest[key].year < record.year:
            newest[key] = record
    return [newest[k] for k in sorted(newest)]


def import_vehicles(
    files: Mapping[str, Json],
    kilowatt: Sequence[Json],
    ids: Mapping[tuple[str, str, str], str] = KEPT_IDS,
) -> ImportReport:
    """China-market models of ``files`` with curves from ``kilowatt``; ``ids``
    names some (make, model, variant) the way the catalogue already did."""
    named = ids
    vehicles: list[VehicleModel] = []
    skipped: list[str] = []
    for record in records(files):
        if "CN" not in record.data.get("markets", ()):
            continue
        built = _vehicle(record, kilowatt, named)
        if isinstance(built, str):
            skipped.append(f"{record.path}: {built}")
        else:
            vehicles.append(built)
    curved = sum(v.curve_source is CurveSource.OPEN_EV_DATA for v in vehicles)
    return ImportReport(tuple(vehicles), curved, len(vehicles) - curved, tuple(skipped))


def _vehicle(
    record: _Record,
    kilowatt: Sequence[Json],
    ids: Mapping[tuple[str, str, str], str],
) -> VehicleModel | str:
    data = record.data
    net = _number(data, "battery", "pack_capacity_kwh_net")
    peak = _number(data, "charging", "dc", "max_power_kw")
    if net is None or net <= 0:
        return "no net battery capacity"
    if peak is None or peak <= 0:
        return "no DC peak power"
    make_name = str(data.get("make", {}).get("name", record.make))
    model_name = str(data.get("model", {}).get("name", record.model))
    match = _match(kilowatt, make_name, model_name, net)
    consumption = _consumption(data, net, match)
    if consumption is None:
        return "no consumption and no rated range"
    curve, source = _curve(match, peak)
    variant_name = (
        str(data.get("variant", {}).get("name", "")) if record.variant else ""
    )
    trim = str(data.get("trim", {}).get("name", ""))
    label = " ".join(p for p in (model_name, variant_name or trim) if p)
    key = (record.make, record.model, record.variant)
    swap = SWAP_NETWORKS.get(record.make, frozenset())
    if (record.make, record.model) in NO_SWAP_MODELS:
        swap = frozenset()
    return VehicleModel(
        id=ids.get(key) or _slug(record.make, record.model, record.variant),
        brand=make_name,
        model=f"{label} ({record.year}, {net:g} kWh)",
        usable_battery_kwh=net,
        consumption_kwh_per_100km=round(consumption, 1),
        max_ac_kw=_number(data, "charging", "ac", "max_power_kw") or 7.0,
        max_dc_kw=max(p.power_kw for p in curve),
        dc_curve=curve,
        connectors=GBT,
        pack_voltage_v=800
        if data.get("charging", {}).get("dc", {}).get("architecture_voltage_class")
        == "800v"
        else 400,
        swap_operator_ids=swap,
        source=_source(record, match),
        licence=OED_LICENCE
        + ("; curve and consumption: " + KILOWATT_LICENCE if match else ""),
        curve_source=source,
        is_extended_range=(record.make, record.model) in EXTENDED_RANGE,
    )


def _number(data: Json, *keys: str) -> float | None:
    value: Any = data
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, int | float) else None


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _match(
    kilowatt: Sequence[Json], make: str, model: str, net_kwh: float
) -> Json | None:
    """The closest-battery entry of the same make whose model name starts with
    ``model``, preferring a real curve over the dataset's default shape."""
    found = [
        k
        for k in kilowatt
        if _norm(str(k.get("brand", ""))) == _norm(make)
        and _norm(str(k.get("model", ""))).startswith(_norm(model))
        and abs(float(k.get("usable_battery_size", 0)) - net_kwh) <= MATCH_KWH
    ]
    found.sort(
        key=lambda k: (
            bool(k.get("dc_charger", {}).get("is_default_charging_curve", True)),
            abs(float(k["usable_battery_size"]) - net_kwh),
            str(k.get("id", "")),
        )
    )
    return found[0] if found else None


def _consumption(data: Json, net: float, match: Json | None) -> float | None:
    if match is not None:
        average = _number(match, "energy_consumption", "average_consumption")
        if average:
            return average
    for rated in data.get("range", {}).get("rated", ()):
        factor = RANGE_TO_REAL.get(str(rated.get("cycle", "")))
        km = rated.get("range_km")
        if factor and isinstance(km, int | float) and km > 0:
            return net / km * 100.0 * factor
    return None


def _curve(
    match: Json | None, peak_kw: float
) -> tuple[tuple[CurvePoint, ...], CurveSource]:
    charger = (match or {}).get("dc_charger") or {}
    points = charger.get("charging_curve") or []
    if match is not None and not charger.get("is_default_charging_curve", True):
        curve = tuple(
            CurvePoint(float(p["percentage"]), float(p["power"]))
            for p in sorted(points, key=lambda p: p["percentage"])
        )
        if curve and curve[0].soc_percent <= 0 and curve[-1].soc_percent >= 100:
            return curve, CurveSource.OPEN_EV_DATA
    return generic_curve(peak_kw), CurveSource.GENERIC


def generic_curve(peak_kw: float) -> tuple[CurvePoint, ...]:
    """``GENERIC_SHAPE`` scaled to ``peak_kw``."""
    return tuple(
        CurvePoint(soc, round(peak_kw * share, 1)) for soc, share in GENERIC_SHAPE
    )


def _source(record: _Record, match: Json | None) -> str:
    titles = [
        str(s.get("title", ""))
        for s in record.data.get("sources", ())
        if isinstance(s, Mapping) and s.get("title")
    ]
    text = f"open-ev-data-dataset {record.path}"
    if titles:
        text += f" ({'; '.join(titles[:2])})"
    if match is not None:
        text += (
            f"; curve and consumption: Open EV Data {match.get('brand')} "
            f"{match.get('model')} {match.get('variant') or ''}".rstrip()
            + f" {match.get('release_year', '')}".rstrip()
        )
    return text


def _slug(make: str, model: str, variant: str) -> str:
    parts = [make, model.replace("_", "-")]
    if variant:
        parts.append(variant.replace("_", "-"))
    return "-".join(parts)


_HEADER = '''"""Vehicles imported from licensed open data (generated: do not edit).

Written by ``evroam vehicles import`` from the copies in
``recommend/vehicle_data/`` (SOURCE.md there); ``vehicle_import`` says how.
{credit}
"""

from evroam.catalogue.model import ConnectorStandard
from evroam.recommend.vehicle import CurvePoint, CurveSource, VehicleModel

GBT = frozenset({{ConnectorStandard.GBT_DC, ConnectorStandard.GBT_AC}})

IMPORTED: tuple[VehicleModel, ...] = (
'''


def _q(text: str) -> str:
    """A double-quoted Python string literal (what ``ruff format`` writes)."""
    return json.dumps(text, ensure_ascii=False)


def render_module(vehicles: Sequence[VehicleModel]) -> str:
    """The Python module holding ``vehicles`` (formatted as ``ruff format``
    leaves it, so the file the command writes is the file the tests check)."""
    out = [_HEADER.format(credit=CREDIT)]
    for v in vehicles:
        curve = "".join(
            f"            CurvePoint({p.soc_percent!r}, {p.power_kw!r}),\n"
            for p in v.dc_curve
        )
        swap = (
            "frozenset({" + ", ".join(_q(o) for o in sorted(v.swap_operator_ids)) + "})"
            if v.swap_operator_ids
            else "frozenset()"
        )
        out.append(
            "    VehicleModel(\n"
            f"        id={_q(v.id)},\n"
            f"        brand={_q(v.brand)},\n"
            f"        model={_q(v.model)},\n"
            f"        usable_battery_kwh={v.usable_battery_kwh!r},\n"
            f"        consumption_kwh_per_100km={v.consumption_kwh_per_100km!r},\n"
            f"        max_ac_kw={v.max_ac_kw!r},\n"
            f"        max_dc_kw={v.max_dc_kw!r},\n"
            f"        dc_curve=(\n{curve}        ),\n"
            "        connectors=GBT,\n"
            f"        pack_voltage_v={v.pack_voltage_v!r},\n"
            f"        swap_operator_ids={swap},\n"
            f"        source={_q(v.source)},\n"
            f"        is_extended_range={v.is_extended_range!r},\n"
            f"        licence={_q(v.licence)},\n"
            f"        curve_source=CurveSource.{v.curve_source.name},\n"
            "    ),\n"
        )
    out.append(")\n")
    return "".join(out)
