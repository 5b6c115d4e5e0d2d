"""SQL implementation of the charging context's SessionStore and its transactions."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from evroam.charging.errors import IdempotencyKeyReusedError
from evroam.charging.model import (
    BilledCharge,
    ChargeDispute,
    ChargingSession,
    Receipt,
    ReceiptLine,
    SessionStatus,
)
from evroam.charging.silence import WAITING
from evroam.shared.ids import (
    AccountId,
    OperatorId,
    PileId,
    SessionId,
    StationId,
    TariffId,
)
from evroam.shared.message import Message
from evroam.shared.money import Money
from evroam.storage.charging_tables import (
    billed_charges,
    charging_sessions,
    receipts,
)
from evroam.storage.codec import aware_utc
from evroam.storage.dispute_repository import disputes_of_session, open_in
from evroam.storage.ledger_repository import SqlLedgerUnitOfWork, writer_transaction


class SqlSessionStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self, session: ChargingSession, idempotency_key: str, fingerprint: str
    ) -> ChargingSession:
        row = {
            **_row(session),
            "idempotency_key": idempotency_key,
            "fingerprint": fingerprint,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(charging_sessions), [row])
            return session
        except IntegrityError:
            pass  # the key was used: answer as the first time, or refuse
        c = charging_sessions.c
        with self._engine.connect() as conn:
            held = (
                conn.execute(
                    select(charging_sessions).where(
                        c.account_id == session.account_id,
                        c.idempotency_key == idempotency_key,
                    )
                )
                .mappings()
                .one()
            )
        if held["fingerprint"] != fingerprint:
            raise IdempotencyKeyReusedError(idempotency_key)
        return _session(held)

    def find(self, session_id: SessionId) -> ChargingSession | None:
        with self._engine.connect() as conn:
            row = (
                conn.execute(
                    select(charging_sessions).where(
                        charging_sessions.c.id == session_id
                    )
                )
                .mappings()
                .first()
            )
        return _session(row) if row else None

    def find_by_key(
        self, account_id: AccountId, idempotency_key: str
    ) -> tuple[ChargingSession, str] | None:
        c = charging_sessions.c
        with self._engine.connect() as conn:
            row = (
                conn.execute(
                    select(charging_sessions).where(
                        c.account_id == account_id, c.idempotency_key == idempotency_key
                    )
                )
                .mappings()
                .first()
            )
        return (_session(row), row["fingerprint"]) if row else None

    @contextmanager
    def transaction(self) -> Iterator[SqlSessionTransaction]:
        """One database transaction for the session and the ledger (SQLite:
        ``BEGIN IMMEDIATE``, the one writer, as the ledger's own units)."""
        with writer_transaction(self._engine, SqlSessionTransaction) as tx:
            yield tx

    def discard_unheld(self, session_id: SessionId) -> None:
        c = charging_sessions.c
        with self._engine.begin() as conn:
            conn.execute(
                delete(charging_sessions).where(c.id == session_id, c.hold_id == "")
            )

    def list_for_account(
        self, account_id: AccountId, limit: int
    ) -> Sequence[ChargingSession]:
        c = charging_sessions.c
        query = (
            select(charging_sessions)
            .where(c.account_id == account_id)
            .order_by(c.created_at.desc(), c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [_session(r) for r in conn.execute(query).mappings()]

    def list_requested(self, limit: int) -> Sequence[ChargingSession]:
        c = charging_sessions.c
        query = (
            select(charging_sessions)
            .where(c.status == SessionStatus.REQUESTED.value)
            .order_by(c.created_at, c.id)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [_session(r) for r in conn.execute(query).mappings()]

    def list_silent(
        self, heard_before: datetime, limit: int
    ) -> Sequence[ChargingSession]:
        c = charging_sessions.c
        heard = func.coalesce(c.last_heard_at, c.started_at, c.created_at)
        query = (
            select(charging_sessions)
            .where(c.status.in_(sorted(s.value for s in WAITING)))
            .where(heard <= heard_before)
            .order_by(heard, c.id)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [_session(r) for r in conn.execute(query).mappings()]

    def find_receipt(self, session_id: SessionId) -> Receipt | None:
        with self._engine.connect() as conn:
            body = conn.execute(
                select(receipts.c.body).where(receipts.c.session_id == session_id)
            ).scalar()
        return _receipt(body) if body else None

    def list_receipts(self, account_id: AccountId, limit: int) -> Sequence[Receipt]:
        query = (
            select(receipts.c.body)
            .where(receipts.c.account_id == account_id)
            .order_by(receipts.c.issued_at.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [_receipt(body) for body in conn.execute(query).scalars()]

    def list_disputes(self, session_id: SessionId) -> Sequence[ChargeDispute]:
        with self._engine.connect() as conn:
            return disputes_of_session(conn, session_id)


class SqlSessionTransaction:
    """``SessionTransaction`` on one connection: the session's compare-and-set,
    its receipt, disputes and the ledger's unit of work commit together."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.ledger = SqlLedgerUnitOfWork(conn)
        self.committed = False

    def save(self, session: ChargingSession) -> bool:
        values = _row(session)
        del values["id"]
        c = charging_sessions.c
        stored = self._conn.execute(
            update(charging_sessions)
            .where(c.id == session.id, c.version == session.version - 1)
            .values(**values)
        )
        return stored.rowcount == 1

    def add_receipt(self, receipt: Receipt, charge: BilledCharge) -> None:
        self._conn.execute(
            insert(receipts),
            [
                {
                    "session_id": receipt.session_id,
                    "account_id": receipt.account_id,
                    "issued_at": receipt.issued_at,
                    "body": _receipt_json(receipt),
                }
            ],
        )
        self._conn.execute(insert(billed_charges), [_charge_row(charge)])

    def open_dispute(self, dispute: ChargeDispute) -> None:
        open_in(self._conn, dispute)

    def commit(self) -> None:
        self._conn.commit()
        self.committed = True


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _row(s: ChargingSession) -> dict[str, Any]:
    return {
        "id": s.id,
        "account_id": s.account_id,
        "operator_id": s.operator_id,
        "station_id": s.station_id,
        "pile_id": s.pile_id,
        "status": s.status.value,
        "hold_id": s.hold_id,
        "hold_fen": s.hold_amount.fen,
        "created_at": s.created_at,
        "target_kwh": _text(s.target_kwh),
        "target_soc": _text(s.target_soc),
        "target_amount_fen": s.target_amount.fen if s.target_amount else None,
        "partner_session_id": s.partner_session_id,
        "started_at": s.started_at,
        "ended_at": s.ended_at,
        "kwh": str(s.kwh),
        "power_kw": _text(s.power_kw),
        "soc": _text(s.soc),
        "cost_fen": s.cost_so_far.fen if s.cost_so_far else None,
        "progress_at": s.progress_at,
        "reason": s.reason,
        "tariff_id": s.tariff_id,
        "version": s.version,
        "start_sent_at": s.start_sent_at,
        "start_acknowledged_at": s.start_acknowledged_at,
        "start_timeout_s": s.start_timeout_s,
        "start_attempts": s.start_attempts,
        "last_heard_at": s.last_heard_at,
        "closed_at": s.closed_at,
    }


def _session(r: RowMapping) -> ChargingSession:
    return ChargingSession(
        id=SessionId(r["id"]),
        account_id=AccountId(r["account_id"]),
        operator_id=OperatorId(r["operator_id"]),
        station_id=StationId(r["station_id"]),
        pile_id=PileId(r["pile_id"]),
        status=SessionStatus(r["status"]),
        hold_id=r["hold_id"],
        hold_amount=Money.from_fen(r["hold_fen"]),
        created_at=aware_utc(r["created_at"]) or r["created_at"],
        target_kwh=_decimal(r["target_kwh"]),
        target_soc=_decimal(r["target_soc"]),
        target_amount=None
        if r["target_amount_fen"] is None
        else Money.from_fen(r["target_amount_fen"]),
        partner_session_id=r["partner_session_id"],
        started_at=aware_utc(r["started_at"]),
        ended_at=aware_utc(r["ended_at"]),
        kwh=Decimal(r["kwh"]),
        power_kw=_decimal(r["power_kw"]),
        soc=_decimal(r["soc"]),
        cost_so_far=None if r["cost_fen"] is None else Money.from_fen(r["cost_fen"]),
        progress_at=aware_utc(r["progress_at"]),
        reason=r["reason"],
        tariff_id=None if r["tariff_id"] is None else TariffId(r["tariff_id"]),
        version=r["version"],
        start_sent_at=aware_utc(r["start_sent_at"]),
        start_acknowledged_at=aware_utc(r["start_acknowledged_at"]),
        start_timeout_s=r["start_timeout_s"],
        start_attempts=r["start_attempts"],
        last_heard_at=aware_utc(r["last_heard_at"]),
        closed_at=aware_utc(r["closed_at"]),
    )


def _receipt_json(r: Receipt) -> str:
    return json.dumps(
        {
            "id": r.id,
            "session_id": r.session_id,
            "account_id": r.account_id,
            "operator_id": r.operator_id,
            "station_id": r.station_id,
            "started_at": r.started_at.isoformat(),
            "ended_at": r.ended_at.isoformat(),
            "kwh": str(r.kwh),
            "lines": [_line_json(line) for line in r.lines],
            "partner_total_fen": r.partner_total.fen,
            "discount_total_fen": r.discount_total.fen,
            "driver_total_fen": r.driver_total.fen,
            "issued_at": r.issued_at.isoformat(),
        },
        ensure_ascii=False,
    )


def _line_json(line: ReceiptLine) -> list[Any]:
    row: list[Any] = [line.kind, line.description, line.amount.fen]
    if line.said is not None:
        row += [line.said.code, dict(line.said.params)]
    return row


def _line(row: list[Any]) -> ReceiptLine:
    """[kind, text, fen] and, since ADR 0045, [..., code, params]."""
    kind, text, fen = row[:3]
    said = None
    if len(row) == 5:
        said = Message(row[3], text, tuple(row[4].items()))
    return ReceiptLine(kind, text, Money.from_fen(fen), said)


def _receipt(body: str) -> Receipt:
    d = json.loads(body)
    return Receipt(
        id=d["id"],
        session_id=SessionId(d["session_id"]),
        account_id=AccountId(d["account_id"]),
        operator_id=OperatorId(d["operator_id"]),
        station_id=StationId(d["station_id"]),
        started_at=datetime.fromisoformat(d["started_at"]),
        ended_at=datetime.fromisoformat(d["ended_at"]),
        kwh=Decimal(d["kwh"]),
        lines=tuple(_line(row) for row in d["lines"]),
        partner_total=Money.from_fen(d["partner_total_fen"]),
        discount_total=Money.from_fen(d["discount_total_fen"]),
        driver_total=Money.from_fen(d["driver_total_fen"]),
        issued_at=datetime.fromisoformat(d["issued_at"]),
    )


def _charge_row(c: BilledCharge) -> dict[str, Any]:
    return {
        "session_id": c.session_id,
        "operator_id": c.operator_id,
        "partner_record_id": c.partner_record_id,
        "started_at": c.started_at,
        "ended_at": c.ended_at,
        "kwh": str(c.kwh),
        "electricity_fen": c.electricity.fen,
        "service_fen": c.service.fen,
        "parking_fen": c.parking.fen,
        "partner_total_fen": c.partner_total.fen,
        "discount_fen": c.discount_total.fen,
        "partner_reported_fen": c.partner_reported_total.fen,
        "billed_at": c.billed_at,
    }
