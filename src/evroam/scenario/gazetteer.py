"""Place search over the scenario's provinces, cities, districts and expressways.

A driver types Chinese (上海, 浦东), pinyin with or without spaces or tones
(shanghai, pu dong, sh) or English (Shanghai); each place is indexed under all
of them. Districts carry no coordinates of their own in the scenario, so one
leads to its city's centre (docs/map.md).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from pypinyin import Style, lazy_pinyin

from evroam.scenario.cities import CITIES, CITY_BY_KEY, PROVINCES, City
from evroam.scenario.corridors import CORRIDORS
from evroam.scenario.places import CITY_DISTRICTS
from evroam.shared.geo import distance_m


class PlaceKind(enum.StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    CORRIDOR = "corridor"


_ZOOM = {
    PlaceKind.PROVINCE: 7,
    PlaceKind.CITY: 11,
    PlaceKind.DISTRICT: 12,
    PlaceKind.CORRIDOR: 7,
}
_SUFFIXES = ("省", "市", "区", "新区", "自治区", "街道")


@dataclass(frozen=True, slots=True)
class Place:
    kind: PlaceKind
    key: str
    name: str
    name_zh: str
    lat: float
    lon: float
    context: str = ""  # the city or province it lies in, in Chinese
    rank: int = 9  # smaller comes first among equal matches (city tier)

    @property
    def zoom(self) -> int:
        return _ZOOM[self.kind]


@dataclass(frozen=True, slots=True)
class _Entry:
    place: Place
    keys: tuple[str, ...]  # normalised forms: Chinese, full pinyin, initials, English


def normalise(text: str) -> str:
    """Lower case without spaces, apostrophes, hyphens or tone marks' digits."""
    return re.sub(r"[\s'\u2019\-·_.0-9]+", "", text.lower())


def _pinyin(zh: str) -> tuple[str, str]:
    stem = zh
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if len(stem) > len(suffix) + 1 and stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    full = "".join(lazy_pinyin(stem))
    initials = "".join(lazy_pinyin(stem, style=Style.FIRST_LETTER))
    return full, initials


def _entry(place: Place) -> _Entry:
    full, initials = _pinyin(place.name_zh)
    keys = (normalise(place.name_zh), full, initials, normalise(place.name))
    return _Entry(place, keys)


def _places() -> Iterable[Place]:
    tier_rank = {"1": 0, "new 1": 1, "2": 2, "3": 3, "4": 4}
    for code, province in PROVINCES.items():
        members = [c for c in CITIES if c.province == code]
        if not members or province.is_municipality:
            continue
        lat = sum(c.lat for c in members) / len(members)
        lon = sum(c.lon for c in members) / len(members)
        yield Place(PlaceKind.PROVINCE, code, province.name, province.name_zh, lat, lon)
    for city in CITIES:
        yield Place(
            PlaceKind.CITY,
            city.key,
            city.name,
            city.name_zh,
            city.lat,
            city.lon,
            PROVINCES[city.province].name_zh,
            tier_rank.get(city.tier.value, 5),
        )
    for city_key, districts in CITY_DISTRICTS.items():
        city = CITY_BY_KEY[city_key]
        for zh in districts:
            yield _district(city, zh)
    for corridor in CORRIDORS:
        first = corridor.legs[0]
        middle = CITY_BY_KEY[first[len(first) // 2]]
        name = f"{corridor.code} {corridor.name}"
        yield Place(
            PlaceKind.CORRIDOR,
            corridor.code,
            name,
            corridor.name_zh,
            middle.lat,
            middle.lon,
            corridor.code,
        )


def _district(city: City, zh: str) -> Place:
    full, _ = _pinyin(zh)
    return Place(
        PlaceKind.DISTRICT,
        f"{city.key}:{zh}",
        full.capitalize(),
        zh,
        city.lat,
        city.lon,
        city.name_zh,
        6,
    )


@cache
def _index() -> tuple[_Entry, ...]:
    return tuple(_entry(p) for p in _places())


def search_places(
    text: str, near: tuple[float, float] | None = None, limit: int = 8
) -> Sequence[Place]:
    """Places whose name matches ``text``: exact, then prefix, then inside a name;
    ties by kind and tier, then by distance from ``near`` (lat, lon)."""
    wanted = normalise(text)
    if not wanted:
        return []
    scored: list[tuple[int, int, float, str, Place]] = []
    for entry in _index():
        quality = _match(wanted, entry.keys)
        if quality is None:
            continue
        p = entry.place
        far = distance_m(near[0], near[1], p.lat, p.lon) if near else 0.0
        scored.append((quality, p.rank, far, p.key, p))
    scored.sort(key=lambda row: row[:4])
    return [row[4] for row in scored[:limit]]


def _match(wanted: str, keys: tuple[str, ...]) -> int | None:
    zh, full, initials, english = keys
    if wanted in (zh, full, english):
        return 0
    if zh.startswith(wanted) or full.startswith(wanted) or english.startswith(wanted):
        return 1
    if len(wanted) >= 2 and initials.startswith(wanted):
        return 2
    if len(wanted) >= 2 and (wanted in zh or wanted in english or wanted in full):
        return 3
    return None
