"""Partners' own charge records for settlement: OCPI CDRs pulled, T/CEC refused.

OCPI 2.2.1, CDRs module: the CPO's CDRs SENDER serves ``GET {cdrs}`` paginated
and filtered on ``last_updated`` (not the end of charging). A CDR is written
after its session ends, often later, so the pull asks for CDRs updated from the
period start until ``late_cdr_days`` after its end and keeps those whose
``end_date_time`` falls in the period.

T/CEC 102.3 gives the platform no query for a partner's orders: the partner
sends ``check_charge_orders`` (its orders of a time range), the hub answers
with the disputed orders (``SettlementService.answer_order_check``) and keeps
the check. Reconciling a T/CEC partner's period compares our records with the
orders of the checks it sent for that period; until its checks cover the whole
period, the records are unavailable and the reply says which part is missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from typing import Protocol as TypingProtocol
from urllib.parse import urljoin

import httpx
from pydantic import ValidationError

from evroam.catalogue.model import Protocol
from evroam.charging.remote import ChargeRecord, OrderCheck
from evroam.gateways.ocpi.hub import peer_from_partner
from evroam.gateways.ocpi.sessions import charge_record_from_cdr
from evroam.partners.model import Partner
from evroam.protocols.ocpi_2_2_1.client import request_headers
from evroam.protocols.ocpi_2_2_1.datatypes import format_datetime
from evroam.protocols.ocpi_2_2_1.enums import ModuleId
from evroam.protocols.ocpi_2_2_1.models import OcpiResponse
from evroam.protocols.ocpi_2_2_1.sessions import CDR
from evroam.settlement.errors import PartnerRecordsUnavailableError
from evroam.settlement.model import PartnerLedger, PartnerRecord, RecordKey
from evroam.shared.ids import OperatorId
from evroam.shared.money import Money

PAGE_LIMIT = 100
LATE_CDR_DAYS = 7
_MAX_PAGES = 100_000


class OcpiCdrRecords:
    """A CPO's CDRs of a period, pulled from its CDRs sender."""

    def __init__(
        self,
        http: Callable[[], httpx.AsyncClient],
        *,
        page_limit: int = PAGE_LIMIT,
        late_cdr_days: int = LATE_CDR_DAYS,
    ) -> None:
        self._http = http
        self._page_limit = page_limit
        self._late = timedelta(days=late_cdr_days)

    async def pull_from(
        self, partner: Partner, starts_at: datetime, ends_at: datetime
    ) -> PartnerLedger:
        records = [
            PartnerRecord(r.partner_record_id, r.kwh, Money.of(r.total_money))
            async for r in self._charge_records(partner, starts_at, ends_at)
            if starts_at <= r.ended_at < ends_at
        ]
        return PartnerLedger(RecordKey.PARTNER_RECORD_ID, tuple(records))

    async def _charge_records(
        self, partner: Partner, starts_at: datetime, ends_at: datetime
    ) -> AsyncIterator[ChargeRecord]:
        peer = peer_from_partner(partner)
        url: str | None = peer.endpoints.get(ModuleId.CDRS)
        if url is None or not peer.outgoing_token:
            raise PartnerRecordsUnavailableError(
                f"{partner.id}: no CDRs endpoint registered (OCPI handshake first)"
            )
        headers = request_headers(peer.outgoing_token)
        params: dict[str, str | int] | None = {
            "date_from": format_datetime(starts_at),
            "date_to": format_datetime(ends_at + self._late),
            "offset": 0,
            "limit": self._page_limit,
        }
        async with self._http() as http:
            for _ in range(_MAX_PAGES):
                if url is None:
                    return
                response = await _get(http, url, params, headers, partner.id)
                for cdr in _cdrs(response, partner.id):
                    yield charge_record_from_cdr(cdr.authorization_reference or "", cdr)
                link = response.links.get("next")
                url = urljoin(str(response.url), link["url"]) if link else None
                params = None  # the next link carries them


async def _get(
    http: httpx.AsyncClient,
    url: str,
    params: dict[str, str | int] | None,
    headers: dict[str, str],
    partner_id: str,
) -> httpx.Response:
    try:
        return await http.get(url, params=params, headers=headers)
    except httpx.HTTPError as exc:
        raise PartnerRecordsUnavailableError(f"{partner_id}: GET {url}: {exc}") from exc


def _cdrs(response: httpx.Response, partner_id: str) -> list[CDR]:
    """A page's CDRs; an unreadable page or CDR makes the pull fail: skipping a
    record would show as a dispute that is not one."""
    try:
        envelope = OcpiResponse[list[Any]].model_validate_json(response.content)
        if envelope.status_code != 1000 or response.status_code >= 400:
            raise PartnerRecordsUnavailableError(
                f"{partner_id}: CDRs answer {response.status_code}/"
                f"{envelope.status_code} {envelope.status_message or ''}".rstrip()
            )
        return [CDR.model_validate(item) for item in envelope.data or []]
    except ValidationError as exc:
        raise PartnerRecordsUnavailableError(
            f"{partner_id}: unreadable CDRs page (HTTP {response.status_code}): {exc}"
        ) from exc


class OrderCheckSource(TypingProtocol):
    def within(
        self, partner_id: str, starts_at: datetime, ends_at: datetime
    ) -> Sequence[OrderCheck]: ...


class TcecOrderCheckRecords:
    """A T/CEC partner's orders of a period: those of the check_charge_orders it
    sent whose ranges lie in the period and together cover it (a later check
    of an order replaces an earlier one)."""

    def __init__(self, checks: OrderCheckSource) -> None:
        self._checks = checks

    def pull_from(
        self, partner: Partner, starts_at: datetime, ends_at: datetime
    ) -> PartnerLedger:
        checks = self._checks.within(partner.id, starts_at, ends_at)
        gap = first_gap(checks, starts_at, ends_at)
        if gap is not None:
            raise PartnerRecordsUnavailableError(
                f"{partner.id}: no check_charge_orders received for "
                f"{gap[0].isoformat()} to {gap[1].isoformat()}; T/CEC partners "
                "send their orders in check_charge_orders, the hub cannot ask"
            )
        latest = {o.ref: o for check in checks for o in check.orders}
        records = tuple(
            PartnerRecord(o.ref, o.kwh, Money.of(o.total_money))
            for o in latest.values()
        )
        return PartnerLedger(RecordKey.SESSION_REF, records)


def first_gap(
    checks: Sequence[OrderCheck], starts_at: datetime, ends_at: datetime
) -> tuple[datetime, datetime] | None:
    """The first part of [starts_at, ends_at) no check covers, or None."""
    covered_until = starts_at
    for check in sorted(checks, key=lambda c: c.starts_at):
        if check.starts_at > covered_until:
            return covered_until, check.starts_at
        covered_until = max(covered_until, check.ends_at)
    if covered_until < ends_at:
        return covered_until, ends_at
    return None


class ProtocolPartnerRecords:
    """``PartnerRecords`` for every partner: picks the way by its protocol."""

    def __init__(
        self,
        get_partner: Callable[[OperatorId], Partner],
        ocpi: OcpiCdrRecords,
        tcec: TcecOrderCheckRecords,
    ) -> None:
        self._get_partner = get_partner
        self._ocpi = ocpi
        self._tcec = tcec

    async def pull(
        self, partner_id: OperatorId, starts_at: datetime, ends_at: datetime
    ) -> PartnerLedger:
        partner = self._get_partner(partner_id)
        if partner.protocol is Protocol.OCPI:
            return await self._ocpi.pull_from(partner, starts_at, ends_at)
        if partner.protocol is Protocol.TCEC:
            return self._tcec.pull_from(partner, starts_at, ends_at)
        raise PartnerRecordsUnavailableError(
            f"{partner_id}: a {partner.protocol} partner keeps no records of its own"
        )


__all__ = [
    "LATE_CDR_DAYS",
    "PAGE_LIMIT",
    "OcpiCdrRecords",
    "ProtocolPartnerRecords",
    "TcecOrderCheckRecords",
    "first_gap",
]
