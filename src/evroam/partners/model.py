"""Partners (operators connected by a protocol) and the health of their feeds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from evroam.catalogue.model import OperatorProfile, Protocol, Station
from evroam.pricing.elements import ElementTariff
from evroam.pricing.tariff import Tariff
from evroam.shared.ids import OperatorId
from evroam.status.model import PileStatusReport, SwapStockReport

DEFAULT_STATUS_TTL_S = 900


@dataclass(frozen=True, slots=True)
class Partner:
    """An operator whose network reaches us through ``protocol`` at ``url``.

    ``credentials`` are protocol-specific (OCPI tokens and endpoints; T/CEC
    OperatorID and secrets) and opaque to this context.
    """

    id: OperatorId
    name: str
    protocol: Protocol
    profile: OperatorProfile
    url: str
    credentials: Mapping[str, str] = field(default_factory=dict)
    status_ttl_s: int = DEFAULT_STATUS_TTL_S
    country_code: str = "CN"
    party_id: str = ""
    added_at: datetime | None = None

    def with_credentials(self, **changes: str) -> Partner:
        merged = {**self.credentials, **changes}
        return Partner(
            self.id,
            self.name,
            self.protocol,
            self.profile,
            self.url,
            merged,
            self.status_ttl_s,
            self.country_code,
            self.party_id,
            self.added_at,
        )


@dataclass(frozen=True, slots=True)
class NetworkBatch:
    """Part of a partner's network as pulled: stations, their tariffs, live status.

    ``tariffs`` are time-of-use views (shown on the map); ``priced`` the
    canonical tariffs of the same ids when the protocol says more than time of
    use (OCPI: every restriction, step_size, VAT), priced as they are."""

    stations: tuple[Station, ...]
    tariffs: tuple[Tariff, ...] = ()
    reports: tuple[PileStatusReport, ...] = ()
    swap_reports: tuple[SwapStockReport, ...] = ()
    # Stations the partner sent that could not be read: (its id, why).
    refused: tuple[tuple[str, str], ...] = ()
    priced: tuple[ElementTariff, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """How well a partner's live feed is doing, as an operator would ask."""

    partner_id: OperatorId
    is_reachable: bool = True
    last_push_at: datetime | None = None  # when we last received a push
    newest_observed_at: datetime | None = None  # newest status time we hold
    last_sync_at: datetime | None = None
    last_sync_stations: int = 0
    pushes_total: int = 0
    changes_total: int = 0
    errors_total: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None

    def lag_s(self, now: datetime) -> float | None:
        """Seconds since the newest status the partner told us about."""
        if self.newest_observed_at is None:
            return None
        return max(0.0, (now - self.newest_observed_at).total_seconds())


@dataclass(frozen=True, slots=True)
class PartnerHealth:
    partner: Partner
    feed: FeedHealth
    stations: int
    piles: int
    unknown_piles: int
    lag_s: float | None
