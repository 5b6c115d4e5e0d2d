"""Partner settlement endpoints under /api/v1/admin: statements, reconciliation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from evroam.api.deps import ServicesDep
from evroam.api.problem import ADMIN_RESPONSES
from evroam.api.routes.admin import require_admin
from evroam.api.routes.pile_reports import PileTallyPublic, tally_public
from evroam.api.schemas.money import yuan
from evroam.charging.model import ChargeDispute
from evroam.settlement.errors import PartnerRecordsUnavailableError
from evroam.settlement.model import Period, Reconciliation, SideTotals, Statement
from evroam.shared.ids import OperatorId

router = APIRouter(
    prefix="/api/v1/admin",
    tags=["settlement"],
    dependencies=[Depends(require_admin)],
    responses=ADMIN_RESPONSES,
)

PartnerParam = Annotated[str, Query(min_length=1, max_length=64, description="id")]
PeriodParam = Annotated[
    str, Query(description="calendar month in station time, e.g. 2026-10")
]


class PileReportsSummary(BaseModel):
    broken: int
    blocked: int
    piles: list[PileTallyPublic]


class StatementPublic(BaseModel):
    """Money as decimal strings in yuan, energy as a decimal string in kWh."""

    partner_id: str
    period: str
    sessions: int
    kwh: str
    electricity: str
    service: str
    parking: str
    amount_owed: str = Field(description="what we owe the partner")
    discounts: str = Field(description="brand discounts, borne by the platform")
    currency: str
    generated_at: datetime
    pile_reports: PileReportsSummary | None = Field(
        default=None,
        description="drivers' reports of the partner's piles in the period "
        "(broken piles, blocked bays), per pile; who reported is not shown",
    )

    @classmethod
    def of(cls, s: Statement) -> StatementPublic:
        return cls(
            partner_id=s.partner_id,
            period=str(s.period),
            sessions=s.sessions,
            kwh=str(s.kwh),
            electricity=yuan(s.electricity),
            service=yuan(s.service),
            parking=yuan(s.parking),
            amount_owed=yuan(s.amount_owed),
            discounts=yuan(s.discounts),
            currency=s.amount_owed.currency,
            generated_at=s.generated_at,
        )


class SidePublic(BaseModel):
    count: int
    kwh: str
    amount: str

    @classmethod
    def of(cls, t: SideTotals) -> SidePublic:
        return cls(count=t.count, kwh=str(t.kwh), amount=yuan(t.amount))


class DisputePublic(BaseModel):
    partner_record_id: str
    reason: str = Field(
        description="missing_ours | missing_theirs | amount | energy | rerated "
        "| implausible | overrun"
    )
    ours: str | None = Field(description="yuan (kWh for energy); null when absent")
    theirs: str | None


class ReconciliationPublic(BaseModel):
    statement: StatementPublic
    ours: SidePublic
    theirs: SidePublic
    is_reconciled: bool
    disputes: list[DisputePublic]

    @classmethod
    def of(cls, r: Reconciliation) -> ReconciliationPublic:
        return cls(
            statement=StatementPublic.of(r.statement),
            ours=SidePublic.of(r.ours),
            theirs=SidePublic.of(r.theirs),
            is_reconciled=r.is_reconciled,
            disputes=[
                DisputePublic(
                    partner_record_id=d.partner_record_id,
                    reason=str(d.reason),
                    ours=None if d.our_value is None else str(d.our_value),
                    theirs=None if d.their_value is None else str(d.their_value),
                )
                for d in r.disputes
            ],
        )


class ReconcileRequest(BaseModel):
    partner: str = Field(min_length=1, max_length=64)
    period: str = Field(description="calendar month in station time, e.g. 2026-10")


@router.get("/settlements")
def get_statement(
    services: ServicesDep, partner: PartnerParam, period: PeriodParam
) -> StatementPublic:
    """The partner's statement for the month (computed now and kept)."""
    month = Period.parse(period)
    statement = services.settlement.settle_period(OperatorId(partner), month)
    reports = services.pile_reports.list_reports(
        OperatorId(partner), month.starts_at, month.ends_at
    )
    return StatementPublic.of(statement).model_copy(
        update={
            "pile_reports": PileReportsSummary(
                broken=reports.broken,
                blocked=reports.blocked,
                piles=[tally_public(t) for t in reports.piles],
            )
        }
    )


@router.post("/settlements/reconcile")
async def reconcile(
    services: ServicesDep, body: ReconcileRequest
) -> ReconciliationPublic:
    """Our records of the month against the partner's own, record by record."""
    try:
        result = await services.settlement.reconcile(
            OperatorId(body.partner), Period.parse(body.period)
        )
    except PartnerRecordsUnavailableError as exc:
        raise HTTPException(502, str(exc)) from exc
    return ReconciliationPublic.of(result)


class ChargeDisputePublic(BaseModel):
    """A charge record disputed when it was billed (ADR 0023); money in yuan."""

    id: str
    partner_id: str
    session_id: str
    partner_record_id: str
    reason: str = Field(description="rerated | implausible | overrun")
    figures: dict[str, str] = Field(
        description="ours (the tariff in force at the session's start), "
        "cdr_tariff (the tariff an OCPI CDR carries), partner (its own total)"
    )
    billed: str | None = Field(description="what the driver was billed; null: not")
    opened_at: datetime
    detail: str

    @classmethod
    def of(cls, d: ChargeDispute) -> ChargeDisputePublic:
        return cls(
            id=d.id,
            partner_id=d.operator_id,
            session_id=d.session_id,
            partner_record_id=d.partner_record_id,
            reason=d.reason.value,
            figures={name: yuan(money) for name, money in d.figures},
            billed=None if d.billed is None else yuan(d.billed),
            opened_at=d.opened_at,
            detail=d.detail,
        )


class ChargeDisputeList(BaseModel):
    items: list[ChargeDisputePublic]


@router.get("/disputes")
def list_disputes(
    services: ServicesDep,
    partner: Annotated[str | None, Query(max_length=64)] = None,
    period: Annotated[
        str | None, Query(description="calendar month in station time, e.g. 2026-10")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> ChargeDisputeList:
    """Charge records disputed when billed, newest first: every figure we hold
    (our re-rating, the CDR's own tariff, the partner's total) and what the
    driver was billed."""
    month = None if period is None else Period.parse(period)
    found = services.disputes.list(
        None if partner is None else OperatorId(partner),
        None if month is None else month.starts_at,
        None if month is None else month.ends_at,
        limit,
    )
    return ChargeDisputeList(items=[ChargeDisputePublic.of(d) for d in found])
