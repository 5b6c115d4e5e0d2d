"""Applies ledger write plans on SQLite with a few raw statements per transaction.

The unit-of-work path spends most of its time in SQLAlchemy's statement
machinery (about ten statements per transfer). A write plan
(``evroam.wallet.plan``) knows everything up front, so this writer applies it
on the pooled connection's own ``sqlite3`` cursor: ``BEGIN IMMEDIATE`` (the
one writer), claim the key with the response, resolve the hold (only while
pending), insert the transfer and its postings, move balances (never-negative
accounts only while they stay at or above zero), add the hold, ``COMMIT``.
A refused plan is rolled back whole, keeping no idempotency key. Same tables,
same rules as ``SqlLedgerStore``; ADR 0012.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from evroam.storage.ledger_repository import balance_slot, resolved_values
from evroam.storage.ledger_tables import RESOLVED_COLUMNS, ledger_transfers
from evroam.wallet.errors import LedgerContentionError
from evroam.wallet.ledger import Hold, LedgerAccount
from evroam.wallet.plan import (
    Applied,
    PlanResult,
    Refusal,
    Refused,
    Replayed,
    WritePlan,
)

_CLAIM = (
    "INSERT INTO ledger_idempotency (scope, key, fingerprint, response) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING RETURNING 1"
)
_STORED = (
    "SELECT fingerprint, response FROM ledger_idempotency WHERE scope = ? AND key = ?"
)
_RESOLVE = (
    "UPDATE ledger_holds SET "
    + ", ".join(f"{c} = ?" for c in RESOLVED_COLUMNS)
    + " WHERE id = ? AND state = 'pending'"
)
_TRANSFER = (
    "INSERT INTO ledger_transfers (id, kind, reference, created_at) "
    "VALUES (?, ?, ?, ?) RETURNING seq"
)
_POSTING = (
    "INSERT INTO ledger_postings (transfer_seq, account, amount_fen) VALUES (?, ?, ?)"
)
_MOVE_GUARDED = (
    "UPDATE ledger_balances SET balance_fen = balance_fen + ? "
    "WHERE account = ? AND slot = 0 AND balance_fen + ? >= 0"
)
_MOVE = (
    "INSERT INTO ledger_balances (account, slot, balance_fen) VALUES (?, ?, ?) "
    "ON CONFLICT (account, slot) DO UPDATE "
    "SET balance_fen = ledger_balances.balance_fen + excluded.balance_fen"
)
_WALLET_EXISTS = "SELECT 1 FROM ledger_balances WHERE account = ? AND slot = 0"
_ADD_HOLD = (
    "INSERT INTO ledger_holds (id, account_id, amount_fen, reference, placed_at, "
    "state, partner_fen, discount_fen, from_hold_fen, from_wallet_fen, "
    "receivable_fen, refunded_fen) VALUES (?, ?, ?, ?, ?, 'pending', 0, 0, 0, 0, 0, 0)"
)


class _Refuse(Exception):  # noqa: N818 - internal control flow, never escapes
    def __init__(self, reason: Refusal) -> None:
        self.reason = reason


class SqlitePlanWriter:
    """Write plans on SQLite: one short ``BEGIN IMMEDIATE`` transaction each."""

    def __init__(self, engine: Engine, attempts: int = 8) -> None:
        if engine.dialect.name != "sqlite":
            raise ValueError("SqlitePlanWriter needs SQLite")
        self._engine = engine
        self._attempts = attempts
        # The same text SQLAlchemy writes for DateTime columns, so reads agree.
        bind = ledger_transfers.c.created_at.type.dialect_impl(engine.dialect)
        processor = bind.bind_processor(engine.dialect)
        assert processor is not None
        self._format: Callable[[datetime], str] = processor

    def apply(self, plan: WritePlan) -> PlanResult:
        for attempt in range(self._attempts):
            raw = self._engine.raw_connection()
            try:
                return self._apply_once(raw.driver_connection, plan)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                if attempt == self._attempts - 1:
                    raise LedgerContentionError(str(exc)) from exc
                time.sleep(0.005 * 2**attempt)
            finally:
                raw.close()
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Nothing to stop (the same interface as the PostgreSQL writer)."""

    def _apply_once(self, conn: Any, plan: WritePlan) -> PlanResult:
        cur = conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            result = self._write(cur, plan)
        except _Refuse as refusal:
            conn.rollback()
            return Refused(refusal.reason)
        except BaseException:
            conn.rollback()
            raise
        if isinstance(result, Replayed):
            conn.rollback()  # nothing was written
        else:
            conn.commit()
        return result

    def _write(self, cur: sqlite3.Cursor, plan: WritePlan) -> PlanResult:
        response = json.dumps(plan.response, sort_keys=True)
        claim = (plan.scope, plan.key, plan.fingerprint, response)
        if cur.execute(_CLAIM, claim).fetchone() is None:
            fingerprint, stored = cur.execute(
                _STORED, (plan.scope, plan.key)
            ).fetchone()
            return Replayed(fingerprint, json.loads(stored) if stored else {})
        if plan.resolve is not None:
            cur.execute(_RESOLVE, self._resolved(plan.resolve))
            if cur.rowcount != 1:
                raise _Refuse(Refusal.HOLD_RESOLVED)
        transfer = plan.transfer
        created = self._format(transfer.created_at.astimezone(UTC))
        (seq,) = cur.execute(
            _TRANSFER, (transfer.id, transfer.kind.value, transfer.reference, created)
        ).fetchone()
        postings = sorted(transfer.postings, key=lambda p: p.account.key)
        cur.executemany(
            _POSTING, [(seq, p.account.key, p.amount_fen) for p in postings]
        )
        for posting in postings:
            account, delta = posting.account, posting.amount_fen
            if account.is_non_negative:
                cur.execute(_MOVE_GUARDED, (delta, account.key, delta))
                if cur.rowcount != 1:
                    raise _Refuse(self._why_not_moved(cur, plan.account_id))
            else:
                slot = balance_slot(account, transfer.id)
                cur.execute(_MOVE, (account.key, slot, delta))
        if plan.new_hold is not None:
            hold = plan.new_hold
            placed = self._format(hold.placed_at.astimezone(UTC))
            cur.execute(
                _ADD_HOLD,
                (hold.id, hold.account_id, hold.amount_fen, hold.reference, placed),
            )
        return Applied()

    def _resolved(self, hold: Hold) -> tuple[Any, ...]:
        values = [
            self._format(v.astimezone(UTC)) if isinstance(v, datetime) else v
            for v in resolved_values(hold).values()
        ]
        return (*values, hold.id)

    @staticmethod
    def _why_not_moved(cur: sqlite3.Cursor, account_id: str) -> Refusal:
        wallet = LedgerAccount.wallet(account_id).key
        if cur.execute(_WALLET_EXISTS, (wallet,)).fetchone() is None:
            return Refusal.NO_WALLET
        return Refusal.INSUFFICIENT_FUNDS
