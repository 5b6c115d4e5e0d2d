"""SQL LedgerStore for SQLite and PostgreSQL: one database transaction per unit of work.

Concurrency: on SQLite a unit of work starts with ``BEGIN IMMEDIATE`` (one
writer at a time). On PostgreSQL (READ COMMITTED) a unit locks the driver's
wallet row (``SELECT … FOR UPDATE``) before it reads or writes, idempotency
keys are claimed with ``INSERT … ON CONFLICT DO NOTHING`` (a second claimer
waits for the first to commit), never-negative balances move with a
conditional ``UPDATE … WHERE balance + delta >= 0`` and holds resolve with
``UPDATE … WHERE state = 'pending'``.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine, RowMapping, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from evroam.storage.ledger_tables import (
    BALANCE,
    CLAIM_KEY,
    FIND_HOLD,
    INSERT_HOLD,
    INSERT_POSTING,
    INSERT_TRANSFER,
    LOCK_WALLET,
    MOVE,
    MOVE_GUARDED,
    READ_WALLET,
    RESOLVE_HOLD,
    RESOLVED_COLUMNS,
    STORE_RESPONSE,
    STORED_KEY,
    ledger_balances,
    ledger_events,
    ledger_holds,
    ledger_postings,
    ledger_top_ups,
    ledger_transfers,
)
from evroam.wallet.errors import InsufficientFunds, LedgerContentionError
from evroam.wallet.ledger import (
    DRIVER_KINDS,
    Charge,
    Hold,
    HoldState,
    LedgerAccount,
    Posting,
    Transfer,
    TransferKind,
)
from evroam.wallet.ports import (
    IdempotencyRecord,
    LedgerLine,
    TopUp,
    TopUpState,
    TrialBalance,
)

PLATFORM_SLOTS = 16
# PostgreSQL: deadlock, serialization failure, lock timeout; SQLite: busy.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


def balance_slot(account: LedgerAccount, transfer_id: str) -> int:
    """The ``ledger_balances`` row a posting moves: a driver's accounts have
    one (slot 0); busy platform accounts spread by transfer id."""
    if account.kind in DRIVER_KINDS:
        return 0
    return zlib.crc32(transfer_id.encode()) % PLATFORM_SLOTS


def resolved_values(hold: Hold) -> dict[str, Any]:
    """The columns resolving a hold writes (``RESOLVED_COLUMNS``), by name."""
    row = hold_row(hold)
    return {c: row[c] for c in RESOLVED_COLUMNS}


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_transient(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    message = str(exc.orig).lower()
    return sqlstate in TRANSIENT_SQLSTATES or "database is locked" in message


class SqlLedgerUnitOfWork:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._is_pg = conn.dialect.name == "postgresql"
        self.committed = False

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self._is_pg else sqlite.insert)(table)

    def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        names = {"scope": record.scope, "key": record.key}
        claimed = self._conn.execute(
            CLAIM_KEY, {**names, "fingerprint": record.fingerprint}
        ).first()
        if claimed is not None:
            return None
        stored = self._conn.execute(STORED_KEY, names).one()
        response = json.loads(stored.response) if stored.response else {}
        return IdempotencyRecord(record.scope, record.key, stored.fingerprint, response)

    def store_response(self, scope: str, key: str, response: Mapping[str, Any]) -> None:
        body = json.dumps(response, sort_keys=True)
        self._conn.execute(
            STORE_RESPONSE, {"scope": scope, "key": key, "response": body}
        )

    def open_wallet(self, account_id: str) -> bool:
        rows = [
            {
                "account": LedgerAccount(kind, account_id).key,
                "slot": 0,
                "balance_fen": 0,
            }
            for kind in sorted(DRIVER_KINDS)
        ]
        created = self._conn.execute(
            self._insert(ledger_balances)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(ledger_balances.c.account)
        ).all()
        return bool(created)

    def lock_wallet(self, account_id: str) -> bool:
        query = LOCK_WALLET if self._is_pg else READ_WALLET
        account = LedgerAccount.wallet(account_id).key
        return self._conn.execute(query, {"account": account}).first() is not None

    def balance_fen(self, account: LedgerAccount) -> int:
        total = self._conn.execute(BALANCE, {"account": account.key}).scalar_one()
        return int(total)

    def append(self, transfer: Transfer) -> None:
        seq = self._conn.execute(
            INSERT_TRANSFER,
            {
                "id": transfer.id,
                "kind": transfer.kind.value,
                "reference": transfer.reference,
                "created_at": transfer.created_at,
            },
        ).scalar_one()
        self._conn.execute(
            INSERT_POSTING,
            [
                {"transfer_seq": seq, "account": p.account.key, "amount_fen": n}
                for p, n in ((p, p.amount_fen) for p in transfer.postings)
            ],
        )
        for posting in sorted(transfer.postings, key=lambda p: p.account.key):
            self._move(posting, transfer.id)

    def _move(self, posting: Posting, transfer_id: str) -> None:
        account, delta = posting.account, posting.amount_fen
        params = {"account": account.key, "delta": delta}
        if account.is_non_negative:
            if self._conn.execute(MOVE_GUARDED, params).rowcount != 1:
                raise InsufficientFunds(account.owner, -delta)
            return
        slot = balance_slot(account, transfer_id)
        self._conn.execute(MOVE, {**params, "slot": slot})

    def add_hold(self, hold: Hold) -> None:
        self._conn.execute(INSERT_HOLD, hold_row(hold))

    def find_hold(self, hold_id: str) -> Hold | None:
        row = self._conn.execute(FIND_HOLD, {"hold_id": hold_id}).mappings().first()
        return _hold(row) if row else None

    def resolve_hold(self, hold: Hold) -> bool:
        params = {f"new_{c}": v for c, v in resolved_values(hold).items()}
        result = self._conn.execute(RESOLVE_HOLD, {"hold_id": hold.id, **params})
        return result.rowcount == 1

    def add_refund(self, hold_id: str, amount_fen: int) -> bool:
        t = ledger_holds
        paid = t.c.from_hold_fen + t.c.from_wallet_fen + t.c.receivable_fen
        result = self._conn.execute(
            update(t)
            .where(t.c.id == hold_id, t.c.refunded_fen + amount_fen <= paid)
            .values(refunded_fen=t.c.refunded_fen + amount_fen)
        )
        return result.rowcount == 1

    def pending_holds_placed_before(self, cutoff: datetime, limit: int) -> list[Hold]:
        t = ledger_holds
        rows = self._conn.execute(
            select(t)
            .where(t.c.state == HoldState.PENDING.value, t.c.placed_at < cutoff)
            .order_by(t.c.placed_at, t.c.id)
            .limit(limit)
        ).mappings()
        return [_hold(r) for r in rows]

    def add_top_up(self, top_up: TopUp) -> None:
        self._conn.execute(
            insert(ledger_top_ups).values(
                intent_id=top_up.intent_id,
                account_id=top_up.account_id,
                amount_fen=top_up.amount_fen,
                confirm_url=top_up.confirm_url,
                state=top_up.state.value,
                created_at=top_up.created_at,
                transfer_id=top_up.transfer_id,
            )
        )

    def find_top_up(self, intent_id: str) -> TopUp | None:
        t = ledger_top_ups
        row = (
            self._conn.execute(select(t).where(t.c.intent_id == intent_id))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return TopUp(
            row["intent_id"],
            row["account_id"],
            row["amount_fen"],
            row["confirm_url"],
            TopUpState(row["state"]),
            _utc(row["created_at"]),
            row["transfer_id"],
        )

    def mark_credited(self, intent_id: str, transfer_id: str) -> bool:
        t = ledger_top_ups
        result = self._conn.execute(
            update(t)
            .where(t.c.intent_id == intent_id, t.c.state == TopUpState.PENDING.value)
            .values(state=TopUpState.CREDITED.value, transfer_id=transfer_id)
        )
        return result.rowcount == 1

    def record_event(self, event_id: str, at: datetime) -> bool:
        recorded = self._conn.execute(
            self._insert(ledger_events)
            .values(event_id=event_id, received_at=at)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(ledger_events.c.event_id)
        ).first()
        return recorded is not None

    def commit(self) -> None:
        self._conn.commit()
        self.committed = True


class _Committable(Protocol):
    committed: bool


_U = TypeVar("_U", bound=_Committable)


@contextmanager
def writer_transaction(
    engine: Engine, open_unit: Callable[[Connection], _U]
) -> Iterator[_U]:
    """One ledger-writing transaction: SQLite takes the one writer's lock up front
    (``BEGIN IMMEDIATE``); the unit is rolled back unless it says it committed; a
    transient database error (lock, serialization) becomes LedgerContentionError."""
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            unit = open_unit(conn)
            try:
                yield unit
            finally:
                if not unit.committed:
                    conn.rollback()
    except DBAPIError as exc:
        if is_transient(exc):
            raise LedgerContentionError(str(exc.orig)) from exc
        raise


class SqlLedgerStore:
    """The wallet's LedgerStore on SQLAlchemy Core (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def unit_of_work(self) -> Iterator[SqlLedgerUnitOfWork]:
        with writer_transaction(self._engine, SqlLedgerUnitOfWork) as uow:
            yield uow

    def wallet_balances(self, account_id: str) -> Mapping[LedgerAccount, int] | None:
        accounts = {LedgerAccount(kind, account_id).key: kind for kind in DRIVER_KINDS}
        t = ledger_balances
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(t.c.account, t.c.balance_fen).where(
                    t.c.account.in_(accounts), t.c.slot == 0
                )
            ).all()
        found = {LedgerAccount.parse(r.account): int(r.balance_fen) for r in rows}
        if LedgerAccount.wallet(account_id) not in found:
            return None
        return found

    def lines(
        self, account_id: str, limit: int, before_seq: int | None
    ) -> Sequence[LedgerLine]:
        keys = [LedgerAccount(kind, account_id).key for kind in DRIVER_KINDS]
        p = ledger_postings
        query = select(p.c.transfer_seq).where(p.c.account.in_(keys)).distinct()
        if before_seq is not None:
            query = query.where(p.c.transfer_seq < before_seq)
        query = query.order_by(p.c.transfer_seq.desc()).limit(limit)
        with self._engine.connect() as conn:
            seqs = list(conn.execute(query).scalars())
            transfers = _load_transfers(conn, seqs)
        return [LedgerLine(seq, transfers[seq], account_id) for seq in seqs]

    def get_hold(self, hold_id: str) -> Hold | None:
        with self._engine.connect() as conn:
            row = (
                conn.execute(select(ledger_holds).where(ledger_holds.c.id == hold_id))
                .mappings()
                .first()
            )
        return _hold(row) if row else None

    def trial_balance(self) -> TrialBalance:
        with self._engine.connect() as conn:
            b, p = ledger_balances, ledger_postings
            cached = conn.execute(
                select(b.c.account, func.sum(b.c.balance_fen)).group_by(b.c.account)
            ).all()
            replayed = conn.execute(
                select(p.c.account, func.sum(p.c.amount_fen)).group_by(p.c.account)
            ).all()
            count = conn.execute(select(func.count()).select_from(ledger_transfers))
            return TrialBalance(
                {a: int(n) for a, n in cached if n},
                {a: int(n) for a, n in replayed if n},
                int(count.scalar_one()),
            )

    def transfers(self) -> Sequence[Transfer]:
        with self._engine.connect() as conn:
            seqs = list(
                conn.execute(
                    select(ledger_transfers.c.seq).order_by(ledger_transfers.c.seq)
                ).scalars()
            )
            loaded = _load_transfers(conn, seqs)
        return [loaded[s] for s in seqs]


def _load_transfers(conn: Connection, seqs: Sequence[int]) -> dict[int, Transfer]:
    if not seqs:
        return {}
    t, p = ledger_transfers, ledger_postings
    lines: dict[int, list[Posting]] = defaultdict(list)
    for row in conn.execute(select(p).where(p.c.transfer_seq.in_(seqs))):
        lines[row.transfer_seq].append(
            Posting(LedgerAccount.parse(row.account), int(row.amount_fen))
        )
    found = {}
    for row in conn.execute(select(t).where(t.c.seq.in_(seqs))):
        found[row.seq] = Transfer(
            row.id,
            TransferKind(row.kind),
            tuple(sorted(lines[row.seq], key=lambda x: x.account)),
            row.reference,
            _utc(row.created_at),
        )
    return found


def hold_row(hold: Hold) -> dict[str, Any]:
    charge = hold.charge
    return {
        "id": hold.id,
        "account_id": hold.account_id,
        "amount_fen": hold.amount_fen,
        "reference": hold.reference,
        "placed_at": hold.placed_at,
        "state": hold.state.value,
        "resolved_at": hold.resolved_at,
        "operator": charge.partner_operator if charge else None,
        "partner_fen": charge.partner_fen if charge else 0,
        "discount_fen": charge.discount_fen if charge else 0,
        "from_hold_fen": hold.from_hold_fen,
        "from_wallet_fen": hold.from_wallet_fen,
        "receivable_fen": hold.receivable_fen,
        "refunded_fen": hold.refunded_fen,
    }


def _hold(row: RowMapping) -> Hold:
    operator = row["operator"]
    charge = (
        Charge(operator, int(row["partner_fen"]), int(row["discount_fen"]))
        if operator is not None
        else None
    )
    resolved_at = row["resolved_at"]
    return Hold(
        id=row["id"],
        account_id=row["account_id"],
        amount_fen=int(row["amount_fen"]),
        reference=row["reference"],
        placed_at=_utc(row["placed_at"]),
        state=HoldState(row["state"]),
        resolved_at=_utc(resolved_at) if resolved_at else None,
        charge=charge,
        from_hold_fen=int(row["from_hold_fen"]),
        from_wallet_fen=int(row["from_wallet_fen"]),
        receivable_fen=int(row["receivable_fen"]),
        refunded_fen=int(row["refunded_fen"]),
    )
