"""Drivers report a pile broken or its bay blocked; the admin reads them per partner."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from evroam.api.deps import CurrentAccount, ServicesDep
from evroam.api.problem import ADMIN_RESPONSES, AUTH_RESPONSES, documented, problem
from evroam.api.routes.admin import require_admin
from evroam.pile_reports.errors import (
    AlreadyReportedError,
    PileReportError,
    ReportConsentRequiredError,
)
from evroam.pile_reports.model import PileReport, PileTally, ReportKind
from evroam.pile_reports.service import PartnerReports
from evroam.shared.ids import OperatorId, PileId

router = APIRouter(prefix="/api/v1", tags=["pile reports"])
DEFAULT_DAYS = 30


class PileReportCreate(BaseModel):
    pile_id: str = Field(min_length=1, max_length=200)
    kind: ReportKind = Field(
        description="broken: the pile does not charge; blocked: its bay is taken "
        "(a fuel car, a car not charging)"
    )


class PileReportPublic(BaseModel):
    id: str
    pile_id: str
    station_id: str
    operator: str
    kind: ReportKind
    reported_at: datetime


class PileTallyPublic(BaseModel):
    pile_id: str
    station_id: str
    broken: int
    blocked: int
    last_reported_at: datetime


class PartnerReportsPublic(BaseModel):
    """A partner's reports: who reported is not shown (personal data)."""

    partner: str | None
    since: datetime
    until: datetime
    broken: int
    blocked: int
    piles: list[PileTallyPublic]
    reports: list[PileReportPublic]


def report_public(r: PileReport) -> PileReportPublic:
    return PileReportPublic(
        id=r.id,
        pile_id=r.pile_id,
        station_id=r.station_id,
        operator=r.operator_id,
        kind=r.kind,
        reported_at=r.reported_at,
    )


def tally_public(t: PileTally) -> PileTallyPublic:
    return PileTallyPublic(
        pile_id=t.pile_id,
        station_id=t.station_id,
        broken=t.broken,
        blocked=t.blocked,
        last_reported_at=t.last_reported_at,
    )


def partner_reports_public(p: PartnerReports) -> PartnerReportsPublic:
    return PartnerReportsPublic(
        partner=p.operator_id,
        since=p.since,
        until=p.until,
        broken=p.broken,
        blocked=p.blocked,
        piles=[tally_public(t) for t in p.piles],
        reports=[report_public(r) for r in p.reports],
    )


@router.post(
    "/pile-reports",
    status_code=201,
    response_model=PileReportPublic,
    responses={
        **AUTH_RESPONSES,
        403: documented(
            'No consent to pile reports: PUT /api/v1/me/consent {"pile_reports": true}'
        ),
        404: documented("No such pile"),
        409: documented("You reported this pile within the hour (Retry-After)"),
        429: documented("More than 10 reports in an hour (Retry-After)"),
    },
)
def report_pile(
    services: ServicesDep, account: CurrentAccount, body: PileReportCreate
) -> PileReportPublic | JSONResponse:
    """Report a pile broken or its bay blocked: one report per pile an hour,
    ten an hour in all, with your consent (docs/pile-reports.md)."""
    try:
        report = services.pile_reports.report_pile(
            account.id, PileId(body.pile_id), body.kind
        )
    except PileReportError as exc:
        return _refused(exc)
    return report_public(report)


def _refused(exc: PileReportError) -> JSONResponse:
    if isinstance(exc, ReportConsentRequiredError):
        return problem(403, "Consent required", str(exc))
    if isinstance(exc, AlreadyReportedError):
        response = problem(409, "Already reported", str(exc))
    else:
        response = problem(429, "Too many reports", str(exc))
    if exc.retry_after_s is not None:
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


@router.get(
    "/admin/pile-reports",
    response_model=PartnerReportsPublic,
    dependencies=[Depends(require_admin)],
    responses=ADMIN_RESPONSES,
    tags=["admin"],
)
def list_pile_reports(
    services: ServicesDep,
    partner: Annotated[
        str | None, Query(min_length=1, max_length=64, description="partner id")
    ] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> PartnerReportsPublic:
    """Drivers' reports of a partner's piles (or all), per pile and each one;
    the last 30 days unless ``since``/``until`` say otherwise."""
    end = until or services.clock.now() + timedelta(seconds=1)  # now included
    start = since or end - timedelta(days=DEFAULT_DAYS)
    found = services.pile_reports.list_reports(
        None if partner is None else OperatorId(partner), start, end
    )
    return partner_reports_public(found)
