"""The simulated operator's own model of its sites: stations, piles, plugs, stock.

A real charge point operator keeps its installed base in its own software; so
does a simulated one. These types are the simulator's, written apart from the
hub's catalogue on purpose (issue 11): the simulator reads the scenario's
generated stations by attribute name only (``site_of``) and imports nothing of
the hub. Status, plug standard and power type are the scenario's words
(``available``, ``gbt_dc``, ``dc`` ...), so a ``str`` compares equal to them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evroam.shared.ids import TariffId
from evroam.simulator.prices import CarPark, car_park_of

SWAP = "swap"  # the plug standard of a battery-swap bay
DC = "dc"


class PileState(enum.StrEnum):
    """A pile's status as the operator's platform keeps it."""

    AVAILABLE = "available"
    OCCUPIED = "occupied"  # plugged in, not charging
    CHARGING = "charging"
    RESERVED = "reserved"
    OFFLINE = "offline"
    FAULTED = "faulted"
    UNKNOWN = "unknown"

    @property
    def is_free(self) -> bool:
        return self is PileState.AVAILABLE

    @property
    def is_busy(self) -> bool:
        return self in _BUSY


_BUSY = frozenset({PileState.OCCUPIED, PileState.CHARGING, PileState.RESERVED})


@dataclass(frozen=True, slots=True)
class Operator:
    """The operator running the platform, and its OCPI party."""

    id: str
    name: str
    country_code: str = "CN"
    party_id: str = ""


@dataclass(frozen=True, slots=True)
class Plug:
    """One connector: its standard (``gbt_dc``, ``type2``, ``swap``...), power
    and current (``ac`` or ``dc``)."""

    standard: str
    max_power_kw: float
    power_type: str

    @property
    def is_dc(self) -> bool:
        return self.power_type == DC


@dataclass(frozen=True, slots=True)
class SitePile:
    """A pile (or a swap bay) of a site; ``external_uid`` is the operator's id."""

    external_uid: str
    connectors: tuple[Plug, ...]
    status: PileState = PileState.UNKNOWN
    status_at: datetime | None = None
    is_reservable: bool = False

    @property
    def max_power_kw(self) -> float:
        return max((c.max_power_kw for c in self.connectors), default=0.0)

    @property
    def is_dc(self) -> bool:
        return any(c.is_dc for c in self.connectors)

    @property
    def is_swap_bay(self) -> bool:
        return any(c.standard == SWAP for c in self.connectors)


@dataclass(frozen=True, slots=True)
class SwapStock:
    """A swap station's charged batteries, cars waiting, minutes per swap."""

    batteries_in_stock: int
    queue_length: int
    swap_minutes: int = 3


@dataclass(frozen=True, slots=True)
class Site:
    """A station as the operator publishes it; ``parking`` is its car park fee."""

    external_id: str
    name: str
    address: str
    city: str
    lat: float
    lon: float
    tariff_id: TariffId
    parking: CarPark
    piles: tuple[SitePile, ...]
    time_zone: str
    swap: SwapStock | None = None
    updated_at: datetime | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def is_swap(self) -> bool:
        return self.swap is not None


def _word(value: Any) -> str:
    return str(getattr(value, "value", value))


def operator_of(generated: Any) -> Operator:
    """The operator of a generated scenario, read by attribute."""
    return Operator(
        generated.id, generated.name, generated.country_code, generated.party_id
    )


def swap_stock_of(generated: Any) -> SwapStock | None:
    if generated is None:
        return None
    return SwapStock(
        generated.batteries_in_stock, generated.queue_length, generated.swap_minutes
    )


def site_of(generated: Any) -> Site:
    """A site from a generated station, read by attribute (``external_id``,
    ``piles`` with their ``connectors``, ``parking``, ``swap``...)."""
    return Site(
        external_id=generated.external_id,
        name=generated.name,
        address=generated.address,
        city=generated.city,
        lat=generated.lat,
        lon=generated.lon,
        tariff_id=TariffId(generated.tariff_id),
        parking=car_park_of(generated.parking),
        piles=tuple(_pile_of(p) for p in generated.piles),
        time_zone=generated.time_zone,
        swap=swap_stock_of(generated.swap),
        updated_at=generated.updated_at,
        tags=tuple(generated.tags),
    )


def _pile_of(generated: Any) -> SitePile:
    return SitePile(
        external_uid=generated.external_uid,
        connectors=tuple(
            Plug(_word(c.standard), c.max_power_kw, _word(c.power_type))
            for c in generated.connectors
        ),
        status=PileState(_word(generated.status)),
        status_at=generated.status_at,
        is_reservable=generated.is_reservable,
    )


__all__ = [
    "DC",
    "SWAP",
    "Operator",
    "PileState",
    "Plug",
    "Site",
    "SitePile",
    "SwapStock",
    "operator_of",
    "site_of",
    "swap_stock_of",
]
