"""The hub's side of T/CEC 102: partner gateway, peers from partner records, pushes."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from evroam.catalogue.model import Station
from evroam.gateways.partner_index import PartnerIndex
from evroam.gateways.tcec.mapping import (
    observed_at_of,
    pile_status_from_code,
    reports_from_station_status,
    station_from_station_info,
    tariff_from_policy_infos,
)
from evroam.gateways.tcec.park_fee import parse_park_fee
from evroam.partners.errors import (
    HandshakeError,
    InvalidPartnerError,
    PartnerUnreachableError,
)
from evroam.partners.model import NetworkBatch, Partner
from evroam.partners.service import PartnersService
from evroam.pricing.tariff import IdleFee, Tariff
from evroam.protocols.tcec_102.client import SeqCounter, TcecClient
from evroam.protocols.tcec_102.endpoint import Handler, PeerConfig
from evroam.protocols.tcec_102.envelope import TcecSecrets
from evroam.protocols.tcec_102.errors import ParameterError, TcecError
from evroam.protocols.tcec_102.models import (
    NotificationStationStatusRequest,
    NotificationStationStatusResponse,
    PolicyInfo,
    StationInfo,
    StationStatusInfo,
    parse_body,
)
from evroam.protocols.tcec_102.profiles import SpellingProfile
from evroam.shared.clock import Clock
from evroam.shared.datum import Datum
from evroam.shared.ids import StationId, TariffId
from evroam.status.model import PileStatusReport, SwapStockReport

HttpFactory = Callable[[], httpx.AsyncClient]
PAGE_SIZE = 50
_POLICY_CONCURRENCY = 8

# Keys of Partner.credentials for a T/CEC partner.
OPERATOR_ID, OPERATOR_SECRET = "operator_id", "operator_secret"
DATA_SECRET, DATA_SECRET_IV, SIG_SECRET = "data_secret", "data_secret_iv", "sig_secret"
SPELLING = "spelling"  # a SpellingProfile value: standard or service
LEGACY_FEE_SPELLING = "fee_spelling"  # before profiles: "Sevice" or "Service"
DATUM = "datum"  # a Datum value: the partner's coordinates (T/CEC default gcj02)
DEFAULT_DATUM = Datum.GCJ02  # Chinese platforms publish GCJ-02 (ADR 0030)
REQUIRED = (OPERATOR_ID, OPERATOR_SECRET, DATA_SECRET, DATA_SECRET_IV, SIG_SECRET)


def check_credentials(credentials: Mapping[str, str]) -> None:
    """Raise InvalidPartnerError naming the first missing or malformed secret."""
    for key in REQUIRED:
        if not credentials.get(key):
            raise InvalidPartnerError(key.replace("_", "-"), "is required for T/CEC")
    for key in (DATA_SECRET, DATA_SECRET_IV):
        if len(credentials[key].encode()) != 16:
            raise InvalidPartnerError(key.replace("_", "-"), "must be 16 characters")
    try:
        spelling_of(credentials)
    except ValueError as exc:
        names = " or ".join(p.value for p in SpellingProfile)
        raise InvalidPartnerError("spelling", f"must be {names}") from exc
    try:
        datum_of(credentials)
    except ValueError as exc:
        names = ", ".join(d.value for d in Datum)
        raise InvalidPartnerError("datum", f"must be one of {names}") from exc


def datum_of(credentials: Mapping[str, str]) -> Datum:
    """The datum the partner's coordinates are in (GCJ-02 unless set)."""
    return Datum(credentials.get(DATUM) or DEFAULT_DATUM)


def spelling_of(credentials: Mapping[str, str]) -> SpellingProfile:
    """The partner's spelling profile (partners added before profiles existed
    kept "Sevice"/"Service" under ``fee_spelling``)."""
    value = credentials.get(SPELLING) or credentials.get(LEGACY_FEE_SPELLING)
    return SpellingProfile.parse(value or SpellingProfile.STANDARD.value)


def peer_config_of(partner: Partner) -> PeerConfig:
    c = partner.credentials
    return PeerConfig(
        operator_secret=c[OPERATOR_SECRET],
        secrets=TcecSecrets.from_text(c[DATA_SECRET], c[DATA_SECRET_IV], c[SIG_SECRET]),
        spelling=spelling_of(c),
    )


class PartnerPeers(Mapping[str, PeerConfig]):
    """T/CEC peers from the partner index (partners added while serving are
    known at once; every worker sees the same; no table read per push)."""

    def __init__(self, partners: PartnerIndex) -> None:
        self._partners = partners

    def partner_for(self, tcec_operator_id: str) -> Partner | None:
        return self._partners.first(
            lambda p: (
                p.protocol.value == "tcec"
                and p.credentials.get(OPERATOR_ID) == tcec_operator_id
            )
        )

    def _tcec_partners(self) -> Iterator[Partner]:
        return (p for p in self._partners.partners() if p.protocol.value == "tcec")

    def __getitem__(self, tcec_operator_id: str) -> PeerConfig:
        partner = self.partner_for(tcec_operator_id)
        if partner is None:
            raise KeyError(tcec_operator_id)
        return peer_config_of(partner)

    def __iter__(self) -> Iterator[str]:
        return (p.credentials.get(OPERATOR_ID, "") for p in self._tcec_partners())

    def __len__(self) -> int:
        return sum(1 for _ in self._tcec_partners())


@dataclass(frozen=True, slots=True)
class StationEnergy:
    """A station's energy as the partner counts it (query_station_stats)."""

    station_external_id: str
    first_day: date  # Beijing dates, both counted
    last_day: date
    kwh: Decimal
    kwh_by_connector: Mapping[str, Decimal]


class TcecPartnerGateway:
    """Connects to T/CEC partners: query_token, paged pulls, pings, statistics."""

    def __init__(self, http: HttpFactory, hub_operator_id: str, clock: Clock) -> None:
        self._http = http
        self._hub_operator_id = hub_operator_id
        self._clock = clock
        self._seqs: dict[str, SeqCounter] = {}

    async def connect(self, partner: Partner) -> Partner:
        check_credentials(partner.credentials)
        async with self.client(partner) as client:
            await client.query_token()
        return partner

    async def ping(self, partner: Partner) -> None:
        async with self.client(partner) as client:
            await client.query_token()

    async def pull_network(self, partner: Partner) -> AsyncIterator[NetworkBatch]:
        """Stations page by page, each page with its tariffs and live status."""
        async with self.client(partner) as client:
            await client.query_token()
            page: list[StationInfo] = []
            seen_tariffs: set[TariffId] = set()
            async for info in client.iter_all_stations(PAGE_SIZE):
                page.append(info)
                if len(page) == PAGE_SIZE:
                    yield await self._batch(client, partner, page, seen_tariffs)
                    page = []
            if page:
                yield await self._batch(client, partner, page, seen_tariffs)

    async def station_energy(
        self,
        partner: Partner,
        station_external_id: str,
        first_day: date,
        last_day: date,
    ) -> StationEnergy:
        """query_station_stats: the energy the partner delivered at a station."""
        async with self.client(partner) as client:
            reply = await client.query_station_stats(
                station_external_id, first_day, last_day
            )
        stats = reply.StationStats
        return StationEnergy(
            station_external_id,
            first_day,
            last_day,
            stats.StationElectricity,
            {
                c.ConnectorID: c.ConnectorElectricity
                for e in stats.EquipmentStatsInfos
                for c in e.ConnectorStatsInfos
            },
        )

    async def pull_status(
        self, partner: Partner, station_ids: Sequence[str]
    ) -> AsyncIterator[NetworkBatch]:
        """query_station_status for every station, 50 at a time (T/CEC limit)."""
        async with self.client(partner) as client:
            await client.query_token()
            for start in range(0, len(station_ids), PAGE_SIZE):
                chunk = station_ids[start : start + PAGE_SIZE]
                status = await client.query_station_status(chunk)
                yield self._status_batch(partner, status.StationStatusInfos)

    def _status_batch(
        self, partner: Partner, infos: Sequence[StationStatusInfo]
    ) -> NetworkBatch:
        now = self._clock.now()
        reports: list[PileStatusReport] = []
        swaps: list[SwapStockReport] = []
        for status_info in infos:
            piles, swap = reports_from_station_status(partner.id, status_info, now)
            reports.extend(piles)
            swaps.extend(swap)
        return NetworkBatch((), (), tuple(reports), tuple(swaps))

    async def _batch(
        self,
        client: TcecClient,
        partner: Partner,
        page: list[StationInfo],
        seen_tariffs: set[TariffId],
    ) -> NetworkBatch:
        now = self._clock.now()
        datum = datum_of(partner.credentials)
        policies = await _policies(client, page)
        new_tariffs: list[Tariff] = []
        stations: list[Station] = []
        for info in page:
            # T/CEC has no idle-fee field: ours (and a partner's) is in ParkFee.
            idle = parse_park_fee(info.ParkFee).idle
            station_policies = policies.get(info.StationID, [])
            tariff_id = _tariff_id(partner.id, station_policies, idle)
            if tariff_id not in seen_tariffs and station_policies:
                tariff = tariff_from_policy_infos(tariff_id, station_policies)
                new_tariffs.append(replace(tariff, idle=idle))
                seen_tariffs.add(tariff_id)
            stations.append(
                station_from_station_info(info, partner.id, tariff_id, now, datum=datum)
            )
        status = await client.query_station_status([i.StationID for i in page])
        live = self._status_batch(partner, status.StationStatusInfos)
        return NetworkBatch(
            tuple(stations), tuple(new_tariffs), live.reports, live.swap_reports
        )

    def _seq_for(self, partner: Partner) -> SeqCounter:
        """One Seq counter per partner for all our calls; a random start keeps
        separate hub processes from sending the same (TimeStamp, Seq)."""
        if partner.id not in self._seqs:
            self._seqs[partner.id] = SeqCounter(secrets.randbelow(9999))
        return self._seqs[partner.id]

    @asynccontextmanager
    async def client(self, partner: Partner) -> AsyncIterator[TcecClient]:
        c = partner.credentials
        async with self._http() as http:
            client = TcecClient(
                http,
                base_url=partner.url,
                operator_id=self._hub_operator_id,
                operator_secret=c[OPERATOR_SECRET],
                secrets=peer_config_of(partner).secrets,
                clock=self._clock,
                spelling=spelling_of(c),
                seq=self._seq_for(partner),
            )
            try:
                yield client
            except httpx.HTTPError as exc:
                raise PartnerUnreachableError(f"{partner.id}: {exc!r}") from exc
            except TcecError as exc:
                if exc.ret in (4001, 4002):
                    raise HandshakeError(
                        f"{partner.id}: Ret {exc.ret} {exc.msg}"
                    ) from exc
                raise PartnerUnreachableError(
                    f"{partner.id}: Ret {exc.ret} {exc.msg}"
                ) from exc


async def _policies(
    client: TcecClient, page: list[StationInfo]
) -> dict[str, list[PolicyInfo]]:
    """One query_equip_business_policy per station (its first connector)."""
    limit = asyncio.Semaphore(_POLICY_CONCURRENCY)

    async def one(info: StationInfo) -> tuple[str, list[PolicyInfo]]:
        connector = _first_connector(info)
        if connector is None:
            return info.StationID, []
        async with limit:
            reply = await client.query_equip_business_policy(connector)
        return info.StationID, list(reply.PolicyInfos) if reply.SuccStat == 0 else []

    return dict(await asyncio.gather(*(one(i) for i in page)))


def _first_connector(info: StationInfo) -> str | None:
    for equipment in info.EquipmentInfos:
        for connector in equipment.ConnectorInfos:
            return connector.ConnectorID
    return None


def _tariff_id(
    partner_id: str, policies: list[PolicyInfo], idle: IdleFee | None = None
) -> TariffId:
    """Stations with the same day of prices and the same idle fee share one
    tariff (content-addressed; without an idle fee the id is what it was before
    idle fees were read). Without prices the tariff is unknown, idle fee or not."""
    if not policies:
        return TariffId(f"{partner_id}-unknown")
    prices = [[p.StartTime, str(p.ElecPrice), str(p.SevicePrice)] for p in policies]
    canonical = json.dumps(prices if idle is None else [prices, _idle_key(idle)])
    return TariffId(
        f"{partner_id}-p{hashlib.sha1(canonical.encode()).hexdigest()[:10]}"
    )


def _idle_key(idle: IdleFee) -> list[object]:
    def number(value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")

    return [idle.grace_minutes, number(idle.per_minute), number(idle.cap)]


def build_hub_handlers(
    peers: PartnerPeers, partners: PartnersService, clock: Clock
) -> dict[str, Handler]:
    """Messages partners push to the hub (T/CEC 102.4: notification_*)."""

    async def notification_station_status(
        operator_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        request = parse_body(NotificationStationStatusRequest, body)
        partner = peers.partner_for(operator_id)
        if partner is None:  # pragma: no cover - the endpoint knew the peer
            raise ParameterError("未知的OperatorID")
        info = request.ConnectorStatusInfo
        found = partners.resolve_piles(partner.id, [info.ConnectorID])
        if info.ConnectorID not in found:
            return NotificationStationStatusResponse(Status=1).to_wire()
        pile_id = found[info.ConnectorID]
        observed_at = observed_at_of(info, clock.now())
        report = PileStatusReport(
            pile_id, pile_status_from_code(info.Status), observed_at
        )
        await partners.receive_status(partner.id, [report])
        if info.SwapInfo is not None:
            station_id = StationId(pile_id.removesuffix(f"-{info.ConnectorID}"))
            swap = info.SwapInfo
            partners.receive_swap_stock(
                partner.id,
                [
                    SwapStockReport(
                        station_id, swap.BatteryStock, swap.QueueLength, observed_at
                    )
                ],
            )
        return NotificationStationStatusResponse(Status=0).to_wire()

    return {"notification_stationStatus": notification_station_status}
