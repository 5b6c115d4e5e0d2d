"""An in-memory LedgerStore for tests and demos: units of work run one at a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from evroam.wallet.errors import InsufficientFunds
from evroam.wallet.ledger import (
    DRIVER_KINDS,
    Hold,
    LedgerAccount,
    Transfer,
    replay,
)
from evroam.wallet.ports import (
    IdempotencyRecord,
    LedgerLine,
    TopUp,
    TopUpState,
    TrialBalance,
)


@dataclass(slots=True)
class _State:
    balances: dict[str, int] = field(default_factory=dict)
    wallets: set[str] = field(default_factory=set)
    holds: dict[str, Hold] = field(default_factory=dict)
    top_ups: dict[str, TopUp] = field(default_factory=dict)
    keys: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    events: dict[str, datetime] = field(default_factory=dict)

    def copy(self) -> _State:
        return _State(
            dict(self.balances),
            set(self.wallets),
            dict(self.holds),
            dict(self.top_ups),
            dict(self.keys),
            dict(self.events),
        )


class InMemoryUnitOfWork:
    def __init__(self, state: _State) -> None:
        self.state = state
        self.new_transfers: list[Transfer] = []
        self.committed = False

    def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        stored = self.state.keys.get((record.scope, record.key))
        if stored is None:
            self.state.keys[(record.scope, record.key)] = record
        return stored

    def store_response(self, scope: str, key: str, response: Mapping[str, Any]) -> None:
        record = self.state.keys[(scope, key)]
        self.state.keys[(scope, key)] = replace(record, response=dict(response))

    def open_wallet(self, account_id: str) -> bool:
        if account_id in self.state.wallets:
            return False
        self.state.wallets.add(account_id)
        return True

    def lock_wallet(self, account_id: str) -> bool:
        return account_id in self.state.wallets

    def balance_fen(self, account: LedgerAccount) -> int:
        return self.state.balances.get(account.key, 0)

    def append(self, transfer: Transfer) -> None:
        for posting in transfer.postings:
            key = posting.account.key
            balance = self.state.balances.get(key, 0) + posting.amount_fen
            if posting.account.is_non_negative and balance < 0:
                raise InsufficientFunds(posting.account.owner, -posting.amount_fen)
            self.state.balances[key] = balance
        self.new_transfers.append(transfer)

    def add_hold(self, hold: Hold) -> None:
        self.state.holds[hold.id] = hold

    def find_hold(self, hold_id: str) -> Hold | None:
        return self.state.holds.get(hold_id)

    def resolve_hold(self, hold: Hold) -> bool:
        current = self.state.holds.get(hold.id)
        if current is None or not current.is_pending:
            return False
        self.state.holds[hold.id] = hold
        return True

    def add_refund(self, hold_id: str, amount_fen: int) -> bool:
        hold = self.state.holds[hold_id]
        if amount_fen > hold.refundable_fen:
            return False
        refunded = hold.refunded_fen + amount_fen
        self.state.holds[hold_id] = replace(hold, refunded_fen=refunded)
        return True

    def pending_holds_placed_before(self, cutoff: datetime, limit: int) -> list[Hold]:
        pending = (
            h
            for h in self.state.holds.values()
            if h.is_pending and h.placed_at < cutoff
        )
        return sorted(pending, key=lambda h: (h.placed_at, h.id))[:limit]

    def add_top_up(self, top_up: TopUp) -> None:
        self.state.top_ups[top_up.intent_id] = top_up

    def find_top_up(self, intent_id: str) -> TopUp | None:
        return self.state.top_ups.get(intent_id)

    def mark_credited(self, intent_id: str, transfer_id: str) -> bool:
        top_up = self.state.top_ups[intent_id]
        if top_up.state is not TopUpState.PENDING:
            return False
        self.state.top_ups[intent_id] = replace(
            top_up, state=TopUpState.CREDITED, transfer_id=transfer_id
        )
        return True

    def record_event(self, event_id: str, at: datetime) -> bool:
        if event_id in self.state.events:
            return False
        self.state.events[event_id] = at
        return True

    def commit(self) -> None:
        self.committed = True


class InMemoryLedgerStore:
    """The LedgerStore contract in memory; a unit of work copies, then swaps."""

    def __init__(self) -> None:
        self._state = _State()
        self._transfers: list[Transfer] = []
        self._lock = threading.RLock()

    @contextmanager
    def unit_of_work(self) -> Iterator[InMemoryUnitOfWork]:
        with self._lock:
            uow = InMemoryUnitOfWork(self._state.copy())
            yield uow
            if uow.committed:
                self._state = uow.state
                self._transfers.extend(uow.new_transfers)

    def wallet_balances(self, account_id: str) -> Mapping[LedgerAccount, int] | None:
        with self._lock:
            if account_id not in self._state.wallets:
                return None
            return {
                LedgerAccount(kind, account_id): self._state.balances.get(
                    LedgerAccount(kind, account_id).key, 0
                )
                for kind in DRIVER_KINDS
            }

    def lines(
        self, account_id: str, limit: int, before_seq: int | None
    ) -> Sequence[LedgerLine]:
        with self._lock:
            numbered = list(enumerate(self._transfers, start=1))
        found: list[LedgerLine] = []
        for seq, transfer in reversed(numbered):
            if before_seq is not None and seq >= before_seq:
                continue
            if any(
                p.account.owner == account_id and p.account.kind in DRIVER_KINDS
                for p in transfer.postings
            ):
                found.append(LedgerLine(seq, transfer, account_id))
            if len(found) == limit:
                break
        return found

    def get_hold(self, hold_id: str) -> Hold | None:
        with self._lock:
            return self._state.holds.get(hold_id)

    def trial_balance(self) -> TrialBalance:
        with self._lock:
            cached = {k: v for k, v in self._state.balances.items() if v}
            replayed = {k: v for k, v in replay(self._transfers).items() if v}
            return TrialBalance(cached, replayed, len(self._transfers))

    def transfers(self) -> Sequence[Transfer]:
        with self._lock:
            return list(self._transfers)
