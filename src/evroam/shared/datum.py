"""Map datums: WGS-84 (what we store), GCJ-02 and BD-09 (what Chinese maps publish).

Chinese platforms publish coordinates in GCJ-02 (Amap, Tencent; T/CEC 102
partners by default) or BD-09 (Baidu): WGS-84 shifted by 300-700 m by a
published obfuscation inside mainland China. evroam stores WGS-84 only: a
partner's coordinates are converted on arrival (its ``datum`` setting) and a
map client on GCJ-02 tiles may ask for GCJ-02 (``?datum=gcj02``). ADR 0030.

The conversions are the maintained ``prcoords`` library's (CC0, the upstream of
``prcoords-typed``): GCJ-02 → WGS-84 uses its iterative inverse ("bored", about
0.1 mm), so a round trip stays far within 1 m. Outside mainland China no map
shifts coordinates, and none are converted.
"""

from __future__ import annotations

import enum
from typing import Any

import prcoords

# Taiwan publishes WGS-84: its box (no mainland coast lies inside it) is cut out
# of prcoords' rough box of China. Hong Kong and Macau are not: no box parts them
# from Shenzhen and Zhuhai, and a T/CEC partner there publishes as its Chinese
# map does (GCJ-02).
_TAIWAN = ((21.8, 25.4), (119.9, 122.1))  # (lat from, to), (lon from, to)


class Datum(enum.StrEnum):
    """A geodetic datum a partner or a map client speaks."""

    WGS84 = "wgs84"  # GPS, OpenStreetMap, OCPI
    GCJ02 = "gcj02"  # Amap, Tencent, T/CEC partners by default
    BD09 = "bd09"  # Baidu


def is_in_mainland_china(lat: float, lon: float) -> bool:
    """Inside the area where Chinese maps shift coordinates (GCJ-02, BD-09)."""
    if not prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)):
        return False
    (lat_from, lat_to), (lon_from, lon_to) = _TAIWAN
    return not (lat_from <= lat <= lat_to and lon_from <= lon <= lon_to)


# prcoords' conversions, by datum; the inverses are its iterative ("bored") ones.
_TO_WGS84 = {Datum.GCJ02: prcoords.gcj_wgs_bored, Datum.BD09: prcoords.bd_wgs_bored}
_FROM_WGS84 = {Datum.GCJ02: prcoords.wgs_gcj, Datum.BD09: prcoords.wgs_bd}


def to_wgs84(lat: float, lon: float, datum: Datum) -> tuple[float, float]:
    """``(lat, lon)`` given in ``datum`` as WGS-84 (unchanged outside China)."""
    return _convert(lat, lon, datum, _TO_WGS84)


def from_wgs84(lat: float, lon: float, datum: Datum) -> tuple[float, float]:
    """WGS-84 ``(lat, lon)`` as ``datum`` writes it (unchanged outside China)."""
    return _convert(lat, lon, datum, _FROM_WGS84)


def _convert(
    lat: float, lon: float, datum: Datum, table: dict[Datum, Any]
) -> tuple[float, float]:
    if datum is Datum.WGS84 or not is_in_mainland_china(lat, lon):
        return lat, lon
    moved = table[datum](prcoords.Coords(lat, lon), False)
    return float(moved.lat), float(moved.lon)


__all__ = ["Datum", "from_wgs84", "is_in_mainland_china", "to_wgs84"]
