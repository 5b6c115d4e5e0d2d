"""SQL implementation of the charging context's DisputeStore (table ``disputes``).

One row per partner, charge record and reason (``uq_dispute_record``): a record
re-sent, or re-rated again after a crash, finds its dispute already open.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, insert, select
from sqlalchemy.exc import IntegrityError

from evroam.charging.model import ChargeDispute, DisputeReason
from evroam.shared.ids import OperatorId, SessionId
from evroam.shared.money import Money
from evroam.storage.charging_tables import disputes
from evroam.storage.codec import aware_utc


class SqlDisputeStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open(self, dispute: ChargeDispute) -> ChargeDispute:
        try:
            with self._engine.begin() as conn:
                open_in(conn, dispute)
            return dispute
        except IntegrityError:
            held = self.find(
                dispute.operator_id, dispute.partner_record_id, dispute.reason
            )
            if held is None:  # the conflict was on the id: a bug, not a retry
                raise
            return held

    def find(
        self, operator_id: OperatorId, partner_record_id: str, reason: DisputeReason
    ) -> ChargeDispute | None:
        c = disputes.c
        query = select(disputes).where(
            c.operator_id == operator_id,
            c.partner_record_id == partner_record_id,
            c.reason == reason.value,
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _dispute(row)

    def list(
        self,
        operator_id: OperatorId | None = None,
        opened_from: datetime | None = None,
        opened_before: datetime | None = None,
        limit: int = 500,
    ) -> Sequence[ChargeDispute]:
        c = disputes.c
        query = select(disputes).order_by(c.opened_at.desc(), c.id).limit(limit)
        if operator_id is not None:
            query = query.where(c.operator_id == operator_id)
        if opened_from is not None:
            query = query.where(c.opened_at >= opened_from)
        if opened_before is not None:
            query = query.where(c.opened_at < opened_before)
        with self._engine.connect() as conn:
            return [_dispute(r) for r in conn.execute(query).mappings()]


def open_in(conn: Connection, dispute: ChargeDispute) -> None:
    """Insert ``dispute`` in the caller's transaction (a unit of work that bills
    or refuses a record opens its dispute with it); IntegrityError if held."""
    conn.execute(insert(disputes), [_row(dispute)])


def disputes_of_session(conn: Connection, session_id: str) -> list[ChargeDispute]:
    """A session's disputes, oldest first."""
    c = disputes.c
    query = (
        select(disputes).where(c.session_id == session_id).order_by(c.opened_at, c.id)
    )
    return [_dispute(r) for r in conn.execute(query).mappings()]


def _row(d: ChargeDispute) -> dict[str, Any]:
    return {
        "id": d.id,
        "operator_id": d.operator_id,
        "session_id": d.session_id,
        "partner_record_id": d.partner_record_id,
        "reason": d.reason.value,
        "figures": json.dumps({name: str(m.amount) for name, m in d.figures}),
        "billed_fen": None if d.billed is None else d.billed.fen,
        "opened_at": d.opened_at,
        "detail": d.detail[:500],
    }


def _dispute(r: RowMapping) -> ChargeDispute:
    figures = json.loads(r["figures"])
    opened_at = aware_utc(r["opened_at"])
    assert opened_at is not None
    return ChargeDispute(
        id=r["id"],
        operator_id=OperatorId(r["operator_id"]),
        session_id=SessionId(r["session_id"]),
        partner_record_id=r["partner_record_id"],
        reason=DisputeReason(r["reason"]),
        figures=tuple((n, Money(Decimal(v))) for n, v in figures.items()),
        billed=None if r["billed_fen"] is None else Money.from_fen(r["billed_fen"]),
        opened_at=opened_at,
        detail=r["detail"],
    )
