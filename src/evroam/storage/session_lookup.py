"""Read-only look-ups the protocol receivers need from the charging tables.

An OCPI Session PATCH or CDR may name only the CPO's session id (the
``authorization_reference`` is optional on the wire); a CDR that arrives again
must be told apart from one that tries to change a billed record (OCPI 2.2.1,
CDRs module: a CDR is never updated; corrections are credit CDRs).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Engine, select

from evroam.storage.charging_tables import billed_charges, charging_sessions


@dataclass(frozen=True, slots=True)
class BilledRecord:
    """A partner record the hub billed: which session, its energy and total."""

    session_ref: str
    record_id: str
    kwh: Decimal
    total_fen: int


class SqlSessionLookup:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def find_ref(self, operator_id: str, partner_session_id: str) -> str | None:
        """Our session ref for the partner's session id, once the partner told
        us its id (OCPI: the first Session PUT)."""
        s = charging_sessions.c
        query = select(s.id).where(
            s.operator_id == operator_id, s.partner_session_id == partner_session_id
        )
        with self._engine.connect() as conn:
            return conn.execute(query.limit(1)).scalar_one_or_none()

    def find_billed(self, operator_id: str, record_id: str) -> BilledRecord | None:
        """The billed record the partner calls ``record_id``, if any."""
        b = billed_charges.c
        return self._billed(
            b.operator_id == operator_id, b.partner_record_id == record_id
        )

    def billed_for(self, session_ref: str) -> BilledRecord | None:
        """The record a session was billed with, if it was."""
        return self._billed(billed_charges.c.session_id == session_ref)

    def _billed(self, *where: ColumnElement[bool]) -> BilledRecord | None:
        b = billed_charges.c
        query = select(
            b.session_id, b.partner_record_id, b.kwh, b.partner_reported_fen
        ).where(*where)
        with self._engine.connect() as conn:
            row = conn.execute(query.limit(1)).first()
        if row is None:
            return None
        return BilledRecord(
            row.session_id,
            row.partner_record_id,
            Decimal(row.kwh),
            int(row.partner_reported_fen),
        )


__all__ = ["BilledRecord", "SqlSessionLookup"]
