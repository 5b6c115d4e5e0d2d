"""The charging network as drivers see it: operators, stations, piles, connectors."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from evroam.shared.ids import OperatorId, PileId, StationId, TariffId
from evroam.shared.money import Money

DEFAULT_TIME_ZONE = "Asia/Shanghai"


class ConnectorStandard(enum.StrEnum):
    """Plug standards; ``swap`` stands for a battery-swap bay."""

    GBT_DC = "gbt_dc"
    GBT_AC = "gbt_ac"
    CCS2 = "ccs2"
    TYPE2 = "type2"
    CHADEMO = "chademo"
    NACS = "nacs"
    SWAP = "swap"

    @property
    def bit(self) -> int:
        """A stable bit for bitmask filters (order of declaration)."""
        return _CONNECTOR_BITS[self]

    @classmethod
    def from_mask(cls, mask: int) -> frozenset[ConnectorStandard]:
        """The standards whose bits are set in ``mask``."""
        found = _MASKS.get(mask)
        if found is None:
            found = frozenset(s for s, bit in _CONNECTOR_BITS.items() if mask & bit)
            _MASKS[mask] = found
        return found


_CONNECTOR_BITS = {standard: 1 << i for i, standard in enumerate(ConnectorStandard)}
_MASKS: dict[int, frozenset[ConnectorStandard]] = {}


class PowerType(enum.StrEnum):
    AC = "ac"
    DC = "dc"


class StatusCategory(enum.StrEnum):
    """What the map colours by."""

    FREE = "free"
    BUSY = "busy"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


class PileStatus(enum.StrEnum):
    """Live status of one pile, a superset of OCPI EVSE status and T/CEC codes."""

    AVAILABLE = "available"
    OCCUPIED = "occupied"  # plugged in, not charging
    CHARGING = "charging"
    RESERVED = "reserved"
    OFFLINE = "offline"
    FAULTED = "faulted"
    UNKNOWN = "unknown"

    @property
    def category(self) -> StatusCategory:
        return _CATEGORY[self]


_CATEGORY = {
    PileStatus.AVAILABLE: StatusCategory.FREE,
    PileStatus.OCCUPIED: StatusCategory.BUSY,
    PileStatus.CHARGING: StatusCategory.BUSY,
    PileStatus.RESERVED: StatusCategory.BUSY,
    PileStatus.OFFLINE: StatusCategory.OFFLINE,
    PileStatus.FAULTED: StatusCategory.OFFLINE,
    PileStatus.UNKNOWN: StatusCategory.UNKNOWN,
}


class OperatorProfile(enum.StrEnum):
    """The three partner profiles of the reference scenario."""

    SWAP = "swap"  # swap-heavy national network
    FAST = "fast"  # urban DC-fast network
    COMMUNITY = "community"  # community AC network


class Protocol(enum.StrEnum):
    OCPI = "ocpi"
    TCEC = "tcec"
    DIRECT = "direct"  # loaded straight from a generated scenario, no protocol


@dataclass(frozen=True, slots=True)
class Operator:
    id: OperatorId
    name: str
    profile: OperatorProfile
    protocol: Protocol = Protocol.DIRECT
    country_code: str = "CN"
    party_id: str = ""


@dataclass(frozen=True, slots=True)
class Connector:
    standard: ConnectorStandard
    max_power_kw: float
    power_type: PowerType


@dataclass(frozen=True, slots=True)
class Pile:
    """One pile (OCPI EVSE, T/CEC Equipment); a swap station is one pile-equivalent."""

    id: PileId
    external_uid: str
    connectors: tuple[Connector, ...]
    status: PileStatus = PileStatus.UNKNOWN
    status_at: datetime | None = None
    # The partner takes reservations here (OCPI EVSE capability RESERVABLE).
    is_reservable: bool = False

    @property
    def max_power_kw(self) -> float:
        return max((c.max_power_kw for c in self.connectors), default=0.0)


@dataclass(frozen=True, slots=True)
class ParkingRule:
    """Parking fee after a free period; ``daily_cap`` bounds a day's fee."""

    free_minutes: int
    fee_per_hour: Money
    daily_cap: Money | None = None

    @property
    def is_free(self) -> bool:
        return self.fee_per_hour.amount == Decimal(0)


@dataclass(frozen=True, slots=True)
class SwapBay:
    """Battery-swap state of a swap station."""

    batteries_in_stock: int
    queue_length: int
    swap_minutes: int = 3


@dataclass(frozen=True, slots=True)
class Station:
    id: StationId
    operator_id: OperatorId
    external_id: str
    name: str
    address: str
    city: str
    lat: float
    lon: float
    tariff_id: TariffId
    parking: ParkingRule
    piles: tuple[Pile, ...]
    time_zone: str = DEFAULT_TIME_ZONE
    swap: SwapBay | None = None
    updated_at: datetime | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def is_swap(self) -> bool:
        return self.swap is not None

    @property
    def max_power_kw(self) -> float:
        return max((p.max_power_kw for p in self.piles), default=0.0)

    @property
    def connector_standards(self) -> frozenset[ConnectorStandard]:
        return frozenset(c.standard for p in self.piles for c in p.connectors)


@dataclass(frozen=True, slots=True)
class PileCounts:
    """Piles of a station by status category."""

    free: int = 0
    busy: int = 0
    offline: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.free + self.busy + self.offline + self.unknown

    @property
    def category(self) -> StatusCategory:
        """Station colour: free if any pile is free, else busy, offline, unknown."""
        if self.free:
            return StatusCategory.FREE
        if self.busy:
            return StatusCategory.BUSY
        if self.offline:
            return StatusCategory.OFFLINE
        return StatusCategory.UNKNOWN


def count_piles(piles: tuple[Pile, ...]) -> PileCounts:
    free = busy = offline = unknown = 0
    for pile in piles:
        cat = pile.status.category
        if cat is StatusCategory.FREE:
            free += 1
        elif cat is StatusCategory.BUSY:
            busy += 1
        elif cat is StatusCategory.OFFLINE:
            offline += 1
        else:
            unknown += 1
    return PileCounts(free, busy, offline, unknown)


def keep_held_status(
    station: Station, held: Mapping[str, tuple[PileStatus, datetime | None]]
) -> Station:
    """``station`` with every pile found in ``held`` keeping that status and time."""
    return replace(
        station,
        piles=tuple(
            replace(p, status=held[p.id][0], status_at=held[p.id][1])
            if p.id in held
            else p
            for p in station.piles
        ),
    )
