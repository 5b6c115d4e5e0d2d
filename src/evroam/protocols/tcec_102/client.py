"""T/CEC 102 client: sealed requests to a partner (or to the hub) over httpx.

Timestamps are written in Beijing time (``timestamp.py``). ``Seq`` counts
0001..9999 per client and wraps. The bearer token from ``query_token`` is
reused until shortly before it expires and fetched again once on Ret 4002.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from evroam.protocols.tcec_102.envelope import (
    MAX_ENVELOPE_BYTES,
    TcecSecrets,
    open_response,
    seal_request,
)
from evroam.protocols.tcec_102.errors import (
    ParameterError,
    PayloadError,
    ServerError,
    TokenError,
)
from evroam.protocols.tcec_102.models import (
    ConnectorStatusInfo,
    NotificationStationStatusRequest,
    NotificationStationStatusResponse,
    QueryEquipBusinessPolicyRequest,
    QueryEquipBusinessPolicyResponse,
    QueryStationsInfoRequest,
    QueryStationsInfoResponse,
    QueryStationStatsRequest,
    QueryStationStatsResponse,
    QueryStationStatusRequest,
    QueryStationStatusResponse,
    QueryTokenRequest,
    QueryTokenResponse,
    StationInfo,
    StationsInfoPage,
    Wire,
    parse_body,
)
from evroam.protocols.tcec_102.profiles import SpellingProfile, read
from evroam.protocols.tcec_102.timestamp import format_query_time, format_timestamp
from evroam.shared.clock import Clock

STATUS_BATCH = 50  # T/CEC 102.4: query_station_status takes at most 50 StationIDs
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RefusedStation:
    """A StationInfo a partner served that we could not read, and why."""

    station_id: str
    reason: str


class SeqCounter:
    """Envelope ``Seq``: 0001, 0002, ... 9999, then 0001 again."""

    def __init__(self, last: int = 0) -> None:
        self._last = last % 9999

    def next(self) -> str:
        self._last = self._last % 9999 + 1
        return f"{self._last:04d}"


class TcecClient:
    """Calls one T/CEC peer at ``base_url`` (e.g. ``https://cpo.example/evcs/v1``)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        operator_id: str,
        operator_secret: str,
        secrets: TcecSecrets,
        clock: Clock,
        spelling: SpellingProfile = SpellingProfile.STANDARD,
        token_margin_s: int = 60,
        seq: SeqCounter | None = None,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._operator_id = operator_id
        self._operator_secret = operator_secret
        self._secrets = secrets
        self._clock = clock
        self._spelling = spelling
        self._token_margin = timedelta(seconds=token_margin_s)
        # Seq must not repeat within a TimeStamp for this sender: share one
        # counter between clients that talk to the same peer (see hub.py).
        self._seq = seq or SeqCounter()
        self._token: str | None = None
        self._token_expires_at: datetime | None = None
        self._token_lock = asyncio.Lock()
        self.refused_stations: list[RefusedStation] = []

    async def query_token(self) -> QueryTokenResponse:
        """Fetch and keep a new bearer token; ``TokenError`` if the peer refuses."""
        request = QueryTokenRequest(
            OperatorID=self._operator_id, OperatorSecret=self._operator_secret
        )
        body = await self._post("query_token", request.to_wire(), token=None)
        reply = parse_body(QueryTokenResponse, body)
        if reply.SuccStat != 0 or not reply.AccessToken:
            raise TokenError(f"query_token被拒绝 FailReason={reply.FailReason}")
        self._token = reply.AccessToken
        self._token_expires_at = self._clock.now() + timedelta(
            seconds=reply.TokenAvailableTime
        )
        return reply

    async def query_stations_info(
        self,
        page_no: int = 1,
        page_size: int = 10,
        last_query_time: datetime | None = None,
    ) -> QueryStationsInfoResponse:
        request = QueryStationsInfoRequest(
            LastQueryTime=format_query_time(last_query_time)
            if last_query_time
            else None,
            PageNo=page_no,
            PageSize=page_size,
        )
        body = await self.call("query_stations_info", request)
        page = parse_body(StationsInfoPage, body)
        return QueryStationsInfoResponse(
            PageNo=page.PageNo,
            PageCount=page.PageCount,
            ItemSize=page.ItemSize,
            StationInfos=[s for s in map(self._station, page.StationInfos) if s],
        )

    def _station(self, raw: dict[str, Any]) -> StationInfo | None:
        """One StationInfo, or None after noting why it is refused."""
        try:
            return parse_body(StationInfo, raw)
        except PayloadError as exc:
            station_id = raw.get("StationID")
            refused = RefusedStation(str(station_id), exc.msg)
            self.refused_stations.append(refused)
            _log.warning("T/CEC StationInfo %s refused: %s", station_id, exc.msg)
            return None

    async def iter_all_stations(
        self, page_size: int = 100, last_query_time: datetime | None = None
    ) -> AsyncIterator[StationInfo]:
        """Every StationInfo, page by page until ``PageCount`` (or an empty page).
        Stations that misfit are left out and listed in ``refused_stations``."""
        page_no = 1
        while True:
            refused_before = len(self.refused_stations)
            page = await self.query_stations_info(page_no, page_size, last_query_time)
            for info in page.StationInfos:
                yield info
            served = len(page.StationInfos) + len(self.refused_stations)
            if page_no >= page.PageCount or served == refused_before:
                return
            page_no += 1

    async def query_station_status(
        self, station_ids: Sequence[str]
    ) -> QueryStationStatusResponse:
        """Status of any number of stations, asked 50 at a time (the limit)."""
        infos = []
        for start in range(0, len(station_ids), STATUS_BATCH):
            chunk = list(station_ids[start : start + STATUS_BATCH])
            body = await self.call(
                "query_station_status", QueryStationStatusRequest(StationIDs=chunk)
            )
            infos.extend(
                parse_body(QueryStationStatusResponse, body).StationStatusInfos
            )
        return QueryStationStatusResponse(Total=len(infos), StationStatusInfos=infos)

    async def query_station_stats(
        self, station_id: str, first_day: date, last_day: date
    ) -> QueryStationStatsResponse:
        """Energy delivered at a station per connector, days inclusive (local)."""
        request = QueryStationStatsRequest(
            StationID=station_id,
            StartTime=first_day.isoformat(),
            EndTime=last_day.isoformat(),
        )
        body = await self.call("query_station_stats", request)
        return parse_body(QueryStationStatsResponse, body)

    async def query_equip_business_policy(
        self, connector_id: str, equip_biz_seq: str | None = None
    ) -> QueryEquipBusinessPolicyResponse:
        request = QueryEquipBusinessPolicyRequest(
            EquipBizSeq=equip_biz_seq or self._business_seq(),
            ConnectorID=connector_id,
        )
        body = await self.call("query_equip_business_policy", request)
        return parse_body(QueryEquipBusinessPolicyResponse, body)

    async def notification_station_status(
        self, status_info: ConnectorStatusInfo
    ) -> NotificationStationStatusResponse:
        request = NotificationStationStatusRequest(ConnectorStatusInfo=status_info)
        body = await self.call("notification_stationStatus", request)
        return parse_body(NotificationStationStatusResponse, body)

    async def call(self, message: str, request: Wire) -> dict[str, Any]:
        """Send any token-authenticated message; refetch the token once on Ret 4002."""
        body = request.to_wire(self._spelling)
        try:
            return await self._post(message, body, token=await self._valid_token())
        except TokenError:
            self._token = None
            return await self._post(message, body, token=await self._valid_token())

    async def _valid_token(self) -> str:
        async with self._token_lock:
            expires_at = self._token_expires_at
            is_fresh = (
                expires_at is not None
                and self._clock.now() + self._token_margin < expires_at
            )
            if self._token is None or not is_fresh:
                await self.query_token()
            assert self._token is not None  # query_token sets it or raises
            return self._token

    def _business_seq(self) -> str:
        # T/CEC 102.4: a 27-character business sequence = OperatorID (9) + 18 unique.
        stamp = format_timestamp(self._clock.now())
        return f"{self._operator_id[:9]:0>9}{stamp}{self._seq.next()}"

    async def _post(
        self, message: str, body: Mapping[str, Any], token: str | None
    ) -> dict[str, Any]:
        try:
            return await self._post_once(message, body, token)
        except ParameterError:
            # Ret 4003 also answers an envelope the peer took for a replay (its
            # TimeStamp and Seq seen before) or one outside its time window; it
            # was not acted on, and a fresh envelope cures both. A real
            # parameter error fails the same way again.
            return await self._post_once(message, body, token)

    async def _post_once(
        self, message: str, body: Mapping[str, Any], token: str | None
    ) -> dict[str, Any]:
        envelope = seal_request(
            self._secrets,
            self._operator_id,
            body,
            format_timestamp(self._clock.now()),
            self._seq.next(),
        )
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self._http.post(
            f"{self._base_url}/{message}", json=envelope, headers=headers
        )
        if len(response.content) > MAX_ENVELOPE_BYTES:
            raise PayloadError("应答过大")
        try:
            payload = response.json()
        except ValueError as exc:
            raise ServerError(f"{message}: HTTP {response.status_code}") from exc
        return dict(read(open_response(self._secrets, payload), self._spelling))
