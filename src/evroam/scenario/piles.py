"""Pile kinds, generation-time statuses and parking rules, built fast from tables."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from evroam.catalogue.model import (
    Connector,
    ConnectorStandard,
    ParkingRule,
    Pile,
    PileStatus,
    PowerType,
    SwapBay,
)
from evroam.shared.ids import pile_id_for
from evroam.shared.money import Money

T = TypeVar("T")

TABLE_SIZE = 1000  # weighted choices are drawn from 1000-slot lookup tables


def dc(power_kw: float) -> tuple[Connector, ...]:
    return (Connector(ConnectorStandard.GBT_DC, float(power_kw), PowerType.DC),)


def ac(power_kw: float) -> tuple[Connector, ...]:
    return (Connector(ConnectorStandard.GBT_AC, float(power_kw), PowerType.AC),)


SWAP_CONNECTORS = (Connector(ConnectorStandard.SWAP, 0.0, PowerType.DC),)


@dataclass(frozen=True, slots=True)
class PileMix:
    """Weighted pile kinds; each kind is a shared, immutable connector tuple."""

    kinds: tuple[tuple[float, tuple[Connector, ...]], ...]

    def table(self) -> tuple[tuple[Connector, ...], ...]:
        return weighted_table(self.kinds)

    def dc_only(self) -> PileMix:
        """The DC part of the mix (expressway sites have no slow chargers)."""
        kinds = tuple((w, k) for w, k in self.kinds if k[0].power_type is PowerType.DC)
        return PileMix(kinds) if kinds else self


def weighted_table(weighted: tuple[tuple[float, T], ...]) -> tuple[T, ...]:
    """A lookup table: ``table[int(rng.random() * TABLE_SIZE)]`` draws by weight."""
    total = sum(w for w, _ in weighted)
    table: list[T] = []
    cumulative = 0.0
    for weight, item in weighted:
        cumulative += weight
        while len(table) < round(cumulative / total * TABLE_SIZE):
            table.append(item)
    return tuple(table)


# ~2 % of piles offline or faulted at generation time, most of the rest free.
_STATUS_WEIGHTS = (
    (70.0, PileStatus.AVAILABLE),
    (21.0, PileStatus.CHARGING),
    (6.0, PileStatus.OCCUPIED),
    (1.0, PileStatus.RESERVED),
    (1.2, PileStatus.OFFLINE),
    (0.8, PileStatus.FAULTED),
)
STATUS_TABLE: tuple[PileStatus, ...] = weighted_table(_STATUS_WEIGHTS)


class PileFactory:
    """Builds a station's piles; one instance per stream, tables shared."""

    __slots__ = ("_at", "_kinds", "_rng")

    def __init__(self, rng: random.Random, mix: PileMix, at: datetime) -> None:
        self._rng = rng
        self._kinds = mix.table()
        self._at = at

    def charging(self, station_id: str, count: int) -> tuple[Pile, ...]:
        rnd = self._rng.random
        kinds, statuses, at = self._kinds, STATUS_TABLE, self._at
        # Piles of one station are mostly of one kind (bought together).
        main = kinds[int(rnd() * TABLE_SIZE)]
        piles = []
        for n in range(1, count + 1):
            uid = f"E{n:02d}"
            connectors = main if rnd() < 0.8 else kinds[int(rnd() * TABLE_SIZE)]
            status = statuses[int(rnd() * TABLE_SIZE)]
            piles.append(
                Pile(pile_id_for(station_id, uid), uid, connectors, status, at)
            )
        return tuple(piles)

    def swap(self, station_id: str) -> tuple[tuple[Pile, ...], SwapBay]:
        rng = self._rng
        stock = rng.randint(0, 13)
        queue = rng.randint(0, 4) if stock < 4 else rng.choice((0, 0, 0, 0, 0, 1, 2))
        if rng.random() < 0.02:
            status = PileStatus.OFFLINE
        elif stock == 0 or queue:
            status = PileStatus.OCCUPIED
        else:
            status = PileStatus.AVAILABLE
        pile = Pile(
            pile_id_for(station_id, "E01"), "E01", SWAP_CONNECTORS, status, self._at
        )
        return (pile,), SwapBay(stock, queue)


def _rule(free_minutes: int, fee: str, cap: str | None = None) -> ParkingRule:
    return ParkingRule(
        free_minutes, Money.of(fee), Money.of(cap) if cap is not None else None
    )


FREE_PARKING = _rule(0, "0")

# Urban lots charge by the hour after a free period; some cap the day.
URBAN_PARKING = weighted_table(
    (
        (3.0, _rule(120, "0")),
        (2.0, _rule(0, "5", "50")),
        (2.0, _rule(30, "6")),
        (3.0, _rule(60, "5", "40")),
        (2.0, _rule(120, "8", "60")),
        (1.0, _rule(30, "10")),
        (2.0, _rule(60, "3")),
    )
)
# Residential compounds: mostly free or a small fee after a long free period.
COMMUNITY_PARKING = weighted_table(
    (
        (5.0, _rule(0, "0")),
        (3.0, _rule(120, "2", "20")),
        (2.0, _rule(60, "3")),
        (1.0, _rule(30, "4", "30")),
    )
)
# Expressway service areas are free to park in.
HIGHWAY_PARKING = weighted_table(((9.0, FREE_PARKING), (1.0, _rule(120, "0"))))
