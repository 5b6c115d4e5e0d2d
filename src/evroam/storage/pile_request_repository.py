"""SQL implementation of the pile requests context's store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine, RowMapping, Table, insert, select, update

from evroam.pile_requests.model import (
    CableReport,
    ReportStatus,
    Reservation,
    ReservationStatus,
)
from evroam.shared.ids import AccountId, OperatorId, PileId, StationId
from evroam.storage.codec import aware_utc
from evroam.storage.pile_request_tables import cable_reports, reservations

_OPEN = [s.value for s in ReservationStatus if s.is_open]


def _row(item: Reservation | CableReport) -> dict[str, Any]:
    row = asdict(item)
    row["status"] = item.status.value
    if row.get("reason"):
        row["reason"] = row["reason"][:300]
    return row


def _times(row: RowMapping, *names: str) -> dict[str, Any]:
    return {name: aware_utc(row[name]) for name in names}


def _reservation(row: RowMapping) -> Reservation:
    return Reservation(
        id=row["id"],
        account_id=AccountId(row["account_id"]),
        operator_id=OperatorId(row["operator_id"]),
        station_id=StationId(row["station_id"]),
        pile_id=PileId(row["pile_id"]),
        minutes=int(row["minutes"]),
        status=ReservationStatus(row["status"]),
        reason=row["reason"],
        **_times(row, "created_at", "expires_at", "updated_at", "answer_by"),
    )


def _report(row: RowMapping) -> CableReport:
    return CableReport(
        id=row["id"],
        account_id=AccountId(row["account_id"]),
        operator_id=OperatorId(row["operator_id"]),
        station_id=StationId(row["station_id"]),
        pile_id=PileId(row["pile_id"]),
        connector_id=row["connector_id"],
        note=row["note"],
        status=ReportStatus(row["status"]),
        reason=row["reason"],
        **_times(row, "created_at", "updated_at", "answer_by"),
    )


class SqlPileRequestStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _add(self, table: Table, row: dict[str, Any]) -> None:
        with self._engine.begin() as conn:
            conn.execute(insert(table).values(**row))

    def _save(self, table: Table, row: dict[str, Any]) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(table).where(table.c.id == row["id"]).values(**row))

    def _rows(self, query: Any) -> list[RowMapping]:
        with self._engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def add_reservation(self, reservation: Reservation) -> None:
        self._add(reservations, _row(reservation))

    def save_reservation(self, reservation: Reservation) -> None:
        self._save(reservations, _row(reservation))

    def find_reservation(self, reservation_id: str) -> Reservation | None:
        rows = self._rows(
            select(reservations).where(reservations.c.id == reservation_id)
        )
        return _reservation(rows[0]) if rows else None

    def reservations_of(
        self, account_id: AccountId, limit: int
    ) -> Sequence[Reservation]:
        c = reservations.c
        query = (
            select(reservations)
            .where(c.account_id == account_id)
            .order_by(c.created_at.desc())
            .limit(limit)
        )
        return [_reservation(r) for r in self._rows(query)]

    def open_reservations(self) -> Sequence[Reservation]:
        query = select(reservations).where(reservations.c.status.in_(_OPEN))
        return [_reservation(r) for r in self._rows(query)]

    def add_report(self, report: CableReport) -> None:
        self._add(cable_reports, _row(report))

    def save_report(self, report: CableReport) -> None:
        self._save(cable_reports, _row(report))

    def find_report(self, report_id: str) -> CableReport | None:
        rows = self._rows(select(cable_reports).where(cable_reports.c.id == report_id))
        return _report(rows[0]) if rows else None

    def list_reports(self, limit: int) -> Sequence[CableReport]:
        query = (
            select(cable_reports)
            .order_by(cable_reports.c.created_at.desc())
            .limit(limit)
        )
        return [_report(r) for r in self._rows(query)]
