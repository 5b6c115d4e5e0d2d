"""The driver's own data: /api/v1/me/consent, /usage, /export and erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from evroam.analytics.personal import (
    Consent,
    ConsentRequiredError,
    ErasureBlockedError,
    PersonalDataService,
    PersonalExport,
    UsageReport,
)
from evroam.api.deps import CurrentAccount, ServicesDep
from evroam.api.problem import AUTH_RESPONSES, documented, problem
from evroam.api.schemas.accounts import account_public, vehicle_public
from evroam.api.schemas.money import receipt_public, session_public, yuan
from evroam.shared.money import Money

router = APIRouter(prefix="/api/v1/me", tags=["me"], responses=AUTH_RESPONSES)


def personal_data(services: ServicesDep) -> PersonalDataService:
    return services.personal


PersonalDep = Annotated[PersonalDataService, Depends(personal_data)]


class ConsentUpdate(BaseModel):
    """The purposes to change; one left out keeps its value."""

    usage_analytics: bool | None = Field(
        None, description="your personal usage report (GET /api/v1/me/usage)"
    )
    pile_reports: bool | None = Field(
        None,
        description="reporting piles broken or bays blocked (POST "
        "/api/v1/pile-reports): we keep who reported which pile when",
    )


class ConsentPublic(BaseModel):
    usage_analytics: bool
    pile_reports: bool
    updated_at: datetime | None


class MonthPublic(BaseModel):
    month: str
    sessions: int


class PlacePublic(BaseModel):
    name: str
    lat: float
    lon: float
    sessions: int
    station_ids: list[str]


class UsagePublic(BaseModel):
    sessions: int
    by_hour: list[int]  # 24 counts, Asia/Shanghai hour of the start
    by_weekday: list[int]  # 7 counts, Monday first
    per_month: list[MonthPublic]
    favourite_places: list[PlacePublic]
    average_kwh: str
    total_spend: str
    discount_savings: str


def consent_public(consent: Consent) -> ConsentPublic:
    return ConsentPublic(
        usage_analytics=consent.usage_analytics,
        pile_reports=consent.pile_reports,
        updated_at=consent.updated_at,
    )


def usage_public(report: UsageReport) -> UsagePublic:
    return UsagePublic(
        sessions=report.sessions,
        by_hour=list(report.by_hour),
        by_weekday=list(report.by_weekday),
        per_month=[
            MonthPublic(month=m.month, sessions=m.sessions) for m in report.per_month
        ],
        favourite_places=[
            PlacePublic(
                name=p.name,
                lat=p.lat,
                lon=p.lon,
                sessions=p.sessions,
                station_ids=list(p.station_ids),
            )
            for p in report.favourite_places
        ],
        average_kwh=str(report.average_kwh),
        total_spend=yuan(report.total_spend),
        discount_savings=yuan(report.discount_savings),
    )


def export_document(export: PersonalExport) -> dict[str, Any]:
    """The export as JSON-ready data (dates as ISO 8601, money as yuan strings)."""
    return {
        "exported_at": export.exported_at.isoformat(),
        "account": account_public(export.account).model_dump(mode="json"),
        "vehicles": [
            vehicle_public(v).model_dump(mode="json") for v in export.vehicles
        ],
        "consent_history": [
            {"purpose": c.purpose, "is_granted": c.is_granted, "at": c.at.isoformat()}
            for c in export.consent_history
        ],
        "sessions": [
            session_public(s).model_dump(mode="json") for s in export.sessions
        ],
        "receipts": [
            receipt_public(r).model_dump(mode="json") for r in export.receipts
        ],
        "wallet_history": [
            {
                "seq": line.seq,
                "kind": line.transfer.kind.value,
                "reference": line.transfer.reference,
                "available_change": yuan(Money.from_fen(line.available_fen)),
                "held_change": yuan(Money.from_fen(line.held_fen)),
                "owed_change": yuan(Money.from_fen(line.owed_fen)),
                "at": line.transfer.created_at.isoformat(),
            }
            for line in export.wallet_lines
        ],
        "pile_reports": [
            {
                "id": r.id,
                "pile_id": r.pile_id,
                "station_id": r.station_id,
                "kind": r.kind.value,
                "reported_at": r.reported_at.isoformat(),
            }
            for r in export.pile_reports
        ],
    }


@router.get("/consent", response_model=ConsentPublic)
def my_consent(personal: PersonalDep, account: CurrentAccount) -> ConsentPublic:
    """Whether we may build your personal usage report (off unless you say so)."""
    return consent_public(personal.get_consent(account.id))


@router.put("/consent", response_model=ConsentPublic)
def set_my_consent(
    personal: PersonalDep, account: CurrentAccount, body: ConsentUpdate
) -> ConsentPublic:
    """Give or withdraw consent; every change is kept in your consent history."""
    consent = personal.set_consent(
        account.id, body.usage_analytics, pile_reports=body.pile_reports
    )
    return consent_public(consent)


@router.get(
    "/usage",
    response_model=UsagePublic,
    responses={403: documented("No consent to usage analytics")},
)
def my_usage(personal: PersonalDep, account: CurrentAccount) -> Any:
    """When and where you charge, how much, and what discounts saved you."""
    try:
        return usage_public(personal.my_usage(account.id))
    except ConsentRequiredError as exc:
        return problem(403, "Consent required", str(exc))


@router.get("/export")
def export_my_data(personal: PersonalDep, account: CurrentAccount) -> JSONResponse:
    """Everything we hold about you, as a downloadable JSON document."""
    document = export_document(personal.export(account.id))
    name = f"evroam-export-{account.id}.json"
    return JSONResponse(
        document, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.delete(
    "",
    status_code=204,
    responses={409: documented("A charging session is still open")},
)
def erase_me(personal: PersonalDep, account: CurrentAccount) -> Response:
    """Erase your account (ADR 0010): identity, vehicles and consent are deleted;
    financial records the law makes us keep stay under an irreversible pseudonym."""
    try:
        personal.erase(account.id)
    except ErasureBlockedError as exc:
        return problem(409, "Erasure blocked", str(exc))
    return Response(status_code=204)
