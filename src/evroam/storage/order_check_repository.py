"""T/CEC check_charge_orders as the partner sent them, for the hub's reconciliation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine, delete, insert, select

from evroam.charging.remote import OrderCheck, OrderTotals
from evroam.storage.codec import aware_utc
from evroam.storage.tables import tcec_order_checks


class SqlOrderCheckStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, partner_id: str, check: OrderCheck, received_at: datetime) -> None:
        """Keep ``check``; a check sent again under its CheckOrderSeq replaces it."""
        orders = [[o.ref, str(o.kwh), str(o.total_money)] for o in check.orders]
        row = {
            "partner_id": partner_id,
            "check_id": check.check_id,
            "starts_at": check.starts_at,
            "ends_at": check.ends_at,
            "received_at": received_at,
            "orders": json.dumps(orders, separators=(",", ":")),
        }
        table = tcec_order_checks
        with self._engine.begin() as conn:
            conn.execute(
                delete(table).where(
                    table.c.partner_id == partner_id,
                    table.c.check_id == check.check_id,
                )
            )
            conn.execute(insert(table), [row])

    def within(
        self, partner_id: str, starts_at: datetime, ends_at: datetime
    ) -> Sequence[OrderCheck]:
        """The partner's checks whose range lies inside [starts_at, ends_at),
        oldest received first."""
        table = tcec_order_checks
        query = (
            select(table)
            .where(
                table.c.partner_id == partner_id,
                table.c.starts_at >= starts_at,
                table.c.ends_at <= ends_at,
            )
            .order_by(table.c.received_at, table.c.check_id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            OrderCheck(
                check_id=row["check_id"],
                starts_at=_aware(row["starts_at"]),
                ends_at=_aware(row["ends_at"]),
                orders=tuple(
                    OrderTotals(ref, Decimal(kwh), Decimal(money))
                    for ref, kwh, money in json.loads(row["orders"])
                ),
            )
            for row in rows
        ]


def _aware(value: datetime) -> datetime:
    aware = aware_utc(value)
    assert aware is not None  # a NOT NULL column
    return aware


__all__ = ["SqlOrderCheckStore"]
