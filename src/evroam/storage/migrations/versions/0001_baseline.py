"""Baseline: the schema as evroam made it before migrations (``create_all``).

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-07

Frozen: it equals tests/fixtures/baseline/ (made by the branch-point code) and
never changes; a schema change is a new revision (docs/storage.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "billed_charges",
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("partner_record_id", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kwh", sa.String(length=40), nullable=False),
        sa.Column("electricity_fen", sa.BigInteger(), nullable=False),
        sa.Column("service_fen", sa.BigInteger(), nullable=False),
        sa.Column("parking_fen", sa.BigInteger(), nullable=False),
        sa.Column("partner_total_fen", sa.BigInteger(), nullable=False),
        sa.Column("discount_fen", sa.BigInteger(), nullable=False),
        sa.Column("partner_reported_fen", sa.BigInteger(), nullable=False),
        sa.Column("billed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
        sa.UniqueConstraint(
            "operator_id", "partner_record_id", name="uq_partner_record"
        ),
    )
    op.create_index(
        "ix_billed_operator_end",
        "billed_charges",
        ["operator_id", "ended_at"],
        unique=False,
    )
    op.create_table(
        "charging_sessions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("station_id", sa.String(length=160), nullable=False),
        sa.Column("pile_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hold_id", sa.String(length=80), nullable=False),
        sa.Column("hold_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("target_kwh", sa.String(length=40), nullable=True),
        sa.Column("target_soc", sa.String(length=40), nullable=True),
        sa.Column("target_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("partner_session_id", sa.String(length=100), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kwh", sa.String(length=40), nullable=False),
        sa.Column("power_kw", sa.String(length=40), nullable=True),
        sa.Column("soc", sa.String(length=40), nullable=True),
        sa.Column("cost_fen", sa.BigInteger(), nullable=True),
        sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "idempotency_key", name="uq_session_key"),
    )
    op.create_index(
        "ix_sessions_account",
        "charging_sessions",
        ["account_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_sessions_status",
        "charging_sessions",
        ["status", "created_at"],
        unique=False,
    )
    op.create_table(
        "consent_records",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("is_granted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        "ix_consent_account", "consent_records", ["account_id", "seq"], unique=False
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "ledger_balances",
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account", "slot"),
    )
    op.create_table(
        "ledger_events",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "ledger_holds",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("operator", sa.String(length=64), nullable=True),
        sa.Column("partner_fen", sa.BigInteger(), nullable=False),
        sa.Column("discount_fen", sa.BigInteger(), nullable=False),
        sa.Column("from_hold_fen", sa.BigInteger(), nullable=False),
        sa.Column("from_wallet_fen", sa.BigInteger(), nullable=False),
        sa.Column("receivable_fen", sa.BigInteger(), nullable=False),
        sa.Column("refunded_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_ledger_holds_pending", "ledger_holds", ["state", "placed_at"], unique=False
    )
    op.create_table(
        "ledger_idempotency",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.create_table(
        "ledger_top_ups",
        sa.Column("intent_id", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("confirm_url", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transfer_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("intent_id"),
    )
    op.create_table(
        "ledger_transfers",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
    )
    op.create_table(
        "operators",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("party_id", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "partner_feeds",
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("is_reachable", sa.Boolean(), nullable=False),
        sa.Column("last_push_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("newest_observed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_stations", sa.Integer(), nullable=False),
        sa.Column("pushes_total", sa.BigInteger(), nullable=False),
        sa.Column("changes_total", sa.BigInteger(), nullable=False),
        sa.Column("errors_total", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("partner_id"),
    )
    op.create_table(
        "partners",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("credentials", sa.Text(), nullable=False),
        sa.Column("status_ttl_s", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("party_id", sa.String(length=3), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "receipts",
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_index(
        "ix_receipts_account", "receipts", ["account_id", "issued_at"], unique=False
    )
    op.create_table(
        "statements",
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("kwh", sa.String(length=40), nullable=False),
        sa.Column("electricity_fen", sa.BigInteger(), nullable=False),
        sa.Column("service_fen", sa.BigInteger(), nullable=False),
        sa.Column("parking_fen", sa.BigInteger(), nullable=False),
        sa.Column("amount_owed_fen", sa.BigInteger(), nullable=False),
        sa.Column("discount_fen", sa.BigInteger(), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "period"),
    )
    op.create_table(
        "stations",
        sa.Column("sid", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("tariff_id", sa.String(length=100), nullable=False),
        sa.Column("parking_free_minutes", sa.Integer(), nullable=False),
        sa.Column("parking_fee_fen_per_hour", sa.Integer(), nullable=False),
        sa.Column("parking_daily_cap_fen", sa.Integer(), nullable=True),
        sa.Column("max_power_kw", sa.Float(), nullable=False),
        sa.Column("connector_mask", sa.Integer(), nullable=False),
        sa.Column("is_swap", sa.Boolean(), nullable=False),
        sa.Column("swap_batteries", sa.Integer(), nullable=True),
        sa.Column("swap_queue", sa.Integer(), nullable=True),
        sa.Column("swap_minutes", sa.Integer(), nullable=True),
        sa.Column("piles_free", sa.Integer(), nullable=False),
        sa.Column("piles_busy", sa.Integer(), nullable=False),
        sa.Column("piles_offline", sa.Integer(), nullable=False),
        sa.Column("piles_unknown", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("sid"),
        sa.UniqueConstraint("id"),
    )
    op.create_index("ix_stations_operator", "stations", ["operator_id"], unique=False)
    op.create_table(
        "tariffs",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ledger_postings",
        sa.Column(
            "transfer_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_seq"],
            ["ledger_transfers.seq"],
        ),
        sa.PrimaryKeyConstraint("transfer_seq", "account"),
    )
    op.create_index(
        "ix_ledger_postings_account",
        "ledger_postings",
        ["account", "transfer_seq"],
        unique=False,
    )
    op.create_table(
        "piles",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("station_sid", sa.Integer(), nullable=False),
        sa.Column("external_uid", sa.String(length=100), nullable=False),
        sa.Column("connectors", sa.Text(), nullable=False),
        sa.Column("max_power_kw", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_sid"],
            ["stations.sid"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_piles_external_uid", "piles", ["external_uid"], unique=False)
    op.create_index("ix_piles_station", "piles", ["station_sid"], unique=False)
    op.create_table(
        "vehicles",
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("brand", sa.String(length=60), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("vin"),
    )
    op.create_index("ix_vehicles_account", "vehicles", ["account_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE station_rtree USING rtree("
            "id, min_lat, max_lat, min_lon, max_lon)"
        )
    else:
        op.execute("ALTER TABLE stations ADD COLUMN geog geography(Point, 4326)")
        op.execute("CREATE INDEX ix_stations_geog ON stations USING gist (geog)")
        op.execute(
            "CREATE INDEX ix_stations_geom ON stations USING gist ((geog::geometry))"
        )
        op.execute(LEDGER_APPLY)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore a backup")


# The ledger's batch function as it stood at the baseline (storage/ledger_plpgsql.py
# then); a later change to it is a new revision that replaces it.
LEDGER_APPLY = r"""
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
