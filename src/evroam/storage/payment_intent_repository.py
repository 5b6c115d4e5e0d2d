"""The sandbox payment provider's intents in the database, for every worker."""

from __future__ import annotations

from sqlalchemy import Engine, RowMapping, insert, select
from sqlalchemy.exc import IntegrityError

from evroam.shared.clock import Clock
from evroam.storage.ledger_tables import sandbox_payment_intents
from evroam.wallet.ports import PaymentIntent

_T = sandbox_payment_intents


class SqlPaymentIntentStore:
    """``payments.sandbox.IntentStore`` over ``sandbox_payment_intents``: one
    intent per idempotency key, whichever worker creates it first."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def add(self, intent: PaymentIntent, idempotency_key: str) -> PaymentIntent:
        known = self._by_key(idempotency_key)
        if known is not None:
            return known
        row = {
            "intent_id": intent.id,
            "account_id": intent.account_id,
            "amount_fen": intent.amount_fen,
            "confirm_url": intent.confirm_url,
            "idempotency_key": idempotency_key,
            "created_at": self._clock.now(),
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(_T), [row])
        except IntegrityError:
            # Another worker stored this key's intent first: that one it is.
            known = self._by_key(idempotency_key)
            if known is None:
                raise
            return known
        return intent

    def find(self, intent_id: str) -> PaymentIntent | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(_T).where(_T.c.intent_id == intent_id))
            found = row.mappings().first()
        return None if found is None else _intent(found)

    def _by_key(self, idempotency_key: str) -> PaymentIntent | None:
        with self._engine.connect() as conn:
            query = select(_T).where(_T.c.idempotency_key == idempotency_key)
            found = conn.execute(query).mappings().first()
        return None if found is None else _intent(found)


def _intent(row: RowMapping) -> PaymentIntent:
    return PaymentIntent(
        row["intent_id"], row["account_id"], row["amount_fen"], row["confirm_url"]
    )


__all__ = ["SqlPaymentIntentStore"]
