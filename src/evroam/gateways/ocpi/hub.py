"""The hub's OCPI 2.2.1 (eMSP) side: partner gateway, tokens, Locations receiver."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx

from evroam.catalogue.model import Station
from evroam.gateways.ocpi.mapping import (
    location_from_station,
    pile_status_from_evse_status,
    station_from_location,
)
from evroam.gateways.ocpi.pricing_mapping import element_tariff_from_ocpi
from evroam.gateways.ocpi.tariff_mapping import (
    display_tariff_from_ocpi,
    tariff_id_for,
)
from evroam.gateways.partner_index import PartnerIndex
from evroam.partners.errors import HandshakeError, PartnerUnreachableError
from evroam.partners.model import NetworkBatch, Partner
from evroam.partners.ports import PartnerRepository
from evroam.partners.service import PartnersService
from evroam.pricing.elements import ElementTariff
from evroam.pricing.tariff import Tariff
from evroam.protocols.ocpi_2_2_1 import models as wire
from evroam.protocols.ocpi_2_2_1.client import OcpiClient
from evroam.protocols.ocpi_2_2_1.enums import InterfaceRole
from evroam.protocols.ocpi_2_2_1.errors import (
    OcpiClientError,
    OcpiError,
    UnauthorizedError,
    UnknownLocationError,
)
from evroam.protocols.ocpi_2_2_1.lenient import Defaults, FeedReading, read_locations
from evroam.protocols.ocpi_2_2_1.tokens import Peer, new_token
from evroam.shared.clock import Clock
from evroam.shared.errors import InvalidInputError
from evroam.shared.ids import OperatorId, pile_id_for, station_id_for
from evroam.shared.offload import Offload, inline
from evroam.status.model import PileStatusReport

_log = logging.getLogger(__name__)
HttpFactory = Callable[[], httpx.AsyncClient]
PAGE_LIMIT = 100

# Keys of Partner.credentials for an OCPI partner.
TOKEN_A, TOKEN_B, TOKEN_C = "token_a", "token_b", "token_c"
VERSIONS_URL, ENDPOINTS, ROLES = "versions_url", "endpoints", "roles"


def peer_from_partner(partner: Partner) -> Peer:
    creds = partner.credentials
    return Peer(
        key=partner.id,
        incoming_token=creds.get(TOKEN_B, ""),
        is_registered=bool(creds.get(TOKEN_B)),
        outgoing_token=creds.get(TOKEN_C) or None,
        versions_url=creds.get(VERSIONS_URL) or None,
        endpoints=json.loads(creds.get(ENDPOINTS, "{}")),
        roles=tuple(
            wire.CredentialsRole.model_validate(r)
            for r in json.loads(creds.get(ROLES, "[]"))
        ),
    )


def _peer_credentials(peer: Peer) -> dict[str, str]:
    return {
        TOKEN_B: peer.incoming_token,
        TOKEN_C: peer.outgoing_token or "",
        VERSIONS_URL: peer.versions_url or "",
        ENDPOINTS: json.dumps(dict(peer.endpoints), sort_keys=True),
        ROLES: json.dumps([r.model_dump(mode="json") for r in peer.roles]),
    }


class PartnerTokenStore:
    """OCPI peers kept in the partner records, so every API worker sees them.

    Lookups go through the partner index (``gateways.partner_index``): no
    table read per request; a token another worker revokes is refused here
    at most the index's ttl later, and a token it has just issued is found at
    once (real-time authorization answers in milliseconds, ADR 0027).
    """

    def __init__(
        self, partners: PartnerRepository, index: PartnerIndex | None = None
    ) -> None:
        self._partners = partners
        self._index = index or PartnerIndex(partners, ttl_s=0.0)

    def _ocpi_partners(self) -> Iterator[Partner]:
        return (p for p in self._index.partners() if p.protocol.value == "ocpi")

    def _holder_of(self, token: str) -> Partner | None:
        found = None
        wanted = token.encode()
        for partner in self._ocpi_partners():  # touch all: no timing leak
            held_token = partner.credentials.get(TOKEN_B, "").encode()
            if held_token and hmac.compare_digest(held_token, wanted):
                found = partner
        return found

    def find_by_token(self, token: str) -> Peer | None:
        """From the partner index; a token it does not hold re-reads it once (a
        CPO may call with the token another worker has just given it)."""
        found = self._holder_of(token)
        if found is None and self._index.refresh():
            found = self._holder_of(token)
        return peer_from_partner(found) if found else None

    def find(self, key: str) -> Peer | None:
        partner = self._partners.find(OperatorId(key))
        return peer_from_partner(partner) if partner else None

    def save(self, peer: Peer) -> None:
        partner = self._partners.find(OperatorId(peer.key))
        if partner is not None:
            self._partners.save(partner.with_credentials(**_peer_credentials(peer)))
            self._index.invalidate()

    def remove(self, key: str) -> None:
        """The CPO unregistered (DELETE credentials): forget the tokens."""
        partner = self._partners.find(OperatorId(key))
        if partner is not None:
            cleared = dict.fromkeys((TOKEN_B, TOKEN_C, ENDPOINTS, ROLES), "")
            cleared[ENDPOINTS], cleared[ROLES] = "{}", "[]"
            self._partners.save(partner.with_credentials(**cleared))
            self._index.invalidate()


class OcpiPartnerGateway:
    """Connects to CPOs: credentials handshake, paged pulls, liveness pings."""

    def __init__(
        self,
        http: HttpFactory,
        tokens: PartnerTokenStore,
        our_versions_url: str,
        our_role: wire.CredentialsRole,
        clock: Clock,
    ) -> None:
        self._clock = clock
        self._http = http
        self._tokens = tokens
        self._versions_url = our_versions_url
        self._role = our_role

    async def connect(self, partner: Partner) -> Partner:
        """OCPI credentials: TOKEN_A (given) -> we send TOKEN_B -> we get TOKEN_C."""
        token_a = partner.credentials.get(TOKEN_A)
        if not token_a:
            raise HandshakeError("an OCPI partner needs the TOKEN_A it gave us")
        token_b = new_token()
        # The CPO calls our versions endpoint with B while answering the POST.
        self._tokens.save(Peer(partner.id, token_b, is_registered=True))
        async with self._client(None) as client:
            registration = await client.register(
                partner.url, token_a, self._versions_url, token_b, self._role
            )
        peer = Peer(partner.id, token_b).registered(
            incoming_token=token_b,
            outgoing_token=registration.token_c,
            versions_url=partner.url,
            endpoints=registration.endpoint_urls,
            roles=registration.roles,
        )
        party = registration.roles[0] if registration.roles else None
        return replace(
            partner.with_credentials(**_peer_credentials(peer)),
            country_code=party.country_code if party else partner.country_code,
            party_id=party.party_id if party else partner.party_id,
        )

    async def pull_network(self, partner: Partner) -> AsyncIterator[NetworkBatch]:
        """Tariffs first (stations name them), then Locations page by page."""
        async with self._client(partner) as client:
            ocpi_tariffs = [t async for t in client.iter_tariffs(page_limit=PAGE_LIMIT)]
            by_id = {t.id: t for t in ocpi_tariffs}
            tariffs, priced = _tariffs(partner, ocpi_tariffs)
            async for reading in _read_feed(client, partner):
                stations = [
                    station_from_location(location, partner.id, by_id)
                    for location in reading.locations
                ]
                batch = _batch(stations, tariffs, self._clock.now(), priced)
                yield replace(batch, refused=tuple(reading.refused))
                tariffs, priced = (), ()
            if tariffs:
                yield _batch([], tariffs, self._clock.now(), priced)

    async def pull_status(
        self,
        partner: Partner,
        station_ids: Sequence[str],  # noqa: ARG002 - a Locations pull covers all
    ) -> AsyncIterator[NetworkBatch]:
        """Every Location's EVSE status, as reports only (stations unchanged)."""
        async with self._client(partner) as client:
            async for reading in _read_feed(client, partner):
                page = [
                    station_from_location(location, partner.id, {})
                    for location in reading.locations
                ]
                yield replace(_batch(page, (), self._clock.now()), stations=())

    async def ping(self, partner: Partner) -> None:
        async with self._client(partner) as client:
            await client.fetch_endpoints(partner.url)

    @asynccontextmanager
    async def _client(self, partner: Partner | None) -> AsyncIterator[OcpiClient]:
        async with self._http() as http:
            if partner is None:
                client = OcpiClient(http)
            else:
                peer = peer_from_partner(partner)
                client = OcpiClient(http, token=peer.outgoing_token)
                client.endpoints = _endpoints(peer)
            try:
                yield client
            except UnauthorizedError as exc:
                raise HandshakeError(
                    f"{partner.id if partner else 'partner'}: {exc}"
                ) from exc
            except OcpiClientError as exc:
                raise HandshakeError(str(exc)) from exc
            except OcpiError as exc:
                raise PartnerUnreachableError(str(exc)) from exc


async def _read_feed(
    client: OcpiClient, partner: Partner
) -> AsyncIterator[FeedReading]:
    """The partner's Locations page by page, read leniently (ADR 0028): every
    Location imported or refused with its reason, quirks logged."""
    defaults = Defaults(partner.country_code or "CN", partner.party_id or "XXX")
    async for body in client.iter_location_bodies(page_limit=PAGE_LIMIT):
        try:
            reading = read_locations(body, defaults)
        except ValueError as exc:
            raise PartnerUnreachableError(f"{partner.id}: {exc}") from exc
        for name, warning in reading.warnings:
            _log.info("%s location %s: %s", partner.id, name, warning)
        for name, reason in reading.refused:
            _log.warning("%s location %s refused: %s", partner.id, name, reason)
        yield reading


def batch_from_location_file(
    partner: Partner, body: Any, fetched_at: datetime
) -> NetworkBatch:
    """A Locations file (OCPI 2.1.1, 2.2 or 2.2.1; an envelope or a bare
    array, as real feeds are: ADR 0028) as a network batch of ``partner``:
    every Location imported or refused with its reason. A body that is no
    Locations feed at all is ``InvalidInputError`` (nothing to import)."""
    defaults = Defaults(partner.country_code or "CN", partner.party_id or "XXX")
    try:
        reading = read_locations(body, defaults)
    except ValueError as exc:
        raise InvalidInputError("file", f"not a Locations feed: {exc}") from exc
    stations = [
        station_from_location(location, partner.id, {})
        for location in reading.locations
    ]
    batch = _batch(stations, (), fetched_at)
    return replace(batch, refused=tuple(reading.refused))


def _endpoints(peer: Peer) -> tuple[wire.Endpoint, ...]:
    return tuple(
        wire.Endpoint(identifier=module, role=InterfaceRole.SENDER, url=url)
        for module, url in peer.endpoints.items()
    )


def _tariffs(
    partner: Partner, ocpi_tariffs: Sequence[wire.Tariff]
) -> tuple[tuple[Tariff, ...], tuple[ElementTariff, ...]]:
    """Each tariff as shown (its time-of-use view) and as priced (canonical,
    every element as the CPO wrote it: ADR 0022). A tariff the engine refuses
    is left out, named in the log: its stations are shown without a price."""
    shown: list[Tariff] = []
    priced: list[ElementTariff] = []
    for ocpi_tariff in ocpi_tariffs:
        hub_id = tariff_id_for(partner.id, ocpi_tariff.id)
        try:
            canonical = element_tariff_from_ocpi(ocpi_tariff)
        except InvalidInputError as exc:
            _log.warning("%s: tariff %s refused: %s", partner.id, hub_id, exc)
            continue
        priced.append(replace(canonical, id=hub_id))
        shown.append(display_tariff_from_ocpi(ocpi_tariff, partner.id))
    return tuple(shown), tuple(priced)


def _batch(
    stations: list[Station],
    tariffs: tuple[Any, ...],
    fetched_at: datetime,
    priced: tuple[ElementTariff, ...] = (),
) -> NetworkBatch:
    """Statuses go in as order-safe reports stamped with the CPO's own
    ``last_updated`` (so a push the CPO made after it wins, and an older one
    loses), heard at ``fetched_at`` (the staleness TTL counts from it)."""
    reports = tuple(
        PileStatusReport(p.id, p.status, p.status_at or fetched_at, fetched_at)
        for s in stations
        for p in s.piles
    )
    return NetworkBatch(tuple(stations), tariffs, reports, priced=priced)


class HubLocationReceiver:
    """Locations pushed by a CPO become station updates and status reports;
    ``offload`` runs the catalogue reads (the hub: off the event loop)."""

    def __init__(self, partners: PartnersService, offload: Offload = inline) -> None:
        self._partners = partners
        self._run = offload

    async def on_location(self, operator_key: str, location: wire.Location) -> None:
        op = OperatorId(operator_key)
        station = station_from_location(location, op, {})
        held = await self._run(self._partners.find_station, station.id)
        if held is not None:  # a push carries no Tariff object: keep ours
            station = replace(station, tariff_id=held.tariff_id, parking=held.parking)
        await self._partners.receive_station(op, station)

    async def on_evse(
        self, operator_key: str, location_id: str, evse: wire.EVSE
    ) -> None:
        await self._status(
            operator_key, location_id, evse.uid, evse.status, evse.last_updated
        )

    async def on_connector(
        self,
        operator_key: str,
        location_id: str,
        evse_uid: str,
        connector: wire.Connector,  # noqa: ARG002 - plug data is static
    ) -> None:
        await self._run(self._require_pile, operator_key, location_id, evse_uid)

    async def on_location_patch(
        self, operator_key: str, location_id: str, patch: wire.LocationPatch
    ) -> None:
        await self._run(self._require, operator_key, location_id)
        for evse in patch.evses or ():
            await self._status(
                operator_key, location_id, evse.uid, evse.status, evse.last_updated
            )

    async def on_evse_patch(
        self, operator_key: str, location_id: str, evse_uid: str, patch: wire.EvsePatch
    ) -> None:
        if patch.status is None:
            await self._run(self._require, operator_key, location_id)
            return
        await self._status(
            operator_key, location_id, evse_uid, patch.status, patch.last_updated
        )

    async def on_connector_patch(
        self,
        operator_key: str,
        location_id: str,
        evse_uid: str,
        connector_id: str,  # noqa: ARG002 - one pile per EVSE: status lives there
        patch: wire.ConnectorPatch,  # noqa: ARG002 - plug data is static
    ) -> None:
        await self._run(self._require_pile, operator_key, location_id, evse_uid)

    async def find_location(
        self, operator_key: str, location_id: str
    ) -> wire.Location | None:
        """What we hold of the CPO's Location (Receiver GET, to compare)."""
        station_id = station_id_for(operator_key, location_id)
        station = await self._run(self._partners.find_station, station_id)
        if station is None:
            return None
        partner = await self._run(self._partners.get_partner, OperatorId(operator_key))
        ocpi_tariff = station.tariff_id.removeprefix(f"{operator_key}-")
        return location_from_station(
            station,
            partner.country_code,
            partner.party_id,
            {station.tariff_id: ocpi_tariff},
        )

    def _require(self, operator_key: str, location_id: str) -> Station:
        station = self._partners.find_station(station_id_for(operator_key, location_id))
        if station is None:
            raise UnknownLocationError(f"unknown location {location_id}")
        return station

    def _require_pile(self, operator_key: str, location_id: str, evse_uid: str) -> None:
        station = self._require(operator_key, location_id)
        if all(p.id != pile_id_for(station.id, evse_uid) for p in station.piles):
            raise UnknownLocationError(f"unknown EVSE {evse_uid} at {location_id}")

    async def _status(
        self,
        operator_key: str,
        location_id: str,
        evse_uid: str,
        status: Any,
        observed_at: Any,
    ) -> None:
        await self._run(self._require_pile, operator_key, location_id, evse_uid)
        pile_id = pile_id_for(station_id_for(operator_key, location_id), evse_uid)
        report = PileStatusReport(
            pile_id, pile_status_from_evse_status(status), observed_at
        )
        await self._partners.receive_status(OperatorId(operator_key), [report])
