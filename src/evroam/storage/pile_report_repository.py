"""SQL store of drivers' pile reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, func, insert, select
from sqlalchemy.exc import IntegrityError

from evroam.pile_reports.model import PileReport, ReportKind
from evroam.shared.ids import AccountId, OperatorId, PileId, StationId
from evroam.storage.codec import aware_utc
from evroam.storage.pile_report_tables import pile_reports

_R = pile_reports.c


class SqlPileReportStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, report: PileReport) -> bool:
        row = {
            "id": report.id,
            "account_id": report.account_id,
            "operator_id": report.operator_id,
            "station_id": report.station_id,
            "pile_id": report.pile_id,
            "kind": report.kind.value,
            "reported_at": report.reported_at,
            "hour_slot": report.hour_slot,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(pile_reports), row)
        except IntegrityError:
            return False
        return True

    def latest_of(self, account_id: AccountId, pile_id: PileId) -> datetime | None:
        query = select(func.max(_R.reported_at)).where(
            _R.account_id == account_id, _R.pile_id == pile_id
        )
        with self._engine.connect() as conn:
            value = conn.execute(query).scalar()
        return None if value is None else aware_utc(value)

    def count_since(self, account_id: AccountId, since: datetime) -> int:
        query = select(func.count()).where(
            _R.account_id == account_id, _R.reported_at >= since
        )
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def reports_of(self, account_id: AccountId) -> Sequence[PileReport]:
        query = (
            select(pile_reports)
            .where(_R.account_id == account_id)
            .order_by(_R.reported_at, _R.id)
        )
        return self._reports(query)

    def list_reports(
        self, operator_id: OperatorId | None, since: datetime, until: datetime
    ) -> Sequence[PileReport]:
        query = (
            select(pile_reports)
            .where(_R.reported_at >= since, _R.reported_at < until)
            .order_by(_R.reported_at, _R.id)
        )
        if operator_id is not None:
            query = query.where(_R.operator_id == operator_id)
        return self._reports(query)

    def _reports(self, query: Select[Any]) -> list[PileReport]:
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            PileReport(
                id=r["id"],
                account_id=AccountId(r["account_id"]),
                operator_id=OperatorId(r["operator_id"]),
                station_id=StationId(r["station_id"]),
                pile_id=PileId(r["pile_id"]),
                kind=ReportKind(r["kind"]),
                reported_at=_at(r["reported_at"]),
            )
            for r in rows
        ]


def _at(value: datetime) -> datetime:
    moment = aware_utc(value)
    assert moment is not None  # the column is NOT NULL
    return moment
