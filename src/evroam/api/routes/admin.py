"""Platform operator endpoints under /api/v1/admin (admin bearer token)."""

from __future__ import annotations

import hmac
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException
from pydantic import BaseModel, Field

from evroam.accounts.model import VinTransfer
from evroam.api.deps import ServicesDep
from evroam.api.problem import ADMIN_RESPONSES
from evroam.api.routes.reservations import CableReportPublic, cable_report_public
from evroam.api.schemas.money import yuan
from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.partners.model import DEFAULT_STATUS_TTL_S, Partner, PartnerHealth
from evroam.shared.ids import AccountId, OperatorId, SessionId
from evroam.shared.money import Money
from evroam.wallet.ledger import RefundSource


def require_admin(
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    expected = services.settings.admin_token.encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected):
        raise HTTPException(401, "admin bearer token required")


router = APIRouter(
    prefix="/api/v1/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses=ADMIN_RESPONSES,
)


class PartnerCreate(BaseModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9]{1,31}$", description="operator id")
    name: str = Field(min_length=1, max_length=200)
    protocol: Protocol
    profile: OperatorProfile
    url: str = Field(
        min_length=8, max_length=500, description="OCPI versions URL or T/CEC base URL"
    )
    credentials: dict[str, str] = Field(
        default_factory=dict,
        description="OCPI: token_a. T/CEC: operator_id, operator_secret, data_secret, "
        "data_secret_iv, sig_secret, spelling (standard|service: the spelling "
        "profile), datum (gcj02|wgs84|bd09 of the partner's coordinates; gcj02 "
        "by default)",
    )
    status_ttl_s: int = Field(default=DEFAULT_STATUS_TTL_S, ge=30, le=86_400)


class PartnerHealthPublic(BaseModel):
    id: str
    name: str
    protocol: Protocol
    profile: OperatorProfile
    url: str
    is_reachable: bool
    stations: int
    piles: int
    unknown_piles: int = Field(description="piles whose status is stale (TTL passed)")
    last_push_at: datetime | None
    newest_observed_at: datetime | None
    lag_s: float | None
    last_sync_at: datetime | None
    last_sync_stations: int
    pushes_total: int
    changes_total: int
    errors_total: int
    last_error: str | None
    last_error_at: datetime | None
    status_ttl_s: int


class PartnerHealthList(BaseModel):
    items: list[PartnerHealthPublic]


class SyncResult(BaseModel):
    partner: str
    stations: int


def partner_health_public(h: PartnerHealth) -> PartnerHealthPublic:
    p, f = h.partner, h.feed
    return PartnerHealthPublic(
        id=p.id,
        name=p.name,
        protocol=p.protocol,
        profile=p.profile,
        url=p.url,
        is_reachable=f.is_reachable,
        stations=h.stations,
        piles=h.piles,
        unknown_piles=h.unknown_piles,
        last_push_at=f.last_push_at,
        newest_observed_at=f.newest_observed_at,
        lag_s=None if h.lag_s is None else round(h.lag_s, 3),
        last_sync_at=f.last_sync_at,
        last_sync_stations=f.last_sync_stations,
        pushes_total=f.pushes_total,
        changes_total=f.changes_total,
        errors_total=f.errors_total,
        last_error=f.last_error,
        last_error_at=f.last_error_at,
        status_ttl_s=p.status_ttl_s,
    )


@router.get("/partners", response_model=PartnerHealthList)
def list_partners(services: ServicesDep) -> PartnerHealthList:
    """Every partner with its feed health: last update, lag, errors, stale piles."""
    return PartnerHealthList(
        items=[partner_health_public(h) for h in services.partners.list_health()]
    )


@router.post("/partners", response_model=PartnerHealthPublic, status_code=201)
async def add_partner(
    services: ServicesDep, body: PartnerCreate
) -> PartnerHealthPublic:
    """Onboard a partner: protocol handshake, then a full pull of its network.

    A partner with this id and protocol that exists is onboarded again (new
    handshake with the given URL and credentials, full pull); its stations keep
    their ids. Another protocol under an existing id is refused (422)."""
    partner = Partner(
        id=OperatorId(body.id),
        name=body.name,
        protocol=body.protocol,
        profile=body.profile,
        url=body.url,
        credentials=body.credentials,
        status_ttl_s=body.status_ttl_s,
    )
    return partner_health_public(await services.partners.add_partner(partner))


@router.post("/partners/{partner_id}/sync", response_model=SyncResult)
async def sync_partner(services: ServicesDep, partner_id: str) -> SyncResult:
    """Pull the partner's whole network again (full resync)."""
    stations = await services.partners.sync_partner(OperatorId(partner_id))
    return SyncResult(partner=partner_id, stations=stations)


class ReconcileResult(BaseModel):
    partner: str
    changed_piles: int


@router.post("/partners/{partner_id}/reconcile", response_model=ReconcileResult)
async def reconcile_partner(services: ServicesDep, partner_id: str) -> ReconcileResult:
    """Re-read every pile's live status from the partner (heals lost pushes)."""
    changed = await services.partners.reconcile_status(OperatorId(partner_id))
    return ReconcileResult(partner=partner_id, changed_piles=changed)


class StationEnergyPublic(BaseModel):
    partner: str
    station_id: str = Field(description="the partner's StationID")
    first_day: date
    last_day: date
    kwh: str = Field(examples=["123.45"])
    kwh_by_connector: dict[str, str]


@router.get(
    "/partners/{partner_id}/stations/{station_id}/energy",
    response_model=StationEnergyPublic,
)
async def partner_station_energy(
    services: ServicesDep,
    partner_id: str,
    station_id: str,
    first_day: date,
    last_day: date,
) -> StationEnergyPublic:
    """A T/CEC partner's own count of the energy delivered at one of its stations
    over Beijing days, both counted (T/CEC query_station_stats)."""
    energy = await services.partner_station_energy(
        OperatorId(partner_id), station_id, first_day, last_day
    )
    return StationEnergyPublic(
        partner=partner_id,
        station_id=energy.station_external_id,
        first_day=energy.first_day,
        last_day=energy.last_day,
        kwh=str(energy.kwh),
        kwh_by_connector={k: str(v) for k, v in energy.kwh_by_connector.items()},
    )


class RefundCreate(BaseModel):
    session_id: str = Field(min_length=4, max_length=40)
    amount: str = Field(pattern=r"^\d{1,7}(\.\d{1,2})?$", examples=["12.50"])
    source: RefundSource = Field(
        description="partner: it gives the money back; platform"
    )


class RefundPublic(BaseModel):
    transfer_id: str
    session_id: str
    amount: str
    source: RefundSource
    created_at: datetime


@router.post("/refunds", response_model=RefundPublic, status_code=201)
def refund(
    services: ServicesDep,
    body: RefundCreate,
    key: Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=200)],
) -> RefundPublic:
    """A credit note to the driver for a billed (e.g. disputed) session."""
    done = services.charging.refund(
        SessionId(body.session_id), Money(Decimal(body.amount)), body.source, key
    )
    return RefundPublic(
        transfer_id=done.transfer_id,
        session_id=body.session_id,
        amount=yuan(Money.from_fen(done.amount_fen)),
        source=done.source,
        created_at=done.created_at,
    )


class AccountBlockPublic(BaseModel):
    account_id: str
    is_blocked: bool
    tokens_changed: int = Field(
        description="tokens that changed; CPOs with a Tokens receiver get them "
        "within one feed-watcher round (EVROAM_MAINTENANCE_INTERVAL_S)"
    )


@router.post("/accounts/{account_id}/block", response_model=AccountBlockPublic)
def block_account(services: ServicesDep, account_id: str) -> AccountBlockPublic:
    """Block a driver's account: every token of it turns invalid; partners'
    real-time authorization answers BLOCKED."""
    changed = services.tokens.block(AccountId(account_id))
    return AccountBlockPublic(
        account_id=account_id, is_blocked=True, tokens_changed=changed
    )


@router.post("/accounts/{account_id}/unblock", response_model=AccountBlockPublic)
def unblock_account(services: ServicesDep, account_id: str) -> AccountBlockPublic:
    changed = services.tokens.unblock(AccountId(account_id))
    return AccountBlockPublic(
        account_id=account_id, is_blocked=False, tokens_changed=changed
    )


class CableReportList(BaseModel):
    items: list[CableReportPublic]


@router.get("/cable-reports", response_model=CableReportList)
def list_cable_reports(services: ServicesDep) -> CableReportList:
    """Drivers' stuck-cable reports, newest first."""
    found = services.pile_requests.list_reports()
    return CableReportList(items=[cable_report_public(r) for r in found])


@router.post("/cable-reports/{report_id}/unlock", response_model=CableReportPublic)
async def unlock_connector(services: ServicesDep, report_id: str) -> CableReportPublic:
    """Send UNLOCK_CONNECTOR for a report (an operator's action only: OCPI
    forbids handing it to drivers); the pile's answer updates the report."""
    return cable_report_public(await services.pile_requests.unlock(report_id))


class VinTransferCreate(BaseModel):
    to_account: str = Field(min_length=4, max_length=40, description="account id")
    performed_by: str = Field(
        min_length=1, max_length=100, description="who checked the papers"
    )
    reason: str = Field(min_length=1, max_length=500, examples=["bought second-hand"])


class VinTransferPublic(BaseModel):
    id: str
    vin: str
    from_account: str
    to_account: str
    performed_by: str
    reason: str
    transferred_at: datetime


class VinTransferList(BaseModel):
    items: list[VinTransferPublic]


def vin_transfer_public(t: VinTransfer) -> VinTransferPublic:
    return VinTransferPublic(
        id=t.id,
        vin=t.vin,
        from_account=t.from_account,
        to_account=t.to_account,
        performed_by=t.performed_by,
        reason=t.reason,
        transferred_at=t.transferred_at,
    )


@router.post(
    "/vehicles/{vin}/transfer", response_model=VinTransferPublic, status_code=201
)
def transfer_vehicle(
    services: ServicesDep, vin: str, body: VinTransferCreate
) -> VinTransferPublic:
    """Move a registered car (and its brand discount) to another account once its
    papers are checked; kept as an audit record (who, when, why). Drivers cannot:
    registering a VIN another account holds is a 409."""
    done = services.accounts.transfer_vehicle(
        vin, AccountId(body.to_account), body.performed_by, body.reason
    )
    return vin_transfer_public(done)


@router.get("/vehicles/{vin}/transfers", response_model=VinTransferList)
def list_vehicle_transfers(services: ServicesDep, vin: str) -> VinTransferList:
    """A VIN's transfers between accounts, oldest first."""
    found = services.accounts.list_vehicle_transfers(vin)
    return VinTransferList(items=[vin_transfer_public(t) for t in found])
