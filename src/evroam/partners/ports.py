"""What the partners context needs: partner storage and one gateway per protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from evroam.partners.model import FeedHealth, NetworkBatch, Partner
from evroam.shared.ids import OperatorId, PileId


class PartnerRepository(Protocol):
    def save(self, partner: Partner) -> None: ...

    def find(self, partner_id: OperatorId) -> Partner | None: ...

    def list(self) -> Sequence[Partner]: ...

    def remove(self, partner_id: OperatorId) -> None: ...

    def health(self, partner_id: OperatorId) -> FeedHealth: ...

    def record_push(
        self,
        partner_id: OperatorId,
        reports: int,
        changes: int,
        newest_observed_at: datetime | None,
        at: datetime,
    ) -> None: ...

    def record_sync(
        self, partner_id: OperatorId, stations: int, at: datetime
    ) -> None: ...

    def record_error(
        self, partner_id: OperatorId, message: str, at: datetime
    ) -> None: ...

    def set_reachable(self, partner_id: OperatorId, is_reachable: bool) -> None: ...


class PileDirectory(Protocol):
    """Finds hub pile ids from a partner's own pile ids (T/CEC ConnectorID)."""

    def pile_ids_for(
        self, operator_id: OperatorId, external_uids: Sequence[str]
    ) -> Mapping[str, PileId]: ...

    def external_station_ids(self, operator_id: OperatorId) -> Sequence[str]:
        """The partner's own ids of every station we hold for it."""
        ...

    def pile_counts(self, operator_id: OperatorId) -> tuple[int, int, int]:
        """(stations, piles, piles in status unknown) of one operator."""
        ...


class PartnerGateway(Protocol):
    """Speaks one roaming protocol to partners."""

    async def connect(self, partner: Partner) -> Partner:
        """Run the protocol's handshake; return the partner with its credentials
        completed (e.g. the OCPI TOKEN_C). Raises HandshakeError or
        PartnerUnreachableError."""
        ...

    def pull_network(self, partner: Partner) -> AsyncIterator[NetworkBatch]:
        """The partner's whole network, page by page, with live status."""
        ...

    def pull_status(
        self, partner: Partner, station_ids: Sequence[str]
    ) -> AsyncIterator[NetworkBatch]:
        """Live status only (reports, no stations) of the partner's stations,
        given by the partner's own station ids; heals dropped pushes."""
        ...

    async def ping(self, partner: Partner) -> None:
        """Raise PartnerUnreachableError unless the partner answers."""
        ...


class LeaseStore(Protocol):
    """Named leases so that one worker of many runs the background jobs."""

    def try_acquire(
        self, name: str, holder: str, ttl_s: float, now: datetime
    ) -> bool: ...

    def release(self, name: str, holder: str) -> None: ...
