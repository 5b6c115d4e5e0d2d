"""The plan of a scenario: exact pile and station budgets per operator and place."""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from evroam.scenario.cities import CITIES, City
from evroam.scenario.profiles import NetworkProfile
from evroam.shared.ids import OperatorId


class BlockKind(enum.StrEnum):
    CITY = "city"  # charging stations scattered over one city
    CITY_SWAP = "city_swap"  # swap stations scattered over one city
    AREA = "area"  # one charging station at each listed service area
    AREA_SWAP = "area_swap"  # one swap station at each listed service area


@dataclass(frozen=True, slots=True)
class Block:
    """A run of stations generated from one seed; budgets are exact."""

    operator_id: OperatorId
    kind: BlockKind
    city_key: str  # "" for service-area blocks
    area_ids: tuple[str, ...]
    stations: int
    piles: int
    size_bounds: tuple[int, int] = (1, 1)  # smallest and largest station, in piles
    first_number: int = 1  # partner station number of the block's first station

    @property
    def is_swap(self) -> bool:
        return self.kind in (BlockKind.CITY_SWAP, BlockKind.AREA_SWAP)


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, exact sum)."""
    weight_sum = sum(weights)
    if total == 0 or weight_sum <= 0:
        return [0] * len(weights)
    shares = [total * w / weight_sum for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def station_count(piles: int, profile: NetworkProfile) -> int:
    """How many stations carry ``piles`` at the profile's mean size, within bounds."""
    low, high = profile.station_piles
    wanted = round(piles / profile.mean_piles)
    return max(math.ceil(piles / high), min(wanted, max(1, piles // low)))


def split_sizes(
    rng: random.Random, piles: int, stations: int, bounds: tuple[int, int]
) -> list[int]:
    """Station sizes that sum to ``piles``, spread within ``bounds`` by random
    pairwise moves (each move keeps the sum)."""
    low, high = bounds
    base, extra = divmod(piles, stations)
    sizes = [base + (1 if i < extra else 0) for i in range(stations)]
    if stations < 2:
        return sizes
    for i in range(stations):
        j = rng.randrange(stations)
        give = min(sizes[i] - low, high - sizes[j])
        if give > 0 and i != j:
            moved = rng.randint(0, give)
            sizes[i] -= moved
            sizes[j] += moved
    return sizes


def city_weights(
    rng: random.Random, profile: NetworkProfile, cities: Iterable[City] = CITIES
) -> tuple[list[City], list[float]]:
    """Cities the profile builds in, weighted by tier with a seeded ±25 % jitter."""
    tier_weight = dict(profile.tier_weights)
    chosen = [c for c in cities if c.tier in tier_weight]
    weights = [tier_weight[c.tier] * rng.uniform(0.75, 1.25) for c in chosen]
    return chosen, weights


def city_blocks(
    rng: random.Random, profile: NetworkProfile, piles: int, kind: BlockKind
) -> list[Block]:
    cities, weights = city_weights(rng, profile)
    blocks = []
    for city, share in zip(cities, apportion(piles, weights), strict=True):
        if share == 0:
            continue
        if kind is BlockKind.CITY_SWAP:
            blocks.append(Block(profile.id, kind, city.key, (), share, share))
            continue
        stations = station_count(share, profile)
        blocks.append(
            Block(
                profile.id, kind, city.key, (), stations, share, profile.station_piles
            )
        )
    return blocks


def area_block(
    profile: NetworkProfile,
    area_ids: tuple[str, ...],
    kind: BlockKind,
    size_bounds: tuple[int, int] = (1, 1),
) -> Block:
    """One station per service area; charging stations get the bounds' mean size."""
    low, high = size_bounds
    piles = len(area_ids) * (low + high) // 2
    return Block(profile.id, kind, "", area_ids, len(area_ids), piles, size_bounds)


def numbered(blocks: Iterable[Block]) -> tuple[Block, ...]:
    """Give each block its first partner station number, counting per operator."""
    next_number: dict[str, int] = {}
    out = []
    for block in blocks:
        first = next_number.get(block.operator_id, 1)
        out.append(replace(block, first_number=first))
        next_number[block.operator_id] = first + block.stations
    return tuple(out)
