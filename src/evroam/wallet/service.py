"""Wallet use-cases: open, top up, hold, settle, release, expire, refund, read.

Every money-moving call takes an idempotency key, scoped to the driver's
account. The key, the request's fingerprint and the response are stored in
the same unit of work as the transfer: same key and request → the stored
response; same key, other request → ``IdempotencyConflict``. A call that
fails stores nothing, so retrying it is a fresh attempt.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from evroam.shared.clock import Clock
from evroam.shared.errors import InvalidInputError
from evroam.shared.money import DEFAULT_CURRENCY, Money
from evroam.wallet import idempotency as codec
from evroam.wallet.errors import (
    HoldAlreadyResolvedError,
    HoldNotFoundError,
    IdempotencyConflict,
    InsufficientFunds,
    LedgerContentionError,
    PaymentMismatchError,
    RefundExceedsChargeError,
    TopUpNotFoundError,
    WalletNotFoundError,
)
from evroam.wallet.ledger import (
    Charge,
    Hold,
    HoldState,
    LedgerAccount,
    Refund,
    RefundSource,
    Transfer,
    TransferKind,
    hold_postings,
    late_charge,
    refund_postings,
    release_postings,
    settle,
    top_up_postings,
)
from evroam.wallet.plan import (
    Applied,
    PlanResult,
    PlanWriter,
    Refusal,
    Refused,
    Replayed,
    WritePlan,
    apply_in,
)
from evroam.wallet.ports import (
    IdempotencyRecord,
    LedgerLine,
    LedgerStore,
    LedgerUnitOfWork,
    PaymentProvider,
    TopUp,
    TopUpState,
)

T = TypeVar("T")
PLACED_HOLDS_KEPT = 20_000  # a few MB; a miss costs one read
Response = dict[str, Any]
Scope = str | Callable[[LedgerUnitOfWork], str]


def random_id(prefix: str) -> str:
    """``prefix_`` and 32 random hex digits (as a uuid4's hex, without its cost)."""
    return f"{prefix}_{os.urandom(16).hex()}"


@dataclass(frozen=True, slots=True)
class WalletBalance:
    account_id: str
    available: Money
    held: Money
    owed: Money  # an overrun the wallet could not pay (ADR 0007)


@dataclass(frozen=True, slots=True)
class HistoryPage:
    lines: tuple[LedgerLine, ...]
    next_before: int | None  # pass as ``before`` for the next (older) page


class WalletService:
    def __init__(
        self,
        store: LedgerStore,
        provider: PaymentProvider,
        clock: Clock,
        new_id: Callable[[str], str] = random_id,
        hold_timeout: timedelta = timedelta(hours=24),
        attempts: int = 8,
        writer: PlanWriter | None = None,
    ) -> None:
        """``writer`` applies write plans (many per commit on PostgreSQL);
        without one, each plan is its own unit of work on ``store``."""
        self._store = store
        self._writer = writer
        # Holds this service placed, as placed: their driver, amount and
        # reference never change, so settling one needs no read (ADR 0012).
        self._placed: OrderedDict[str, Hold] = OrderedDict()
        self._placed_lock = threading.Lock()
        self._provider = provider
        self._clock = clock
        self._new_id = new_id
        self.hold_timeout = hold_timeout
        self._attempts = attempts

    # -- reads -------------------------------------------------------------

    def open_wallet(self, account_id: str) -> WalletBalance:
        """Create the driver's wallet if it does not exist (safe to repeat)."""

        def unit(uow: LedgerUnitOfWork) -> None:
            uow.open_wallet(account_id)
            uow.commit()

        self._run(unit)
        return self.balance(account_id)

    def balance(self, account_id: str) -> WalletBalance:
        balances = self._store.wallet_balances(account_id)
        if balances is None:
            raise WalletNotFoundError(account_id)
        return WalletBalance(
            account_id,
            Money.from_fen(balances.get(LedgerAccount.wallet(account_id), 0)),
            Money.from_fen(balances.get(LedgerAccount.holds(account_id), 0)),
            Money.from_fen(-balances.get(LedgerAccount.receivable(account_id), 0)),
        )

    def history(
        self, account_id: str, limit: int = 50, before: int | None = None
    ) -> HistoryPage:
        """The driver's transfers, newest first, ``limit`` per page."""
        if not 1 <= limit <= 500:
            raise InvalidInputError("limit", "must be between 1 and 500")
        self.balance(account_id)  # raises for an unknown wallet
        lines = tuple(self._store.lines(account_id, limit + 1, before))
        more = len(lines) > limit
        page = lines[:limit]
        return HistoryPage(page, page[-1].seq if more else None)

    def get_hold(self, hold_id: str) -> Hold:
        hold = self._store.get_hold(hold_id)
        if hold is None:
            raise HoldNotFoundError(hold_id)
        return hold

    # -- top-ups -----------------------------------------------------------

    def get_top_up(self, intent_id: str) -> TopUp:
        def unit(uow: LedgerUnitOfWork) -> TopUp | None:
            return uow.find_top_up(intent_id)

        found = self._run(unit)
        if found is None:
            raise TopUpNotFoundError(intent_id)
        return found

    def top_up(self, account_id: str, amount: Money, idempotency_key: str) -> TopUp:
        """Start a top-up; the wallet is credited when the provider confirms."""
        amount_fen = _positive_fen("amount", amount)
        self.balance(account_id)
        request = {"account_id": account_id, "amount_fen": amount_fen}
        print_ = codec.fingerprint("top_up", request)
        intent = self._provider.create_top_up(
            account_id, amount, f"{account_id}:{idempotency_key}:{print_}"
        )

        def work(uow: LedgerUnitOfWork, _owner: str) -> Response:
            top_up = TopUp(
                intent.id,
                account_id,
                amount_fen,
                intent.confirm_url,
                TopUpState.PENDING,
                self._clock.now(),
            )
            uow.add_top_up(top_up)
            return codec.top_up_to_json(top_up)

        response = self._idempotent(
            account_id, idempotency_key, "top_up", request, work
        )
        return codec.top_up_from_json(response)

    def confirm_top_up(self, raw_body: bytes, signature_header: str) -> TopUp:
        """Apply the provider's signed webhook: credit once per event and intent."""
        event = self._provider.verify_webhook(raw_body, signature_header)

        def unit(uow: LedgerUnitOfWork) -> TopUp:
            is_new = uow.record_event(event.event_id, self._clock.now())
            top_up = uow.find_top_up(event.intent_id)
            if top_up is None:
                raise TopUpNotFoundError(event.intent_id)
            if event.amount_fen != top_up.amount_fen:
                raise PaymentMismatchError(
                    f"intent {event.intent_id}: paid {event.amount_fen} fen, "
                    f"expected {top_up.amount_fen}"
                )
            if is_new and top_up.state is TopUpState.PENDING:
                top_up = self._credit(uow, top_up)
            uow.commit()
            return top_up

        return self._run(unit)

    def _credit(self, uow: LedgerUnitOfWork, top_up: TopUp) -> TopUp:
        account_id = top_up.account_id
        uow.lock_wallet(account_id)
        owed = -uow.balance_fen(LedgerAccount.receivable(account_id))
        transfer = Transfer(
            self._new_id("tr"),
            TransferKind.TOP_UP,
            top_up_postings(account_id, top_up.amount_fen, owed),
            top_up.intent_id,
            self._clock.now(),
        )
        uow.append(transfer)
        uow.mark_credited(top_up.intent_id, transfer.id)
        return replace(top_up, state=TopUpState.CREDITED, transfer_id=transfer.id)

    # -- holds -------------------------------------------------------------

    def place_hold(
        self, account_id: str, amount: Money, reference: str, idempotency_key: str
    ) -> Hold:
        """Move ``amount`` from available to held; ``InsufficientFunds`` if short."""
        amount_fen = _positive_fen("amount", amount)
        _check_key(idempotency_key)
        request = {"account_id": account_id, "amount_fen": amount_fen, "ref": reference}
        now = self._clock.now()
        hold = Hold(self._new_id("hold"), account_id, amount_fen, reference, now)
        postings = hold_postings(account_id, amount_fen)
        transfer = Transfer(
            self._new_id("tr"), TransferKind.HOLD, postings, hold.id, now
        )
        plan = WritePlan(
            account_id,
            idempotency_key,
            codec.fingerprint("place_hold", request),
            transfer,
            codec.hold_to_json(hold),
            new_hold=hold,
        )

        def refused(reason: Refusal) -> Exception:
            if reason is Refusal.NO_WALLET:
                return WalletNotFoundError(account_id)
            return InsufficientFunds(account_id, amount_fen)

        placed = self._applied_hold(plan, hold, refused)
        self._remember(placed)
        return placed

    def _remember(self, hold: Hold) -> None:
        with self._placed_lock:
            self._placed[hold.id] = hold
            if len(self._placed) > PLACED_HOLDS_KEPT:
                self._placed.popitem(last=False)

    def _as_placed(self, hold_id: str) -> Hold:
        """The hold as placed (its state may have moved on since)."""
        with self._placed_lock:
            hold = self._placed.pop(hold_id, None)  # resolved once: forget it
        return hold if hold is not None else self.get_hold(hold_id)

    def settle_hold(
        self,
        hold_id: str,
        partner_amount: Money,
        discount_amount: Money,
        partner_operator: str,
        idempotency_key: str,
    ) -> Hold:
        """Charge the driver ``partner - discount``; the partner is owed ``partner``.

        Up to the hold comes from the hold and the rest of it is released; an
        overrun is paid from the available balance, else owed (ADR 0007).
        Raises ``HoldAlreadyResolvedError`` when the hold was resolved before
        under another key.
        """
        charge = _charge(partner_operator, partner_amount, discount_amount)
        _check_key(idempotency_key)
        request = {
            "hold_id": hold_id,
            "operator": partner_operator,
            "partner_fen": charge.partner_fen,
            "discount_fen": charge.discount_fen,
        }
        hold = self._as_placed(hold_id)
        if charge.driver_fen > hold.amount_fen:
            return self._settle_overrun(hold_id, charge, request, idempotency_key)
        settled, postings = settle(hold, charge, 0, self._clock.now())
        return self._resolve_by_plan(
            settled,
            TransferKind.SETTLEMENT,
            postings,
            idempotency_key,
            codec.fingerprint("settle_hold", request),
        )

    def _settle_overrun(
        self,
        hold_id: str,
        charge: Charge,
        request: Mapping[str, Any],
        idempotency_key: str,
    ) -> Hold:
        """A charge beyond the hold reads the available balance under the
        wallet's lock, so it runs as a unit of work of its own."""

        def work(uow: LedgerUnitOfWork, account_id: str) -> Response:
            hold = self._pending_hold(uow, hold_id, account_id)
            available = uow.balance_fen(LedgerAccount.wallet(account_id))
            now = self._clock.now()
            settled, postings = settle(hold, charge, available, now)
            self._resolve(uow, settled, TransferKind.SETTLEMENT, postings)
            return codec.hold_to_json(settled)

        response = self._idempotent(
            self._hold_owner(hold_id), idempotency_key, "settle_hold", request, work
        )
        return codec.hold_from_json(response)

    def release_hold(self, hold_id: str, idempotency_key: str) -> Hold:
        """Give the whole hold back to available (a session that never charged)."""
        _check_key(idempotency_key)
        hold = self._as_placed(hold_id)
        return self._resolve_by_plan(
            self._released(hold, HoldState.RELEASED),
            TransferKind.RELEASE,
            release_postings(hold),
            idempotency_key,
            codec.fingerprint("release_hold", {"hold_id": hold_id}),
        )

    def _resolve_by_plan(
        self,
        resolved: Hold,
        kind: TransferKind,
        postings: tuple[Any, ...],
        idempotency_key: str,
        fingerprint: str,
    ) -> Hold:
        """Resolve a hold (only if still pending) with one write plan."""
        transfer = Transfer(
            self._new_id("tr"), kind, postings, resolved.id, self._clock.now()
        )
        plan = WritePlan(
            resolved.account_id,
            idempotency_key,
            fingerprint,
            transfer,
            codec.hold_to_json(resolved),
            resolve=resolved,
        )

        def refused(reason: Refusal) -> Exception:
            if reason is Refusal.HOLD_RESOLVED:
                return HoldAlreadyResolvedError(
                    resolved.id, self.get_hold(resolved.id).state.value
                )
            return InsufficientFunds(resolved.account_id, 0)  # books out of line

        return self._applied_hold(plan, resolved, refused)

    def release_expired_holds(
        self, now: datetime | None = None, limit: int = 1000
    ) -> list[Hold]:
        """Release holds placed more than ``hold_timeout`` before ``now``."""
        cutoff = (now or self._clock.now()) - self.hold_timeout

        def candidates(uow: LedgerUnitOfWork) -> list[Hold]:
            return uow.pending_holds_placed_before(cutoff, limit)

        expired = []
        for candidate in self._run(candidates):
            hold = self._run(partial(self._expire, candidate=candidate))
            if hold is not None:
                expired.append(hold)
        return expired

    def _expire(self, uow: LedgerUnitOfWork, *, candidate: Hold) -> Hold | None:
        uow.lock_wallet(candidate.account_id)
        hold = uow.find_hold(candidate.id)
        if hold is None or not hold.is_pending:
            return None  # resolved meanwhile
        expired = self._released(hold, HoldState.EXPIRED)
        self._resolve(uow, expired, TransferKind.EXPIRY, release_postings(hold))
        uow.commit()
        return expired

    # -- inside another context's unit of work -------------------------------

    def settle_within(
        self,
        uow: LedgerUnitOfWork,
        hold_id: str,
        partner_amount: Money,
        discount_amount: Money,
        partner_operator: str,
        idempotency_key: str,
    ) -> Hold:
        """``settle_hold`` as part of the caller's unit of work, which commits
        it with its own writes (charging: receipt and billed session, ADR 0018).

        A hold released or expired before is not an error here: the charge is
        taken from the available balance as a late charge (ADR 0007).
        """
        charge = _charge(partner_operator, partner_amount, discount_amount)
        request = {
            "hold_id": hold_id,
            "operator": partner_operator,
            "partner_fen": charge.partner_fen,
            "discount_fen": charge.discount_fen,
        }

        def work(uow: LedgerUnitOfWork, account_id: str) -> Response:
            self._lock(uow, account_id)
            hold = uow.find_hold(hold_id)
            assert hold is not None  # its owner was read from it
            available = uow.balance_fen(LedgerAccount.wallet(account_id))
            now = self._clock.now()
            if hold.is_pending:
                settled, postings = settle(hold, charge, available, now)
                self._resolve(uow, settled, TransferKind.SETTLEMENT, postings)
                return codec.hold_to_json(settled)
            settled, postings = late_charge(
                hold, charge, available, now, self._new_id("hold")
            )
            uow.add_hold(settled)
            if postings:
                uow.append(
                    Transfer(
                        self._new_id("tr"),
                        TransferKind.SETTLEMENT,
                        postings,
                        settled.id,
                        now,
                    )
                )
            return codec.hold_to_json(settled)

        response, _ = self._idempotent_in(
            uow,
            self._hold_owner(hold_id),
            idempotency_key,
            "settle_hold",
            request,
            work,
        )
        self._forget(hold_id)
        return codec.hold_from_json(response)

    def release_within(
        self, uow: LedgerUnitOfWork, hold_id: str, idempotency_key: str
    ) -> Hold:
        """``release_hold`` as part of the caller's unit of work; a hold resolved
        before (expired) is answered as it is."""

        def work(uow: LedgerUnitOfWork, account_id: str) -> Response:
            self._lock(uow, account_id)
            hold = uow.find_hold(hold_id)
            assert hold is not None  # its owner was read from it
            if not hold.is_pending:
                return codec.hold_to_json(hold)
            released = self._released(hold, HoldState.RELEASED)
            self._resolve(uow, released, TransferKind.RELEASE, release_postings(hold))
            return codec.hold_to_json(released)

        response, _ = self._idempotent_in(
            uow,
            self._hold_owner(hold_id),
            idempotency_key,
            "release_hold",
            {"hold_id": hold_id},
            work,
        )
        self._forget(hold_id)
        return codec.hold_from_json(response)

    def _forget(self, hold_id: str) -> None:
        with self._placed_lock:
            self._placed.pop(hold_id, None)

    # -- refunds -----------------------------------------------------------

    def refund(
        self,
        hold_id: str,
        amount: Money,
        source: RefundSource,
        idempotency_key: str,
    ) -> Refund:
        """A credit note back to the wallet for a settled hold's charge.

        ``source`` says who pays: the partner (we owe them less) or the
        platform. Refunds of one hold never exceed what the driver paid.
        """
        amount_fen = _positive_fen("amount", amount)
        request = {"hold_id": hold_id, "amount_fen": amount_fen, "source": source}

        def work(uow: LedgerUnitOfWork, account_id: str) -> Response:
            self._lock(uow, account_id)
            hold = uow.find_hold(hold_id)
            if hold is None or hold.state is not HoldState.SETTLED:
                raise RefundExceedsChargeError(hold_id, 0)
            if amount_fen > hold.refundable_fen or not uow.add_refund(
                hold_id, amount_fen
            ):
                raise RefundExceedsChargeError(hold_id, hold.refundable_fen)
            now = self._clock.now()
            postings = refund_postings(hold, amount_fen, source)
            transfer = Transfer(
                self._new_id("tr"), TransferKind.REFUND, postings, hold_id, now
            )
            uow.append(transfer)
            refund = Refund(transfer.id, hold_id, account_id, amount_fen, source, now)
            return codec.refund_to_json(refund)

        response = self._idempotent(
            self._hold_owner(hold_id), idempotency_key, "refund", request, work
        )
        return codec.refund_from_json(response)

    # -- units of work -----------------------------------------------------

    def _idempotent(
        self,
        scope: Scope,
        key: str,
        operation: str,
        request: Mapping[str, Any],
        work: Callable[[LedgerUnitOfWork, str], Response],
    ) -> Mapping[str, Any]:
        """Run ``work`` once per (scope, key); ``scope`` is the driver's account.

        For calls that name a hold, ``scope`` reads the hold's driver inside
        the unit of work (a hold never changes driver).
        """

        def unit(uow: LedgerUnitOfWork) -> Mapping[str, Any]:
            response, is_new = self._idempotent_in(
                uow, scope, key, operation, request, work
            )
            if is_new:
                uow.commit()
            return response

        return self._run(unit)

    def _idempotent_in(
        self,
        uow: LedgerUnitOfWork,
        scope: Scope,
        key: str,
        operation: str,
        request: Mapping[str, Any],
        work: Callable[[LedgerUnitOfWork, str], Response],
    ) -> tuple[Mapping[str, Any], bool]:
        """``work`` in ``uow`` (not committed) unless the key was used: the
        response, and whether it is new."""
        _check_key(key)
        print_ = codec.fingerprint(operation, request)
        owner = scope if isinstance(scope, str) else scope(uow)
        stored = uow.claim(IdempotencyRecord(owner, key, print_))
        if stored is not None:
            if stored.fingerprint != print_:
                raise IdempotencyConflict(key)
            return stored.response, False
        response = work(uow, owner)
        uow.store_response(owner, key, response)
        return response, True

    def _apply(
        self, plan: WritePlan, refused: Callable[[Refusal], Exception]
    ) -> Mapping[str, Any]:
        """Apply a write plan; the stored response on a replayed key."""
        result: PlanResult
        if self._writer is not None:
            result = self._writer.apply(plan)
        else:
            result = self._run(partial(apply_in, plan=plan))
        if isinstance(result, Replayed):
            if result.fingerprint != plan.fingerprint:
                raise IdempotencyConflict(plan.key)
            return result.response
        if isinstance(result, Refused):
            raise refused(result.reason)
        assert isinstance(result, Applied)
        return plan.response

    def _applied_hold(
        self, plan: WritePlan, hold: Hold, refused: Callable[[Refusal], Exception]
    ) -> Hold:
        """``hold`` once its plan is applied; the stored hold on a replayed key."""
        response = self._apply(plan, refused)
        return hold if response is plan.response else codec.hold_from_json(response)

    def _hold_owner(self, hold_id: str) -> Callable[[LedgerUnitOfWork], str]:
        def owner(uow: LedgerUnitOfWork) -> str:
            hold = uow.find_hold(hold_id)
            if hold is None:
                raise HoldNotFoundError(hold_id)
            return hold.account_id

        return owner

    def _run(self, unit: Callable[[LedgerUnitOfWork], T]) -> T:
        """Run ``unit`` in a fresh unit of work, retrying lock conflicts."""
        for attempt in range(self._attempts):
            try:
                with self._store.unit_of_work() as uow:
                    return unit(uow)
            except LedgerContentionError:
                if attempt == self._attempts - 1:
                    raise
                time.sleep(0.005 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _lock(self, uow: LedgerUnitOfWork, account_id: str) -> None:
        if not uow.lock_wallet(account_id):
            raise WalletNotFoundError(account_id)

    def _pending_hold(
        self, uow: LedgerUnitOfWork, hold_id: str, account_id: str
    ) -> Hold:
        self._lock(uow, account_id)
        hold = uow.find_hold(hold_id)
        if hold is None:
            raise HoldNotFoundError(hold_id)
        if not hold.is_pending:
            raise HoldAlreadyResolvedError(hold_id, hold.state.value)
        return hold

    def _released(self, hold: Hold, state: HoldState) -> Hold:
        return replace(hold, state=state, resolved_at=self._clock.now())

    def _resolve(
        self,
        uow: LedgerUnitOfWork,
        hold: Hold,
        kind: TransferKind,
        postings: tuple[Any, ...],
    ) -> None:
        if not uow.resolve_hold(hold):
            raise HoldAlreadyResolvedError(hold.id, "resolved")
        transfer = Transfer(
            self._new_id("tr"), kind, postings, hold.id, self._clock.now()
        )
        uow.append(transfer)


def _check_key(key: str) -> None:
    if not key or len(key) > 200:
        raise InvalidInputError("idempotency_key", "1 to 200 characters")


def _positive_fen(field: str, amount: Money) -> int:
    if amount.currency != DEFAULT_CURRENCY:
        raise InvalidInputError(field, f"the wallet holds {DEFAULT_CURRENCY} only")
    if amount.fen <= 0:
        raise InvalidInputError(field, "must be more than zero")
    return amount.fen


def _charge(operator: str, partner_amount: Money, discount_amount: Money) -> Charge:
    if not operator:
        raise InvalidInputError("partner_operator", "is required")
    for field, amount in (
        ("partner_amount", partner_amount),
        ("discount", discount_amount),
    ):
        if amount.currency != DEFAULT_CURRENCY or amount.fen < 0:
            raise InvalidInputError(field, f"a {DEFAULT_CURRENCY} amount ≥ 0")
    if discount_amount > partner_amount:
        raise InvalidInputError("discount", "cannot exceed the partner amount")
    return Charge(operator, partner_amount.fen, discount_amount.fen)
