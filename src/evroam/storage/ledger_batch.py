"""Group commit for the ledger on PostgreSQL: many write plans, one transaction.

A durable commit costs a WAL flush and each SQL statement a round trip; one
transfer per transaction caps the ledger far below what the API needs (ADR
0012). ``PostgresPlanWriter`` lets any number of request threads hand it write
plans (``evroam.wallet.plan``). A writer thread takes whatever is queued (up
to ``max_batch``), applies it with a single call of the
``evroam_ledger_apply`` function (``ledger_plpgsql``), commits, and only then
answers each caller. So:

- a caller hears "applied" only after its transfer is durable; a crash before
  the commit loses the whole batch and every caller sees an error and retries
  with its idempotency key;
- a refused plan (no wallet, hold resolved, overdraft) is rolled back on its
  own inside the batch (a subtransaction) and the rest commits;
- a deadlock or serialization failure (another worker's batch) rolls the
  batch back and it is retried; any other database error retries its plans
  one by one so one bad plan cannot fail the others.

Busy platform accounts (payables, discounts) use one balance slot per writer
thread, so two writers (or two workers' writers) rarely queue on one row.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import threading
import time
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from evroam.storage.ledger_plpgsql import FUNCTION
from evroam.storage.ledger_repository import PLATFORM_SLOTS, hold_row, is_transient
from evroam.wallet.errors import LedgerContentionError
from evroam.wallet.ledger import DRIVER_KINDS, LedgerAccount
from evroam.wallet.plan import (
    Applied,
    PlanResult,
    Refusal,
    Refused,
    Replayed,
    WritePlan,
)

_log = logging.getLogger(__name__)

# PostgreSQL keeps up to 64 subtransaction ids per backend in shared memory;
# more in one transaction ("suboverflow") slows every other session's
# snapshots. Each plan is one subtransaction, so a batch stays at 64.
MAX_BATCH = 64
_CALL = f"SELECT {FUNCTION}(%s::jsonb, %s::smallint)"


class _Pending:
    """One caller's plan; the caller blocks on ``wait`` until the writer answers."""

    __slots__ = ("_latch", "error", "result", "unit")

    def __init__(self, unit: dict[str, Any]) -> None:
        self.unit = unit
        self.result: PlanResult | None = None
        self.error: BaseException | None = None
        self._latch = threading.Lock()  # a plain lock: cheaper than an Event
        self._latch.acquire()

    def answer(self, result: PlanResult | None, error: BaseException | None) -> None:
        self.result, self.error = result, error
        self._latch.release()

    def wait(self) -> None:
        self._latch.acquire()


_STOP = object()


class PostgresPlanWriter:
    """Applies write plans from many threads, one commit per batch.

    ``writers`` threads, each with its own connection and platform slot,
    take batches from one queue, so some batches execute while others wait
    for their commit to reach the disk (4 measured best on 2 cores: 1 writer
    gave half the throughput, 8 and 16 less than 4).
    """

    def __init__(
        self,
        engine: Engine,
        max_batch: int = MAX_BATCH,
        writers: int = 4,
        attempts: int = 8,
    ) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the batch writer needs PostgreSQL")
        if not 1 <= max_batch <= MAX_BATCH:
            raise ValueError(f"max_batch must be 1..{MAX_BATCH}")
        if not 1 <= writers <= PLATFORM_SLOTS:
            raise ValueError(f"writers must be 1..{PLATFORM_SLOTS}")
        self._engine = engine
        self._max_batch = max_batch
        self._attempts = attempts
        first_slot = random.randrange(PLATFORM_SLOTS)
        self._slots = [(first_slot + n) % PLATFORM_SLOTS for n in range(writers)]
        self._queue: queue.SimpleQueue[_Pending | object] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self._closed = False
        self._count_lock = threading.Lock()
        self.batches = 0  # committed batches (for benchmarks and tests)
        self.plans = 0  # plans answered in them

    def apply(self, plan: WritePlan) -> PlanResult:
        if self._closed:
            raise RuntimeError("the ledger writer is closed")
        pending = _Pending(unit_of(plan))
        self._start()
        self._queue.put(pending)
        pending.wait()
        if pending.error is not None:
            raise pending.error
        assert pending.result is not None
        return pending.result

    def close(self) -> None:
        """Answer what is queued, then stop the writer threads."""
        self._closed = True
        for _ in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join(timeout=30)
        while True:  # a plan queued while closing is answered, not left waiting
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _Pending):
                item.answer(None, RuntimeError("the ledger writer is closed"))

    # -- the writer threads ----------------------------------------------------
    def _start(self) -> None:
        if self._threads:
            return
        with self._start_lock:
            if not self._threads:
                for n, slot in enumerate(self._slots):
                    thread = threading.Thread(
                        target=self._loop, args=(slot,), name=f"ledger-writer-{n}"
                    )
                    thread.daemon = True
                    thread.start()
                    self._threads.append(thread)

    def _loop(self, slot: int) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            self._write([p for p in batch if isinstance(p, _Pending)], slot)

    def _write(self, batch: list[_Pending], slot: int) -> None:
        try:
            answers = self._commit_with_retries([p.unit for p in batch], slot)
        except LedgerContentionError as exc:
            for pending in batch:
                pending.answer(None, exc)
            return
        except Exception as exc:  # one plan may be bad: give each its own go
            if len(batch) > 1:
                _log.warning("ledger batch failed (%s); applying one by one", exc)
                for pending in batch:
                    self._write([pending], slot)
                return
            batch[0].answer(None, exc)
            return
        with self._count_lock:
            self.batches += 1
            self.plans += len(batch)
        for pending, answer in zip(batch, answers, strict=True):
            pending.answer(result_of(answer), None)

    def _commit_with_retries(self, units: list[dict[str, Any]], slot: int) -> list[Any]:
        payload = json.dumps(units, separators=(",", ":"))
        for attempt in range(self._attempts):
            try:
                with self._engine.connect() as conn:
                    answers = conn.exec_driver_sql(_CALL, (payload, slot)).scalar_one()
                    conn.commit()
                    return list(answers)
            except DBAPIError as exc:
                if not is_transient(exc):
                    raise
                if attempt == self._attempts - 1:
                    raise LedgerContentionError(str(exc.orig)) from exc
                time.sleep(0.005 * 2**attempt * (1 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover


def unit_of(plan: WritePlan) -> dict[str, Any]:
    """The plan as ``evroam_ledger_apply`` reads it (JSON-ready)."""
    transfer = plan.transfer
    postings = sorted(transfer.postings, key=lambda p: p.account.key)
    guarded = [
        [p.account.key, p.amount_fen] for p in postings if p.account.is_non_negative
    ]
    free = [
        # A driver's own rows live in slot 0; null: the writer's platform slot.
        [p.account.key, p.amount_fen, 0 if p.account.kind in DRIVER_KINDS else None]
        for p in postings
        if not p.account.is_non_negative
    ]
    unit: dict[str, Any] = {
        "scope": plan.scope,
        "key": plan.key,
        "fingerprint": plan.fingerprint,
        "response": json.dumps(plan.response, sort_keys=True),
        "wallet": LedgerAccount.wallet(plan.account_id).key,
        "transfer_id": transfer.id,
        "kind": transfer.kind.value,
        "reference": transfer.reference,
        "created_at": transfer.created_at.isoformat(),
        "postings": [[p.account.key, p.amount_fen] for p in postings],
        "guarded": guarded,
        "free": free,
    }
    if plan.resolve is not None:
        unit["resolve"] = _jsonable(hold_row(plan.resolve))
    if plan.new_hold is not None:
        unit["new_hold"] = _jsonable(hold_row(plan.new_hold))
    return unit


def result_of(answer: dict[str, Any]) -> PlanResult:
    if answer.get("ok"):
        return Applied()
    if "replay" in answer:
        stored = answer["replay"]
        response = json.loads(stored["response"]) if stored["response"] else {}
        return Replayed(stored["fingerprint"], response)
    return Refused(Refusal(answer["refused"]))


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
