"""Write plans: a money-moving call worked out ahead and applied with guards.

Most wallet calls read before they write (is the hold pending? how much is
available?). Three of the busiest need no read inside the transaction at
all, because the database can check their conditions while it writes:

- placing a hold: the never-negative guard on the wallet refuses an
  overdraft;
- settling a hold for no more than it holds: the postings depend on the hold
  as placed (its driver and amount never change), and resolving only a
  *pending* hold is a guarded update;
- releasing a hold: the same.

Such a call becomes a ``WritePlan``: the idempotency key and fingerprint,
the transfer, the hold to add or resolve and the response to keep. A store
applies it atomically or not at all and answers ``Applied``, ``Replayed`` (the
key was used before: the stored fingerprint and response) or ``Refused``
(why nothing was written). Because a plan carries everything, a store can
apply many plans in one database transaction: one durable commit for many
transfers (ADR 0012). ``apply_in`` applies one plan through any unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from evroam.wallet.errors import InsufficientFunds
from evroam.wallet.ledger import Hold, Transfer
from evroam.wallet.ports import IdempotencyRecord, LedgerUnitOfWork


class Refusal(StrEnum):
    NO_WALLET = "no_wallet"  # the driver has no wallet
    HOLD_RESOLVED = "hold_resolved"  # the hold was settled, released or expired
    INSUFFICIENT_FUNDS = "insufficient_funds"  # a never-negative account would dip


@dataclass(frozen=True, slots=True)
class WritePlan:
    """Everything one call writes, with the conditions it writes under."""

    scope: str  # the driver's account: idempotency keys are scoped to it
    key: str
    fingerprint: str
    transfer: Transfer
    response: Mapping[str, Any]
    new_hold: Hold | None = None  # a pending hold to add
    resolve: Hold | None = None  # the hold's new state, saved only if still pending

    @property
    def account_id(self) -> str:
        return self.scope


@dataclass(frozen=True, slots=True)
class Applied:
    pass


@dataclass(frozen=True, slots=True)
class Replayed:
    """The key was used before; what was stored then."""

    fingerprint: str
    response: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Refusal


PlanResult = Applied | Replayed | Refused


class PlanWriter(Protocol):
    """Applies plans, possibly many per database transaction."""

    def apply(self, plan: WritePlan) -> PlanResult:
        """Blocks until the plan is durably applied, replayed or refused."""
        ...


def apply_in(uow: LedgerUnitOfWork, plan: WritePlan) -> PlanResult:
    """Apply one plan in ``uow``; commits only when applied (else rolls back)."""
    stored = uow.claim(IdempotencyRecord(plan.scope, plan.key, plan.fingerprint))
    if stored is not None:
        return Replayed(stored.fingerprint, stored.response)
    if not uow.lock_wallet(plan.account_id):
        return Refused(Refusal.NO_WALLET)
    if plan.resolve is not None and not uow.resolve_hold(plan.resolve):
        return Refused(Refusal.HOLD_RESOLVED)
    try:
        uow.append(plan.transfer)
    except InsufficientFunds:
        return Refused(Refusal.INSUFFICIENT_FUNDS)
    if plan.new_hold is not None:
        uow.add_hold(plan.new_hold)
    uow.store_response(plan.scope, plan.key, plan.response)
    uow.commit()
    return Applied()
