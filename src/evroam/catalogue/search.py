"""Station search queries, result pages and their opaque cursors."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from evroam.catalogue.errors import InvalidQueryError
from evroam.catalogue.model import (
    ConnectorStandard,
    Operator,
    ParkingRule,
    PileCounts,
    Station,
    SwapBay,
    count_piles,
)
from evroam.pricing.tariff import PriceNow
from evroam.shared.geo import BoundingBox, GeoPoint
from evroam.shared.ids import OperatorId, StationId, TariffId

MAX_LIMIT = 500
MAX_RADIUS_M = 1_000_000.0


@dataclass(frozen=True, slots=True)
class StationFilter:
    """Filters every search accepts; empty sets mean "any"."""

    connectors: frozenset[ConnectorStandard] = frozenset()
    min_power_kw: float | None = None
    operator_ids: frozenset[OperatorId] = frozenset()
    is_available: bool | None = None  # True: at least one pile free now
    is_swap: bool | None = None
    max_price_per_kwh: Decimal | None = None

    @property
    def connector_mask(self) -> int:
        mask = 0
        for standard in self.connectors:
            mask |= standard.bit
        return mask


@dataclass(frozen=True, slots=True)
class NearQuery:
    """Stations within ``radius_m`` of ``center``, nearest first."""

    center: GeoPoint
    radius_m: float
    filter: StationFilter = field(default_factory=StationFilter)
    limit: int = 50
    after: tuple[float, str] | None = None  # (distance_m, station id) of last row

    def __post_init__(self) -> None:
        if not 0 < self.radius_m <= MAX_RADIUS_M:
            raise InvalidQueryError("radius_km", "must be > 0 and at most 1000")
        _check_limit(self.limit)


@dataclass(frozen=True, slots=True)
class BoxQuery:
    """Stations inside ``box``, by station id."""

    box: BoundingBox
    filter: StationFilter = field(default_factory=StationFilter)
    limit: int = 50
    after: str | None = None  # station id of the last row

    def __post_init__(self) -> None:
        _check_limit(self.limit)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidQueryError("limit", f"must be between 1 and {MAX_LIMIT}")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A station that passed the storage-side filters, before pricing."""

    station_id: StationId
    distance_m: float | None
    tariff_id: TariffId
    time_zone: str


@dataclass(frozen=True, slots=True)
class StationSummary:
    """A station as a list or map shows it."""

    id: StationId
    operator_id: OperatorId
    name: str
    address: str
    city: str
    lat: float
    lon: float
    tariff_id: TariffId
    time_zone: str
    max_power_kw: float
    connectors: frozenset[ConnectorStandard]
    piles: PileCounts
    parking: ParkingRule
    swap: SwapBay | None
    updated_at: datetime | None

    @property
    def is_swap(self) -> bool:
        return self.swap is not None


@dataclass(frozen=True, slots=True)
class StationPoint:
    """Where a station is and what it offers, without prices or pile detail:
    what a search over tens of thousands of stations needs."""

    id: StationId
    operator_id: OperatorId
    name: str
    lat: float
    lon: float
    is_swap: bool
    connectors: frozenset[ConnectorStandard]
    online_piles: int  # free, busy or of unknown status

    @property
    def is_usable(self) -> bool:
        return self.online_piles > 0


@dataclass(frozen=True, slots=True)
class StationHit:
    summary: StationSummary
    distance_m: float | None
    price_now: PriceNow


@dataclass(frozen=True, slots=True)
class StationPage:
    items: tuple[StationHit, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class OperatorStats:
    operator: Operator
    stations: int
    piles: int
    swap_stations: int
    connectors: frozenset[ConnectorStandard] = frozenset()  # found at its stations


@dataclass(frozen=True, slots=True)
class Cluster:
    """Stations grouped into one grid cell for low-zoom maps."""

    lat: float
    lon: float
    stations: int
    piles: PileCounts


def encode_cursor(payload: dict[str, object]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, object]:
    """Decode an opaque cursor; anything malformed is an ``InvalidQueryError``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise InvalidQueryError("cursor", "is not a cursor this API issued") from exc
    if not isinstance(value, dict):
        raise InvalidQueryError("cursor", "is not a cursor this API issued")
    return value


def summarise(station: Station) -> StationSummary:
    """The list/map view of a full station."""
    return StationSummary(
        id=station.id,
        operator_id=station.operator_id,
        name=station.name,
        address=station.address,
        city=station.city,
        lat=station.lat,
        lon=station.lon,
        tariff_id=station.tariff_id,
        time_zone=station.time_zone,
        max_power_kw=station.max_power_kw,
        connectors=station.connector_standards,
        piles=count_piles(station.piles),
        parking=station.parking,
        swap=station.swap,
        updated_at=station.updated_at,
    )
