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


def to_wgs84(lat: float, lon: float, datum: Datum) -> tuple[float, float]:
    """``(lat, lon)`` given in ``datum`` as WGS-84 (unchanged outside China)."""
    if datum is Datum.WGS84 or not is_in_mainland_china(lat, lon):
        return lat, lon
    point = prcoords.Coords(lat, lon)
    if datum is Datum.GCJ02:
        wgs = prcoords.gcj_wgs_bored(point, False)
    else:
        wgs = prcoords.bd_wgs_bored(point, False)
    return float(wgs.lat), float(wgs.lon)


def from_wgs84(lat: float, lon: float, datum: Datum) -> tuple[float, float]:
    """WGS-84 ``(lat, lon)`` as ``datum`` writes it (unchanged outside China)."""
    if datum is Datum.WGS84 or not is_in_mainland_china(lat, lon):
        return lat, lon
    point = prcoords.Coords(lat, lon)
    if datum is Datum.GCJ02:
        shifted = prcoords.wgs_gcj(point, False)
    else:
        shifted = prcoords.wgs_bd(point, False)
    return float(shifted.lat), float(shifted.lon)


__all__ = ["Datum", "from_wgs84", "is_in_mainland_china", "to_wgs84"]
