"""The PL/pgSQL function that applies a batch of ledger write plans on PostgreSQL.

One call applies many wallet writes (ADR 0012).

``evroam_ledger_apply(units jsonb, platform_slot smallint)`` takes an array
of *write plans* (see
``evroam.wallet.plan``) and applies them in order, each in its own
subtransaction, inside the caller's transaction. Per plan it claims the
idempotency key (with the response), resolves the hold if the plan says so
(only while it is pending), appends the transfer and its postings, moves the
cached balances (never-negative accounts only while they stay at or above
zero: the guarded update locks and checks in one step, so no separate wallet
lock is taken; busy platform accounts move in the caller's
``platform_slot``) and stores a new hold. It answers one JSON object per plan:

- ``{"ok": true}``: applied;
- ``{"replay": {"fingerprint": …, "response": …}}``: the key was used before;
- ``{"refused": "no_wallet" | "hold_resolved" | "insufficient_funds"}``:
  nothing of this plan was written.

Deadlocks and other database errors abort the whole call: the caller rolls
back and retries the batch, which is safe because nothing was committed.

Its body is schema: migration 0001 creates it (storage/migrations/versions/
0001_baseline.py); a change to it is a new revision that replaces it
(``CREATE OR REPLACE FUNCTION``), so a database's function always matches its
schema version (ADR 0016).
"""

from __future__ import annotations

FUNCTION = "evroam_ledger_apply"
