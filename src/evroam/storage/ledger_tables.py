"""Wallet ledger tables: transfers, postings, balances, holds, top-ups, keys, events."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    text,
)

from evroam.storage.tables import metadata

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid).
SEQ = BigInteger().with_variant(Integer(), "sqlite")

ledger_transfers = Table(
    "ledger_transfers",
    metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

ledger_postings = Table(
    "ledger_postings",
    metadata,
    Column(
        "transfer_seq",
        SEQ,
        ForeignKey("ledger_transfers.seq"),
        primary_key=True,
    ),
    Column("account", String(200), primary_key=True),
    Column("amount_fen", BigInteger, nullable=False),
    Index("ix_ledger_postings_account", "account", "transfer_seq"),
)

# Cached balances. Driver accounts live in slot 0; busy platform accounts
# (clearing, payables, discounts) spread over slots so concurrent transfers do
# not queue on one row. An account's balance is the sum over its slots.
ledger_balances = Table(
    "ledger_balances",
    metadata,
    Column("account", String(200), primary_key=True),
    Column("slot", SmallInteger, primary_key=True),
    Column("balance_fen", BigInteger, nullable=False),
)

ledger_holds = Table(
    "ledger_holds",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(100), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("reference", String(200), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("state", String(16), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Column("operator", String(64)),
    Column("partner_fen", BigInteger, nullable=False, default=0),
    Column("discount_fen", BigInteger, nullable=False, default=0),
    Column("from_hold_fen", BigInteger, nullable=False, default=0),
    Column("from_wallet_fen", BigInteger, nullable=False, default=0),
    Column("receivable_fen", BigInteger, nullable=False, default=0),
    Column("refunded_fen", BigInteger, nullable=False, default=0),
    Index("ix_ledger_holds_pending", "state", "placed_at"),
)

ledger_top_ups = Table(
    "ledger_top_ups",
    metadata,
    Column("intent_id", String(100), primary_key=True),
    Column("account_id", String(100), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("confirm_url", String(500), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("transfer_id", String(64)),
)

# The sandbox payment provider's own intents (payments.sandbox): the provider's
# side of a top-up, so a restart or another worker can still confirm it.
sandbox_payment_intents = Table(
    "sandbox_payment_intents",
    metadata,
    Column("intent_id", String(100), primary_key=True),
    Column("account_id", String(100), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("confirm_url", String(500), nullable=False),
    Column("idempotency_key", String(400), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("idempotency_key", name="uq_sandbox_intent_key"),
)

ledger_idempotency = Table(
    "ledger_idempotency",
    metadata,
    Column("scope", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("response", Text),  # JSON; NULL until the unit of work stores it
)

ledger_events = Table(
    "ledger_events",
    metadata,
    Column("event_id", String(100), primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# Hot-path statements, built once: the same SQL runs on SQLite and PostgreSQL.
_AT = bindparam("created_at", type_=DateTime(timezone=True))
CLAIM_KEY = text(
    "INSERT INTO ledger_idempotency (scope, key, fingerprint) "
    "VALUES (:scope, :key, :fingerprint) "
    "ON CONFLICT (scope, key) DO NOTHING RETURNING fingerprint"
)
STORED_KEY = text(
    "SELECT fingerprint, response FROM ledger_idempotency "
    "WHERE scope = :scope AND key = :key"
)
STORE_RESPONSE = text(
    "UPDATE ledger_idempotency SET response = :response "
    "WHERE scope = :scope AND key = :key"
)
WALLET_ROW = (
    "SELECT balance_fen FROM ledger_balances WHERE account = :account AND slot = 0"
)
READ_WALLET = text(WALLET_ROW)
LOCK_WALLET = text(WALLET_ROW + " FOR UPDATE")
BALANCE = text(
    "SELECT COALESCE(SUM(balance_fen), 0) FROM ledger_balances WHERE account = :account"
)
INSERT_TRANSFER = text(
    "INSERT INTO ledger_transfers (id, kind, reference, created_at) "
    "VALUES (:id, :kind, :reference, :created_at) RETURNING seq"
).bindparams(_AT)
INSERT_POSTING = text(
    "INSERT INTO ledger_postings (transfer_seq, account, amount_fen) "
    "VALUES (:transfer_seq, :account, :amount_fen)"
)
# The never-negative guard: the row only moves if it stays at or above zero.
MOVE_GUARDED = text(
    "UPDATE ledger_balances SET balance_fen = balance_fen + :delta "
    "WHERE account = :account AND slot = 0 AND balance_fen + :delta >= 0"
)
MOVE = text(
    "INSERT INTO ledger_balances (account, slot, balance_fen) "
    "VALUES (:account, :slot, :delta) ON CONFLICT (account, slot) "
    "DO UPDATE SET balance_fen = ledger_balances.balance_fen + excluded.balance_fen"
)
INSERT_HOLD = ledger_holds.insert()
FIND_HOLD = ledger_holds.select().where(ledger_holds.c.id == bindparam("hold_id"))
RESOLVED_COLUMNS = (
    "state",
    "resolved_at",
    "operator",
    "partner_fen",
    "discount_fen",
    "from_hold_fen",
    "from_wallet_fen",
    "receivable_fen",
)
RESOLVE_HOLD = (
    ledger_holds.update()
    .where(ledger_holds.c.id == bindparam("hold_id"), ledger_holds.c.state == "pending")
    .values({c: bindparam(f"new_{c}") for c in RESOLVED_COLUMNS})
)
