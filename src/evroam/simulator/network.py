"""One partner's generated network in memory: live pile status and swap stock.

Pure and deterministic: no I/O, no clock. Pile names follow one rule per
protocol (docs/simulators.md): T/CEC sends no StationID with a status push, so
each pile's ``external_uid`` becomes ``{StationID}{uid}`` (``S0001234E01``) and
is its ConnectorID; OCPI keeps the uid (unique within its Location) and the
simulator names the pile ``{location_id}/{evse_uid}``.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from evroam.scenario import Scenario, reference_scenario
from evroam.shared.geo import BoundingBox
from evroam.shared.ids import TariffId
from evroam.simulator.prices import CarPark, PriceList, price_list_of
from evroam.simulator.site import (
    Operator,
    PileState,
    Site,
    SitePile,
    SwapStock,
    operator_of,
    site_of,
)

# A tariff and a parking rule as the scenario generated them. The simulator
# reads them by attribute only (``simulator.prices``), for its own price list
# and car park fee; tests price with them on the hub's side.
PublishedTariff = Any
GeneratedParking = Any

OPERATOR_BY_PROFILE = {
    "swap": "swapway",
    "fast": "rapidgrid",
    "community": "neighbourly",
}


class NetworkProtocol(enum.StrEnum):
    """How the network names its piles: by protocol."""

    OCPI = "ocpi"
    TCEC = "tcec"


class UnknownPileError(LookupError):
    """No pile of this network has that name."""


class Bucket(enum.Enum):
    """Groups of piles the churn model draws from."""

    FREE = "free"  # charging piles that are available
    BUSY = "busy"  # charging piles that are occupied, charging or reserved
    DOWN = "down"  # charging piles that are offline, faulted or unknown
    BAY = "bay"  # swap bays, whatever their status


@dataclass(frozen=True, slots=True)
class PileRef:
    """Where a pile sits and what the hub calls it (``name``)."""

    index: int
    station_index: int
    position: int
    name: str
    is_dc: bool
    is_swap_bay: bool


@dataclass(frozen=True, slots=True)
class Change:
    """Pile ``pile`` (an index) has ``status`` from ``at``; ``swap`` is the new
    stock and queue of a swap bay's station, when that changed."""

    pile: int
    status: PileState
    at: datetime
    swap: SwapStock | None = None


class _IndexSet:
    """A set of ints with O(1) add, remove and uniform random choice."""

    __slots__ = ("_items", "_where")

    def __init__(self) -> None:
        self._items: list[int] = []
        self._where: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: int) -> None:
        if item not in self._where:
            self._where[item] = len(self._items)
            self._items.append(item)

    def discard(self, item: int) -> None:
        where = self._where.pop(item, None)
        if where is None:
            return
        last = self._items.pop()
        if last != item:
            self._items[where] = last
            self._where[last] = where

    def choice(self, rng: random.Random) -> int | None:
        if not self._items:
            return None
        return self._items[int(rng.random() * len(self._items))]


def _bucket_for(status: PileState, is_bay: bool) -> Bucket:
    if is_bay:
        return Bucket.BAY
    if status.is_free:
        return Bucket.FREE
    if status.is_busy:
        return Bucket.BUSY
    return Bucket.DOWN


def _renamed(station: Site, protocol: NetworkProtocol) -> Site:
    if protocol is not NetworkProtocol.TCEC:
        return station
    piles = tuple(
        replace(p, external_uid=f"{station.external_id}{p.external_uid}")
        for p in station.piles
    )
    return replace(station, piles=piles)


class SimulatedNetwork:
    """Stations as generated, plus the current status of every pile."""

    def __init__(
        self,
        operator: Operator,
        protocol: str,
        stations: Sequence[Site],
        tariffs: Mapping[TariffId, PublishedTariff],
        parking: Sequence[GeneratedParking] = (),
    ) -> None:
        self.operator = operator
        self.protocol = NetworkProtocol(protocol)
        self._stations = tuple(_renamed(s, self.protocol) for s in stations)
        self._parking = tuple(parking)
        self.tariffs = dict(tariffs)
        self._price_lists = {k: price_list_of(t) for k, t in self.tariffs.items()}
        self.tariffs_changed_at: datetime | None = None
        self.tariff_version = 0
        self._index = {s.external_id: i for i, s in enumerate(self._stations)}
        self.piles = tuple(self._pile_refs())
        self._by_name = {p.name: p for p in self.piles}
        self._status = [self._initial(p).status for p in self.piles]
        self._status_at = [self._initial_at(p) for p in self.piles]
        self._swap = {i: s.swap for i, s in enumerate(self._stations) if s.swap}
        self._station_at = [s.updated_at or self._latest(i) for i, s in self._iter()]
        self._buckets = {bucket: _IndexSet() for bucket in Bucket}
        for pile in self.piles:
            self._buckets[_bucket_for(self._status[pile.index], pile.is_swap_bay)].add(
                pile.index
            )

    @classmethod
    def from_scenario(
        cls,
        scenario: Scenario,
        operator_id: str,
        protocol: str,
        area: BoundingBox | None = None,
    ) -> SimulatedNetwork:
        """The operator's stations of ``scenario`` (only those inside ``area``)."""
        operator = next(op for op in scenario.operators if op.id == operator_id)
        generated = tuple(
            s
            for s in scenario.iter_stations(operator_id)
            if area is None or area.contains(s.lat, s.lon)
        )
        used = {s.tariff_id for s in generated}
        tariffs = {t.id: t for t in scenario.tariffs if t.id in used}
        return cls.of_generated(operator, protocol, generated, tariffs)

    @classmethod
    def of_generated(
        cls,
        operator: Any,
        protocol: str,
        stations: Sequence[Any],
        tariffs: Mapping[TariffId, PublishedTariff],
    ) -> SimulatedNetwork:
        """A network of generated stations and tariffs (the scenario's types,
        read by attribute: ``site.site_of``)."""
        sites = tuple(site_of(s) for s in stations)
        parking = tuple(s.parking for s in stations)
        return cls(operator_of(operator), protocol, sites, tariffs, parking)

    @classmethod
    def for_profile(
        cls,
        profile: str,
        protocol: str,
        seed: int,
        area: BoundingBox | None = None,
    ) -> SimulatedNetwork:
        """The profile's partner network from the reference scenario (a smaller
        one with ``area``: the same stations, ids and prices, fewer of them)."""
        scenario = reference_scenario(seed)
        operator_id = OPERATOR_BY_PROFILE[str(profile)]
        return cls.from_scenario(scenario, operator_id, protocol, area)

    # --- reading -------------------------------------------------------------

    @property
    def station_count(self) -> int:
        return len(self._stations)

    @property
    def pile_count(self) -> int:
        return len(self.piles)

    def status(self, pile: int) -> PileState:
        return self._status[pile]

    def status_at(self, pile: int) -> datetime:
        return self._status_at[pile]

    def swap_bay(self, station_index: int) -> SwapStock | None:
        return self._swap.get(station_index)

    def station_updated_at(self, station_index: int) -> datetime:
        """When anything about the station (a pile, its stock) last changed."""
        return self._station_at[station_index]

    def station(self, station_index: int) -> Site:
        """The station as it is now: live statuses and swap stock."""
        base = self._stations[station_index]
        first = self._first_pile[station_index]
        piles = tuple(
            replace(
                p, status=self._status[first + n], status_at=self._status_at[first + n]
            )
            for n, p in enumerate(base.piles)
        )
        return replace(
            base,
            piles=piles,
            swap=self._swap.get(station_index),
            updated_at=self._station_at[station_index],
        )

    def stations(self) -> Iterator[Site]:
        return (self.station(i) for i in range(len(self._stations)))

    def find_station(self, external_id: str) -> int | None:
        return self._index.get(external_id)

    def find_pile(self, name: str) -> PileRef | None:
        return self._by_name.get(name)

    def info_updated_at(self, station_index: int) -> datetime | None:
        """When the station's catalogue information (not its status) changed."""
        return self._stations[station_index].updated_at

    def pile_named(self, name: str) -> PileRef:
        """The pile the hub calls ``name``; ``UnknownPileError`` if none."""
        found = self._by_name.get(name)
        if found is None:
            raise UnknownPileError(name)
        return found

    def tariff_of(self, station_index: int) -> PublishedTariff:
        """The station's tariff as published (to the hub, on the wire)."""
        return self.tariffs[self._stations[station_index].tariff_id]

    def prices_of(self, station_index: int) -> PriceList:
        """The operator's own price list of the station: what it bills with."""
        return self._price_lists[self._stations[station_index].tariff_id]

    def raise_service_fee(self, per_kwh: Decimal, at: datetime) -> None:
        """Every tariff's service fee up by ``per_kwh`` from ``at`` (a price
        change the hub learns at its next sync)."""
        self.tariffs = {
            tariff_id: replace(
                tariff,
                prices=tuple(
                    replace(p, service_per_kwh=p.service_per_kwh + per_kwh)
                    for p in tariff.prices
                ),
            )
            for tariff_id, tariff in self.tariffs.items()
        }
        self._price_lists = {k: price_list_of(t) for k, t in self.tariffs.items()}
        self.tariff_version += 1
        self.tariffs_changed_at = at

    def parking_of(self, station_index: int) -> GeneratedParking:
        """The station's parking rule as the scenario generated it."""
        return self._parking[station_index]

    def car_park_of(self, station_index: int) -> CarPark:
        """The station's car park fee on the operator's own terms."""
        return self._stations[station_index].parking

    def pile_statuses(self) -> dict[str, PileState]:
        """``{pile name: status}``: the ground truth to compare the hub against."""
        return {p.name: self._status[p.index] for p in self.piles}

    def count_by_status(self) -> dict[PileState, int]:
        counts = dict.fromkeys(PileState, 0)
        for status in self._status:
            counts[status] += 1
        return counts

    def utilisation(self) -> float:
        """Busy share of the charging piles that are up (swap bays excluded)."""
        busy, free = len(self._buckets[Bucket.BUSY]), len(self._buckets[Bucket.FREE])
        return busy / (busy + free) if busy + free else 0.0

    def bucket_size(self, bucket: Bucket) -> int:
        return len(self._buckets[bucket])

    def sample(self, bucket: Bucket, rng: random.Random) -> int | None:
        """A uniformly drawn pile index from ``bucket``, or None if it is empty."""
        return self._buckets[bucket].choice(rng)

    # --- changing ------------------------------------------------------------

    def change_to(
        self, pile: int, status: str, at: datetime, swap: SwapStock | None = None
    ) -> Change:
        """A change of pile ``pile`` to the status named ``status`` at ``at``
        (``ValueError`` if the scenario knows no such status); ``swap``: the
        new stock and queue of a swap bay's station."""
        return Change(pile, PileState(status), at, swap)

    def apply(self, change: Change) -> None:
        pile = self.piles[change.pile]
        status = PileState(change.status)  # a caller may name it in its own words
        old = _bucket_for(self._status[pile.index], pile.is_swap_bay)
        new = _bucket_for(status, pile.is_swap_bay)
        if old is not new:
            self._buckets[old].discard(pile.index)
            self._buckets[new].add(pile.index)
        self._status[pile.index] = status
        self._status_at[pile.index] = change.at
        if change.swap is not None:
            self._swap[pile.station_index] = change.swap
        self._station_at[pile.station_index] = max(
            self._station_at[pile.station_index], change.at
        )

    # --- loading -------------------------------------------------------------

    def _iter(self) -> Iterator[tuple[int, Site]]:
        return enumerate(self._stations)

    def _pile_refs(self) -> Iterator[PileRef]:
        index = 0
        self._first_pile: list[int] = []
        for si, station in self._iter():
            self._first_pile.append(index)
            for position, pile in enumerate(station.piles):
                yield PileRef(
                    index=index,
                    station_index=si,
                    position=position,
                    name=self._name(station, pile.external_uid),
                    is_dc=pile.is_dc,
                    is_swap_bay=pile.is_swap_bay,
                )
                index += 1

    def _name(self, station: Site, uid: str) -> str:
        if self.protocol is NetworkProtocol.TCEC:
            return uid  # already {StationID}{uid}: the ConnectorID
        return f"{station.external_id}/{uid}"

    def _initial(self, pile: PileRef) -> SitePile:
        return self._stations[pile.station_index].piles[pile.position]

    def _initial_at(self, pile: PileRef) -> datetime:
        station = self._stations[pile.station_index]
        at = self._initial(pile).status_at or station.updated_at
        if at is None:
            raise ValueError(f"station {station.external_id} has no timestamps")
        return at

    def _latest(self, station_index: int) -> datetime:
        first = self._first_pile[station_index]
        count = len(self._stations[station_index].piles)
        return max(self._status_at[first : first + count])
