"""Pile status reports from partners and the change events they cause."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evroam.catalogue.model import PileStatus
from evroam.shared.ids import PileId, StationId


@dataclass(frozen=True, slots=True)
class PileStatusReport:
    """A partner says pile ``pile_id`` had ``status`` at ``observed_at`` (aware UTC).

    Reports are idempotent and order-safe: one not newer than what the hub holds
    for that pile is ignored. ``observed_at`` is the partner's own time of the
    status (OCPI ``last_updated``); ``heard_at`` is when the report reached us
    (a pull's fetch time), which keeps the pile fresh even when its status is
    old news. Without it, the report was heard when observed.
    """

    pile_id: PileId
    status: PileStatus
    observed_at: datetime
    heard_at: datetime | None = None

    @property
    def heard(self) -> datetime:
        return max(self.heard_at or self.observed_at, self.observed_at)


@dataclass(frozen=True, slots=True)
class SwapStockReport:
    station_id: StationId
    batteries_in_stock: int
    queue_length: int
    observed_at: datetime


@dataclass(frozen=True, slots=True)
class PileStatusChanged:
    """Event: a pile's status changed in the hub."""

    station_id: StationId
    pile_id: PileId
    status: PileStatus
    observed_at: datetime
    lat: float
    lon: float
