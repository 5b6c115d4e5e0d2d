"""The reference and national scenarios: deterministic, streamed, synthetic."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from evroam.catalogue.model import Operator, Station
from evroam.pricing.tariff import Tariff
from evroam.scenario.corridors import service_areas
from evroam.scenario.plan import Block, BlockKind, area_block, city_blocks, numbered
from evroam.scenario.profiles import (
    NATIONAL_PROFILES,
    NEIGHBOURLY,
    PROVGRID,
    RAPIDGRID,
    REFERENCE_PROFILES,
    SWAPWAY,
    VOLTHARBOUR,
    NetworkProfile,
)
from evroam.scenario.stations import block_provinces, stream_block
from evroam.scenario.tariffs import build_tariffs

GENERATION_EPOCH = datetime(2024, 11, 1, tzinfo=UTC)
SCENARIO_VERSION = 2
"""Bumped whenever the same seed gives a different network. 2: the urban fast
and community partners build at expressway service areas (docs/scenario.md)."""

# Reference figures from the public late-2024 announcement (see docs/scenario.md).
SWAPWAY_PILES = 14_000
SWAPWAY_SWAP_STATIONS = 3_000
RAPIDGRID_PILES = 9_000
NEIGHBOURLY_PILES = 6_000
SWAP_AREA_COVERAGE = 0.85
SWAP_SITES_WITH_CHARGERS = 0.3
SWAP_SITE_CHARGERS = (2, 4)
# Partner DC sites at expressway service areas (docs/scenario.md gives the
# sources): the Xpeng-like network at every other service area of the trunk
# corridors its real model opened first, the Li Auto-like one at every fifth
# service area of every corridor (about 20 %).
RAPIDGRID_AREA_CORRIDORS = frozenset({"G1", "G2", "G3", "G4", "G15", "G60", "G65"})
RAPIDGRID_AREA_EVERY, RAPIDGRID_AREA_PILES = 2, (4, 6)
NEIGHBOURLY_AREA_EVERY, NEIGHBOURLY_AREA_PILES = 5, (3, 5)

NATIONAL_PILES = {
    PROVGRID.id: 300_000,
    VOLTHARBOUR.id: 420_000,
    "starfield": 380_000,
    "cloudquick": 250_000,
    "urbanhub": 141_000,
    "greenway": 80_000,
}
PROVGRID_AREA_SHARE, PROVGRID_AREA_PILES = 0.95, (4, 10)
VOLTHARBOUR_AREA_SHARE, VOLTHARBOUR_AREA_PILES = 0.4, (4, 8)

_PROFILES = {profile.id: profile for profile in NATIONAL_PROFILES}


@dataclass(frozen=True, slots=True)
class Scenario:
    """A generated network. Stations are streamed from ``blocks``, never stored."""

    name: str
    seed: int
    generated_at: datetime
    operators: tuple[Operator, ...]
    tariffs: tuple[Tariff, ...]
    expected_piles: int
    expected_stations: int | None
    covered_service_area_ids: tuple[str, ...]  # service areas with a swap station
    service_area_count: int
    blocks: tuple[Block, ...] = field(repr=False)
    version: int = SCENARIO_VERSION

    @property
    def swap_service_area_coverage(self) -> float:
        """Share of modelled expressway service areas with a swap station."""
        return len(self.covered_service_area_ids) / self.service_area_count

    def expected_piles_by_operator(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for block in self.blocks:
            totals[block.operator_id] = totals.get(block.operator_id, 0) + block.piles
        return totals

    def iter_stations(self, operator_id: str | None = None) -> Iterator[Station]:
        """Every station (or one operator's), same sequence for the same seed."""
        for block in self.blocks:
            if operator_id is None or block.operator_id == operator_id:
                profile = _PROFILES[block.operator_id]
                yield from stream_block(self.seed, block, profile, self.generated_at)


def _swapway_blocks(rng: random.Random) -> list[Block]:
    """3,000 swap stations (85 % of service areas, the rest in cities) and
    11,000 charging piles, some of them next to service-area swap stations."""
    areas = [area.id for area in service_areas()]
    chosen = set(rng.sample(areas, round(len(areas) * SWAP_AREA_COVERAGE)))
    covered = tuple(a for a in areas if a in chosen)
    with_chargers = set(
        rng.sample(covered, round(len(covered) * SWAP_SITES_WITH_CHARGERS))
    )
    charger_areas = tuple(a for a in covered if a in with_chargers)
    swap = area_block(SWAPWAY, covered, BlockKind.AREA_SWAP)
    chargers = area_block(SWAPWAY, charger_areas, BlockKind.AREA, SWAP_SITE_CHARGERS)
    city_swaps = SWAPWAY_SWAP_STATIONS - swap.piles
    city_charging = SWAPWAY_PILES - SWAPWAY_SWAP_STATIONS - chargers.piles
    return [
        swap,
        *city_blocks(rng, SWAPWAY, city_swaps, BlockKind.CITY_SWAP),
        chargers,
        *city_blocks(rng, SWAPWAY, city_charging, BlockKind.CITY),
    ]


def spaced_areas(
    key: str, every: int, corridors: frozenset[str] | None = None
) -> tuple[str, ...]:
    """Every ``every``-th service area along each corridor (of ``corridors``, or
    all), from a seeded offset per corridor: sites spread out the way a network
    building along expressways spaces them, never two neighbours then a gap."""
    rng = random.Random(key)
    by_corridor: dict[str, list[str]] = {}
    for area in service_areas():
        if corridors is None or area.corridor in corridors:
            by_corridor.setdefault(area.corridor, []).append(area.id)
    chosen: list[str] = []
    for ids in by_corridor.values():
        offset = rng.randrange(every)
        chosen += [a for i, a in enumerate(ids) if i % every == offset]
    return tuple(chosen)


def _partner_with_areas(
    rng: random.Random,
    profile: NetworkProfile,
    total: int,
    areas: tuple[str, ...],
    bounds: tuple[int, int],
) -> list[Block]:
    """City stations first (their station numbers stay put), then one DC site at
    each chosen service area, the piles taken from the city budget."""
    sites = area_block(profile, areas, BlockKind.AREA, bounds)
    return [*city_blocks(rng, profile, total - sites.piles, BlockKind.CITY), sites]


def _reference_blocks(seed: int) -> list[Block]:
    rng = random.Random(f"{seed}:plan")
    swapway = _swapway_blocks(rng)
    rapid_areas = spaced_areas(
        f"{seed}:areas:{RAPIDGRID.id}", RAPIDGRID_AREA_EVERY, RAPIDGRID_AREA_CORRIDORS
    )
    community_areas = spaced_areas(
        f"{seed}:areas:{NEIGHBOURLY.id}", NEIGHBOURLY_AREA_EVERY
    )
    return [
        *swapway,
        *_partner_with_areas(
            rng, RAPIDGRID, RAPIDGRID_PILES, rapid_areas, RAPIDGRID_AREA_PILES
        ),
        *_partner_with_areas(
            rng,
            NEIGHBOURLY,
            NEIGHBOURLY_PILES,
            community_areas,
            NEIGHBOURLY_AREA_PILES,
        ),
    ]


def _with_corridor(
    rng: random.Random,
    profile: NetworkProfile,
    total: int,
    share: float,
    bounds: tuple[int, int],
) -> list[Block]:
    areas = [area.id for area in service_areas()]
    chosen = set(rng.sample(areas, round(len(areas) * share)))
    block = area_block(
        profile, tuple(a for a in areas if a in chosen), BlockKind.AREA, bounds
    )
    return [block, *city_blocks(rng, profile, total - block.piles, BlockKind.CITY)]


def _national_blocks(seed: int) -> list[Block]:
    blocks = _reference_blocks(seed)
    rng = random.Random(f"{seed}:national-plan")
    for profile in NATIONAL_PROFILES[len(REFERENCE_PROFILES) :]:
        total = NATIONAL_PILES[profile.id]
        if profile is PROVGRID:
            blocks += _with_corridor(
                rng, profile, total, PROVGRID_AREA_SHARE, PROVGRID_AREA_PILES
            )
        elif profile is VOLTHARBOUR:
            blocks += _with_corridor(
                rng, profile, total, VOLTHARBOUR_AREA_SHARE, VOLTHARBOUR_AREA_PILES
            )
        else:
            blocks += city_blocks(rng, profile, total, BlockKind.CITY)
    return blocks


def _scenario(
    name: str,
    seed: int,
    generated_at: datetime,
    profiles: tuple[NetworkProfile, ...],
    blocks: list[Block],
) -> Scenario:
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    planned = numbered(blocks)
    tariffs: list[Tariff] = []
    for profile in profiles:
        provinces = frozenset().union(
            *(block_provinces(b) for b in planned if b.operator_id == profile.id)
        )
        tariffs += build_tariffs(seed, profile, provinces)
    swap_areas = next(b for b in planned if b.kind is BlockKind.AREA_SWAP)
    return Scenario(
        name=name,
        seed=seed,
        generated_at=generated_at.astimezone(UTC),
        operators=tuple(p.operator for p in profiles),
        tariffs=tuple(tariffs),
        expected_piles=sum(b.piles for b in planned),
        expected_stations=sum(b.stations for b in planned),
        covered_service_area_ids=swap_areas.area_ids,
        service_area_count=len(service_areas()),
        blocks=planned,
    )


def reference_scenario(
    seed: int, generated_at: datetime = GENERATION_EPOCH
) -> Scenario:
    """The three partner networks of the reference scenario (29,000 piles)."""
    blocks = _reference_blocks(seed)
    return _scenario("reference", seed, generated_at, REFERENCE_PROFILES, blocks)


def national_scenario(seed: int, generated_at: datetime = GENERATION_EPOCH) -> Scenario:
    """A national public network (~1.6 M piles, ~300 k stations), streamed."""
    blocks = _national_blocks(seed)
    return _scenario("national", seed, generated_at, NATIONAL_PROFILES, blocks)
