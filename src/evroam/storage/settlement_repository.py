"""SQL implementation of the settlement context's repository.

Period totals are one aggregate query over ``billed_charges`` (the index
``ix_billed_operator_end`` selects the rows), so a month of a million
records never travels to Python.

kWh are stored as text. PostgreSQL sums ``CAST(kwh AS NUMERIC)``, which is
exact. SQLite has no exact decimal type (its NUMERIC is a float), so it sums
whole milli-kWh, ``round(CAST(kwh AS REAL) * 1000)``, per row: exact for values
of at most 3 decimals (partners send 2 or 3) below 9e12 kWh. The rare row with
more decimals (or in exponent form) is left out of that sum, counted, and added
exactly in Python from its text.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Float,
    Integer,
    Numeric,
    Select,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    not_,
    or_,
    select,
)

from evroam.settlement.model import OurRecord, PeriodTotals, Statement
from evroam.shared.ids import OperatorId
from evroam.shared.money import Money
from evroam.storage.charging_tables import billed_charges
from evroam.storage.settlement_tables import statements

_STREAM_ROWS = 10_000
_IN_CHUNK = 500
_MONEY = (
    "electricity_fen",
    "service_fen",
    "parking_fen",
    "partner_total_fen",
    "discount_fen",
    "partner_reported_fen",
)
_MILLI = Decimal("0.001")


class SqlSettlementRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._is_sqlite = engine.dialect.name == "sqlite"

    def period_totals(
        self, operator_id: OperatorId, starts_at: datetime, ends_at: datetime
    ) -> PeriodTotals:
        in_period = _in_period(operator_id, starts_at, ends_at)
        sums = [func.coalesce(func.sum(billed_charges.c[n]), 0) for n in _MONEY]
        with self._engine.connect() as conn:
            if not self._is_sqlite:
                kwh_sum = func.coalesce(
                    func.sum(cast(billed_charges.c.kwh, Numeric)), 0
                )
                row = conn.execute(
                    select(func.count(), kwh_sum, *sums).where(in_period)
                )
                count, kwh, *fen = row.one()
                return _totals(count, Decimal(kwh), fen)
            short = _has_milli_precision()
            milli = case((short, func.round(cast(billed_charges.c.kwh, Float) * 1000)))
            query = select(
                func.count(),
                func.coalesce(func.sum(cast(milli, Integer)), 0),
                func.coalesce(func.sum(case((short, 0), else_=1)), 0),
                *sums,
            ).where(in_period)
            count, milli_kwh, long_rows, *fen = conn.execute(query).one()
            kwh = Decimal(milli_kwh) * _MILLI
            if long_rows:
                exact = select(billed_charges.c.kwh).where(in_period, not_(short))
                kwh += sum((Decimal(k) for k in conn.scalars(exact)), Decimal(0))
        return _totals(count, kwh, fen)

    def iter_records(
        self, operator_id: OperatorId, starts_at: datetime, ends_at: datetime
    ) -> Iterator[OurRecord]:
        query = _records().where(_in_period(operator_id, starts_at, ends_at))
        with self._engine.connect() as conn:
            streamed = conn.execution_options(
                stream_results=True, yield_per=_STREAM_ROWS
            )
            for row in streamed.execute(query):
                yield _record(row)

    def find_by_session(
        self, operator_id: OperatorId, session_ids: Collection[str]
    ) -> list[OurRecord]:
        ids = sorted(session_ids)
        found: list[OurRecord] = []
        c = billed_charges.c
        with self._engine.connect() as conn:
            for i in range(0, len(ids), _IN_CHUNK):
                chunk = ids[i : i + _IN_CHUNK]
                query = _records().where(
                    c.operator_id == operator_id, c.session_id.in_(chunk)
                )
                found.extend(_record(row) for row in conn.execute(query))
        return found

    def save_statement(self, statement: Statement) -> None:
        c = statements.c
        key = and_(
            c.partner_id == statement.partner_id, c.period == str(statement.period)
        )
        with self._engine.begin() as conn:
            conn.execute(delete(statements).where(key))
            conn.execute(insert(statements), [_statement_row(statement)])


def _in_period(
    operator_id: OperatorId, starts_at: datetime, ends_at: datetime
) -> ColumnElement[bool]:
    c = billed_charges.c
    return and_(
        c.operator_id == operator_id, c.ended_at >= starts_at, c.ended_at < ends_at
    )


def _has_milli_precision() -> ColumnElement[bool]:
    """SQLite: the text has at most 3 significant decimals and no exponent."""
    kwh = billed_charges.c.kwh
    dot = func.instr(kwh, ".")
    return and_(
        func.instr(func.upper(kwh), "E") == 0,
        or_(dot == 0, func.length(func.rtrim(kwh, "0")) - dot <= 3),
    )


def _records() -> Select[Any]:
    c = billed_charges.c
    return select(c.session_id, c.partner_record_id, c.kwh, c.partner_total_fen)


def _record(row: Any) -> OurRecord:
    session_id, record_id, kwh, fen = row
    return OurRecord(session_id, record_id, Decimal(kwh), Money.from_fen(fen))


def _plain(kwh: Decimal) -> Decimal:
    """The same digits from either engine: no trailing zeros."""
    return kwh.quantize(Decimal(1)) if kwh == kwh.to_integral() else kwh.normalize()


def _totals(count: int, kwh: Decimal, fen: list[Any]) -> PeriodTotals:
    electricity, service, parking, owed, discount, reported = (
        Money.from_fen(int(f)) for f in fen
    )
    return PeriodTotals(
        int(count), _plain(kwh), electricity, service, parking, owed, discount, reported
    )


def _statement_row(s: Statement) -> dict[str, Any]:
    return {
        "partner_id": s.partner_id,
        "period": str(s.period),
        "sessions": s.sessions,
        "kwh": str(s.kwh),
        "electricity_fen": s.electricity.fen,
        "service_fen": s.service.fen,
        "parking_fen": s.parking.fen,
        "amount_owed_fen": s.amount_owed.fen,
        "discount_fen": s.discounts.fen,
        "generated_at": s.generated_at,
    }


__all__ = ["SqlSettlementRepository"]
