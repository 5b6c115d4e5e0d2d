"""Streams the stations of one plan block, lazily and reproducibly."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from functools import cache

from evroam.catalogue.model import ParkingRule, Station
from evroam.scenario.cities import CITY_BY_KEY, City
from evroam.scenario.corridors import CORRIDORS, ServiceArea, service_areas
from evroam.scenario.piles import (
    COMMUNITY_PARKING,
    FREE_PARKING,
    HIGHWAY_PARKING,
    TABLE_SIZE,
    URBAN_PARKING,
    PileFactory,
)
from evroam.scenario.places import (
    Scatter,
    community_name,
    near,
    service_area_name,
    swap_city_name,
    urban_name,
)
from evroam.scenario.plan import Block, BlockKind, split_sizes
from evroam.scenario.profiles import NetworkProfile, SiteStyle
from evroam.scenario.tariffs import tariff_id_for
from evroam.shared.ids import station_id_for

SITE_OFFSET_KM = 0.3  # stations at one service area sit within 300 m of its point


@cache
def area_by_id() -> dict[str, ServiceArea]:
    return {area.id: area for area in service_areas()}


_ROAD_ZH = {corridor.code: corridor.name_zh for corridor in CORRIDORS}


def block_seed(seed: int, block: Block) -> str:
    return f"{seed}:{block.operator_id}:{block.kind}:{block.city_key}"


def block_provinces(block: Block) -> frozenset[str]:
    if block.city_key:
        return frozenset({CITY_BY_KEY[block.city_key].province})
    areas = area_by_id()
    return frozenset(CITY_BY_KEY[areas[a].city_key].province for a in block.area_ids)


def stream_block(
    seed: int, block: Block, profile: NetworkProfile, generated_at: datetime
) -> Iterator[Station]:
    rng = random.Random(block_seed(seed, block))
    if block.kind in (BlockKind.AREA, BlockKind.AREA_SWAP):
        mix = profile.area_mix or profile.mix.dc_only()
        factory = PileFactory(rng, mix, generated_at)
        return _area_stations(rng, block, profile, factory, generated_at)
    factory = PileFactory(rng, profile.mix, generated_at)
    return _city_stations(rng, block, profile, factory, generated_at)


def _external_id(number: int) -> str:
    return f"S{number:07d}"


def _parking(rng: random.Random, style: SiteStyle) -> ParkingRule:
    table = COMMUNITY_PARKING if style is SiteStyle.COMMUNITY else URBAN_PARKING
    return table[int(rng.random() * TABLE_SIZE)]


def _city_stations(
    rng: random.Random,
    block: Block,
    profile: NetworkProfile,
    factory: PileFactory,
    at: datetime,
) -> Iterator[Station]:
    city = CITY_BY_KEY[block.city_key]
    scatter = Scatter(city, profile.core_factor)
    op = profile.operator
    variants = profile.tariff_variants
    style = SiteStyle.SWAP if block.is_swap else profile.style
    tags = _tags(style, city)
    sizes = split_sizes(rng, block.piles, block.stations, block.size_bounds)
    for offset, size in enumerate(sizes):
        external = _external_id(block.first_number + offset)
        station_id = station_id_for(op.id, external)
        lat, lon = scatter.point(rng)
        name, address = _city_label(rng, style, op.name, city)
        tariff = tariff_id_for(op.id, city.province, rng.randint(1, variants))
        if block.is_swap:
            piles, swap = factory.swap(station_id)
            parking = FREE_PARKING
        else:
            piles, swap = factory.charging(station_id, size), None
            parking = _parking(rng, style)
        yield Station(
            station_id, op.id, external, name, address, city.name, lat, lon,
            tariff, parking, piles, swap=swap, updated_at=at, tags=tags,
        )  # fmt: skip


def _city_label(
    rng: random.Random, style: SiteStyle, operator: str, city: City
) -> tuple[str, str]:
    if style is SiteStyle.SWAP:
        return swap_city_name(rng, operator, city)
    if style is SiteStyle.COMMUNITY:
        return community_name(rng, operator, city)
    return urban_name(rng, operator, city)


def _tags(style: SiteStyle, city: City) -> tuple[str, ...]:
    return (style.value, f"tier:{city.tier.value}", f"province:{city.province}")


def _area_stations(
    rng: random.Random,
    block: Block,
    profile: NetworkProfile,
    factory: PileFactory,
    at: datetime,
) -> Iterator[Station]:
    areas = area_by_id()
    op = profile.operator
    sizes = split_sizes(rng, block.piles, block.stations, block.size_bounds)
    for offset, (area_id, size) in enumerate(zip(block.area_ids, sizes, strict=True)):
        area = areas[area_id]
        city = CITY_BY_KEY[area.city_key]
        external = _external_id(block.first_number + offset)
        station_id = station_id_for(op.id, external)
        lat, lon = near(rng, area.lat, area.lon, SITE_OFFSET_KM)
        name, address = service_area_name(
            op.name, city, area, _ROAD_ZH[area.corridor], block.is_swap
        )
        variant = rng.randint(1, profile.tariff_variants)
        tariff = tariff_id_for(op.id, city.province, variant)
        if block.is_swap:
            piles, swap = factory.swap(station_id)
        else:
            piles, swap = factory.charging(station_id, size), None
        parking = HIGHWAY_PARKING[int(rng.random() * TABLE_SIZE)]
        tags = ("expressway", f"service-area:{area.id}", f"province:{city.province}")
        yield Station(
            station_id, op.id, external, name, address, city.name, lat, lon,
            tariff, FREE_PARKING if swap else parking, piles, swap=swap,
            updated_at=at, tags=tags,
        )  # fmt: skip
