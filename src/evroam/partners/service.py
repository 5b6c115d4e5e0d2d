"""Partner use-cases: onboard, sync, take live updates, watch feeds, report health."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta

from evroam.catalogue.model import Operator, Protocol, Station
from evroam.catalogue.service import CatalogueService
from evroam.partners.errors import (
    InvalidPartnerError,
    PartnerError,
    PartnerNotFoundError,
    PartnerUnreachableError,
)
from evroam.partners.model import NetworkBatch, Partner, PartnerHealth
from evroam.partners.ports import PartnerGateway, PartnerRepository, PileDirectory
from evroam.shared.clock import Clock
from evroam.shared.ids import OperatorId, PileId, StationId
from evroam.shared.offload import Offload, inline
from evroam.status.model import PileStatusReport, SwapStockReport
from evroam.status.service import StatusService

Sleep = Callable[[float], Awaitable[None]]


class PartnersService:
    def __init__(
        self,
        partners: PartnerRepository,
        piles: PileDirectory,
        catalogue: CatalogueService,
        status: StatusService,
        gateways: Mapping[Protocol, PartnerGateway],
        clock: Clock,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        offload: Offload = inline,
    ) -> None:
        """``offload`` runs the blocking steps (repositories, the catalogue) of
        the async use cases (the composition root: off the event loop)."""
        self._partners = partners
        self._piles = piles
        self._catalogue = catalogue
        self._status = status
        self._gateways = gateways
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._run = offload

    # -- onboarding and sync -----------------------------------------------------
    async def add_partner(
        self,
        partner: Partner,
        *,
        sync: bool = True,
        on_progress: Callable[[int], None] | None = None,
    ) -> PartnerHealth:
        """Handshake with a partner, keep it and (by default) pull its network.

        Adding a partner that exists (same id, same protocol) onboards it again:
        a new handshake with the given URL and credentials, then a full pull.
        Its stations keep their ids, so sessions and receipts still name them;
        if the new handshake fails, the partner stays as it was.
        """
        gateway = self._gateway(partner.protocol)
        previous = await self._run(self._partners.find, partner.id)
        if previous is not None and previous.protocol is not partner.protocol:
            raise InvalidPartnerError(
                "id",
                f"a partner named {partner.id!r} exists and speaks "
                f"{previous.protocol.value}, not {partner.protocol.value}",
            )
        added_at = previous.added_at if previous else None
        provisional = replace(partner, added_at=added_at or self._clock.now())
        # Saved before the handshake: an OCPI CPO calls us back with our token
        # while it answers, and may reach another worker of ours.
        await self._run(self._partners.save, provisional)
        try:
            connected = await gateway.connect(provisional)
        except BaseException:
            await self._run(self._restore, partner.id, previous)
            raise
        await self._run(self._partners.save, connected)
        operator = Operator(
            connected.id,
            connected.name,
            connected.profile,
            connected.protocol,
            connected.country_code,
            connected.party_id,
        )
        await self._run(self._catalogue.register_operator, operator)
        if sync:
            await self.sync_partner(connected.id, on_progress)
            # Pushes that came while the first pull ran could name stations we
            # had not stored yet; one status pass now catches them up.
            await self.reconcile_status(connected.id)
        return await self._run(self.partner_health, connected.id)

    def _restore(self, partner_id: OperatorId, previous: Partner | None) -> None:
        if previous is None:
            self._partners.remove(partner_id)
        else:
            self._partners.save(previous)

    async def sync_partner(
        self,
        partner_id: OperatorId,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Pull the partner's whole network (paged) and store it; returns stations."""
        partner = await self._run(self.get_partner, partner_id)
        gateway = self._gateway(partner.protocol)
        stations = 0
        refused: list[tuple[str, str]] = []
        try:
            async for batch in gateway.pull_network(partner):
                refused.extend(batch.refused)
                await self._run(
                    self._catalogue.save_network_batch,
                    batch.tariffs,
                    batch.stations,
                    batch.priced,
                )
                await self._status.ingest(batch.reports)
                await self._run(self._status.ingest_swap_stock, batch.swap_reports)
                stations += len(batch.stations)
                if on_progress is not None:
                    on_progress(len(batch.stations))
        except PartnerError as exc:
            await self._run(self._unreachable, partner_id, str(exc))
            raise
        await self._run(self._synced, partner_id, stations)
        if refused:
            # Feed health names what we could not import (ADR 0028).
            name, why = refused[0]
            await self._run(
                self._partners.record_error,
                partner_id,
                f"{len(refused)} of {stations + len(refused)} stations refused; "
                f"first {name}: {why}"[:500],
                self._clock.now(),
            )
        return stations

    def _unreachable(self, partner_id: OperatorId, error: str) -> None:
        self._partners.record_error(partner_id, error, self._clock.now())
        self._partners.set_reachable(partner_id, False)

    def _synced(self, partner_id: OperatorId, stations: int) -> None:
        self._partners.record_sync(partner_id, stations, self._clock.now())
        self._partners.set_reachable(partner_id, True)

    async def import_network(
        self, partner_id: OperatorId, batch: NetworkBatch
    ) -> tuple[int, tuple[tuple[str, str], ...]]:
        """Store a batch read from a file (not pulled) as the partner's: its
        stations and their status; returns (stations imported, refused with
        reasons). Refusals are kept in the partner's feed health, as a pull's."""
        # PartnerNotFoundError before any change
        await self._run(self.get_partner, partner_id)
        await self._run(
            self._catalogue.save_network_batch,
            batch.tariffs,
            batch.stations,
            batch.priced,
        )
        await self._status.ingest(batch.reports)
        await self._run(self._status.ingest_swap_stock, batch.swap_reports)
        if batch.refused:
            name, why = batch.refused[0]
            total = len(batch.stations) + len(batch.refused)
            await self._run(
                self._partners.record_error,
                partner_id,
                f"{len(batch.refused)} of {total} stations refused; "
                f"first {name}: {why}"[:500],
                self._clock.now(),
            )
        return len(batch.stations), batch.refused

    async def sync_with_backoff(
        self,
        partner_id: OperatorId,
        attempts: int = 6,
        base_delay_s: float = 1.0,
        max_delay_s: float = 60.0,
    ) -> int:
        """Retry a full sync while the partner is unreachable (jittered backoff)."""
        for attempt in range(attempts):
            try:
                return await self.sync_partner(partner_id)
            except PartnerUnreachableError:
                if attempt == attempts - 1:
                    raise
                # "Equal jitter": half fixed, half random, so retries spread out.
                ceiling = min(max_delay_s, base_delay_s * 2**attempt)
                await self._sleep(ceiling / 2 + self._rng.uniform(0, ceiling / 2))
        raise AssertionError("unreachable")  # pragma: no cover

    async def reconcile_status(self, partner_id: OperatorId) -> int:
        """Re-read live status from the partner; returns how many piles changed.

        Pushes can be lost on the way; the partner's answer carries its own
        time of each status, so order-safety keeps whichever is newer.
        """
        partner = await self._run(self.get_partner, partner_id)
        gateway = self._gateway(partner.protocol)
        station_ids = await self._run(self._piles.external_station_ids, partner_id)
        changed = 0
        try:
            async for batch in gateway.pull_status(partner, station_ids):
                changed += len(await self._status.ingest(batch.reports))
                await self._run(self._status.ingest_swap_stock, batch.swap_reports)
        except PartnerError as exc:
            await self._run(self._unreachable, partner_id, str(exc))
            raise
        return changed

    # -- live updates -----------------------------------------------------------
    async def receive_status(
        self, partner_id: OperatorId, reports: Sequence[PileStatusReport]
    ) -> int:
        """A partner pushed status reports; returns how many changed something.

        Reports about another operator's piles are dropped: a partner speaks
        only for its own network.
        """
        now = self._clock.now()
        reports = [
            replace(r, heard_at=r.heard_at or now)
            for r in reports
            if _owns(partner_id, r.pile_id)
        ]
        changed = await self._status.ingest(reports)
        newest = max((r.observed_at for r in reports), default=None)
        await self._run(
            self._partners.record_push,
            partner_id,
            len(reports),
            len(changed),
            newest,
            now,
        )
        return len(changed)

    def receive_swap_stock(
        self, partner_id: OperatorId, reports: Sequence[SwapStockReport]
    ) -> int:
        own = [r for r in reports if _owns(partner_id, r.station_id)]
        return self._status.ingest_swap_stock(own)

    async def receive_station(self, partner_id: OperatorId, station: Station) -> None:
        """A partner pushed a whole station: static data now, status order-safely."""
        if not _owns(partner_id, station.id):
            raise InvalidPartnerError("station", f"{station.id} is not {partner_id}'s")
        await self._run(self._catalogue.save_network_batch, (), (station,))
        reports = [
            PileStatusReport(p.id, p.status, p.status_at)
            for p in station.piles
            if p.status_at is not None
        ]
        await self.receive_status(partner_id, reports)

    def find_station(self, station_id: StationId) -> Station | None:
        return self._catalogue.find_station(station_id)

    def resolve_piles(
        self, partner_id: OperatorId, external_uids: Sequence[str]
    ) -> Mapping[str, PileId]:
        """Hub pile ids for the partner's own pile ids (unknown ones are left out)."""
        return self._piles.pile_ids_for(partner_id, external_uids)

    # -- watching ----------------------------------------------------------------
    async def expire_silent_piles(self) -> int:
        """Turn piles unknown whose partner has not spoken of them within its TTL."""
        expired = 0
        for partner in await self._run(self._partners.list):
            ttl = timedelta(seconds=partner.status_ttl_s)
            expired += len(await self._status.expire_silent_piles(partner.id, ttl))
        return expired

    async def check_partner(self, partner_id: OperatorId) -> bool:
        """Ping one partner; one that comes back after being down is resynced."""
        partner = await self._run(self.get_partner, partner_id)
        health = await self._run(self._partners.health, partner_id)
        try:
            await self._gateway(partner.protocol).ping(partner)
        except PartnerError as exc:
            await self._run(self._unreachable, partner_id, str(exc))
            return False
        was_reachable = health.is_reachable
        if not was_reachable:
            await self.sync_with_backoff(partner_id)
        return True

    # -- queries ------------------------------------------------------------------
    def get_partner(self, partner_id: OperatorId) -> Partner:
        partner = self._partners.find(partner_id)
        if partner is None:
            raise PartnerNotFoundError(partner_id)
        return partner

    def list_partners(self) -> Sequence[Partner]:
        return self._partners.list()

    def partner_health(self, partner_id: OperatorId) -> PartnerHealth:
        partner = self.get_partner(partner_id)
        feed = self._partners.health(partner_id)
        stations, piles, unknown = self._piles.pile_counts(partner_id)
        return PartnerHealth(
            partner, feed, stations, piles, unknown, feed.lag_s(self._clock.now())
        )

    def list_health(self) -> list[PartnerHealth]:
        return [self.partner_health(p.id) for p in self._partners.list()]

    def _gateway(self, protocol: Protocol) -> PartnerGateway:
        gateway = self._gateways.get(protocol)
        if gateway is None:
            raise InvalidPartnerError("protocol", f"no gateway speaks {protocol.value}")
        return gateway


def _owns(partner_id: OperatorId, hub_id: str) -> bool:
    """Hub station and pile ids start with their operator's id (shared.ids)."""
    return hub_id.startswith(f"{partner_id}-")
