"""Storing a session's transition: compare-and-set with its money, one unit of work."""

from __future__ import annotations

from dataclasses import replace

from evroam.charging.errors import SessionConflictError, SessionNotFoundError
from evroam.charging.lifecycle import (
    Event,
    OpenDispute,
    ReleaseHold,
    SettleHold,
    Transition,
    apply,
)
from evroam.charging.model import ChargingSession
from evroam.charging.ports import SessionStore, SessionTransaction, Wallet
from evroam.shared.clock import Clock
from evroam.shared.ids import SessionId
from evroam.wallet.errors import LedgerContentionError

TRANSITION_ATTEMPTS = 16  # compare-and-set retries before SessionConflictError


class TransitionWriter:
    """Applies lifecycle events to stored sessions (ADR 0018)."""

    def __init__(self, sessions: SessionStore, wallet: Wallet, clock: Clock) -> None:
        self._sessions = sessions
        self._wallet = wallet
        self._clock = clock

    def __call__(self, session_id: SessionId, event: Event) -> Transition:
        """Apply ``event`` with a compare-and-set: read, work out the transition,
        then store it with its money effects in one unit of work; when another
        change was stored first, start again from a fresh read (ADR 0018)."""
        for _ in range(TRANSITION_ATTEMPTS):
            current = self._sessions.find(session_id)
            if current is None:
                raise SessionNotFoundError(session_id)
            done = apply(current, event, self._clock.now())
            if not done.is_change:
                return done
            try:
                with self._sessions.transaction() as tx:
                    stored = self._money_within(tx, done)
                    if tx.save(stored):
                        tx.commit()
                        return Transition(current, stored, done.effects)
            except LedgerContentionError:
                continue
        raise SessionConflictError(f"session {session_id} is changing too fast")

    def _money_within(
        self, tx: SessionTransaction, done: Transition
    ) -> ChargingSession:
        """Run the transition's money effects in ``tx``; the session to store."""
        session = done.session
        for effect in done.effects:
            if isinstance(effect, ReleaseHold):
                self._wallet.release_within(
                    tx.ledger, effect.hold_id, f"release:{session.id}"
                )
            elif isinstance(effect, SettleHold):
                hold = self._wallet.settle_within(
                    tx.ledger,
                    effect.hold_id,
                    effect.partner,
                    effect.discount,
                    session.operator_id,
                    f"settle:{session.id}",
                )
                session = replace(session, hold_id=hold.id)  # a late charge's own
                tx.add_receipt(effect.receipt, effect.charge)
            elif isinstance(effect, OpenDispute):
                tx.open_dispute(effect.dispute)
        return session


__all__ = ["TRANSITION_ATTEMPTS", "TransitionWriter"]
