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
"""

from __future__ import annotations

from sqlalchemy import Connection

FUNCTION = "evroam_ledger_apply"

CREATE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION evroam_ledger_apply(units jsonb, platform_slot smallint)
RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
    u jsonb;
    r jsonb;
    h jsonb;
    g jsonb;
    answers jsonb := '[]'::jsonb;
    stored record;
BEGIN
    FOR u IN SELECT value FROM jsonb_array_elements(units) LOOP
        BEGIN
            -- The response goes in with the claim: a refused plan rolls back
            -- to before the claim, so no key is kept for it.
            INSERT INTO ledger_idempotency (scope, key, fingerprint, response)
            VALUES (u->>'scope', u->>'key', u->>'fingerprint', u->>'response')
            ON CONFLICT (scope, key) DO NOTHING;
            IF NOT FOUND THEN
                SELECT fingerprint, response INTO stored FROM ledger_idempotency
                WHERE scope = u->>'scope' AND key = u->>'key';
                answers := answers || jsonb_build_array(jsonb_build_object(
                    'replay', jsonb_build_object(
                        'fingerprint', stored.fingerprint,
                        'response', stored.response)));
                CONTINUE;
            END IF;

            r := u->'resolve';
            IF jsonb_typeof(r) = 'object' THEN
                UPDATE ledger_holds SET
                    state = r->>'state',
                    resolved_at = (r->>'resolved_at')::timestamptz,
                    operator = r->>'operator',
                    partner_fen = (r->>'partner_fen')::bigint,
                    discount_fen = (r->>'discount_fen')::bigint,
                    from_hold_fen = (r->>'from_hold_fen')::bigint,
                    from_wallet_fen = (r->>'from_wallet_fen')::bigint,
                    receivable_fen = (r->>'receivable_fen')::bigint
                -- "state || ''" keeps the planner on the primary key: a plan
                -- cached while the table looked small could otherwise walk
                -- the (state, placed_at) index over every pending hold.
                WHERE id = r->>'id' AND state || '' = 'pending';
                IF NOT FOUND THEN
                    RAISE EXCEPTION USING ERRCODE = 'EV002', MESSAGE = 'hold_resolved';
                END IF;
            END IF;

            WITH t AS (
                INSERT INTO ledger_transfers (id, kind, reference, created_at)
                VALUES (u->>'transfer_id', u->>'kind', u->>'reference',
                        (u->>'created_at')::timestamptz)
                RETURNING seq
            )
            INSERT INTO ledger_postings (transfer_seq, account, amount_fen)
            SELECT t.seq, p->>0, (p->>1)::bigint
            FROM t, jsonb_array_elements(u->'postings') AS p;

            -- Never-negative accounts (slot 0) move only if they stay >= 0;
            -- one primary-key update each, in account order.
            FOR g IN SELECT value FROM jsonb_array_elements(u->'guarded') LOOP
                UPDATE ledger_balances
                SET balance_fen = balance_fen + (g->>1)::bigint
                WHERE account = g->>0 AND slot = 0
                  AND balance_fen + (g->>1)::bigint >= 0;
                IF NOT FOUND THEN
                    IF NOT EXISTS (SELECT 1 FROM ledger_balances
                                   WHERE account = u->>'wallet' AND slot = 0) THEN
                        RAISE EXCEPTION USING ERRCODE = 'EV001', MESSAGE = 'no_wallet';
                    END IF;
                    RAISE EXCEPTION USING
                        ERRCODE = 'EV003', MESSAGE = 'insufficient_funds';
                END IF;
            END LOOP;
            IF jsonb_array_length(u->'free') > 0 THEN
                INSERT INTO ledger_balances (account, slot, balance_fen)
                SELECT p->>0, COALESCE((p->>2)::smallint, platform_slot),
                       (p->>1)::bigint
                FROM jsonb_array_elements(u->'free') AS p
                ON CONFLICT (account, slot) DO UPDATE
                SET balance_fen = ledger_balances.balance_fen + excluded.balance_fen;
            END IF;

            h := u->'new_hold';
            IF jsonb_typeof(h) = 'object' THEN
                INSERT INTO ledger_holds (
                    id, account_id, amount_fen, reference, placed_at, state,
                    partner_fen, discount_fen, from_hold_fen, from_wallet_fen,
                    receivable_fen, refunded_fen)
                VALUES (h->>'id', h->>'account_id', (h->>'amount_fen')::bigint,
                        h->>'reference', (h->>'placed_at')::timestamptz, 'pending',
                        0, 0, 0, 0, 0, 0);
            END IF;
            answers := answers || jsonb_build_array(jsonb_build_object('ok', true));
        EXCEPTION WHEN SQLSTATE 'EV001' OR SQLSTATE 'EV002' OR SQLSTATE 'EV003' THEN
            answers := answers || jsonb_build_array(
                jsonb_build_object('refused', SQLERRM));
        END;
    END LOOP;
    RETURN answers;
END
$fn$;
"""


def install(conn: Connection) -> None:
    """Create or replace the function (PostgreSQL only; idempotent)."""
    conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {FUNCTION}(jsonb)")  # 1st version
    conn.exec_driver_sql(CREATE_FUNCTION)
