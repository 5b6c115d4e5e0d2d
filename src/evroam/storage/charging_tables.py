"""Tables of the charging context: sessions, receipts, billed charges, disputes."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from evroam.storage.tables import metadata

charging_sessions = Table(
    "charging_sessions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", String(40), nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("operator_id", String(64), nullable=False),
    Column("station_id", String(160), nullable=False),
    Column("pile_id", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("hold_id", String(80), nullable=False),
    Column("hold_fen", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("target_kwh", String(40)),  # Decimal as text: exact
    Column("target_soc", String(40)),
    Column("target_amount_fen", BigInteger),
    Column("partner_session_id", String(100)),
    Column("started_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("kwh", String(40), nullable=False),
    Column("power_kw", String(40)),
    Column("soc", String(40)),
    Column("cost_fen", BigInteger),
    Column("progress_at", DateTime(timezone=True)),
    Column("reason", String(300)),
    # The station's tariff when the session started: re-rating prices the
    # record with its version in force then (ADR 0023).
    Column("tariff_id", String(100)),
    # compare-and-set: every stored change bumps it (charging.lifecycle, ADR 0018)
    Column("version", Integer, nullable=False, server_default="0"),
    # the start command's outbox: sent, taken by the partner, its time to start
    Column("start_sent_at", DateTime(timezone=True)),
    Column("start_acknowledged_at", DateTime(timezone=True)),
    Column("start_timeout_s", Integer),
    Column("start_attempts", Integer, nullable=False, server_default="0"),
    Column("last_heard_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    UniqueConstraint("account_id", "idempotency_key", name="uq_session_key"),
    Index("ix_sessions_account", "account_id", "created_at"),
    Index("ix_sessions_status", "status", "created_at"),
    # OCPI Session PATCH / CDR without authorization_reference: found by the
    # CPO's session id (gateways.ocpi.sessions, find_ref).
    Index("ix_sessions_partner_session", "operator_id", "partner_session_id"),
)

receipts = Table(
    "receipts",
    metadata,
    Column("session_id", String(40), primary_key=True),
    Column("account_id", String(40), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),  # JSON, storage.session_repository
    Index("ix_receipts_account", "account_id", "issued_at"),
)

billed_charges = Table(
    "billed_charges",
    metadata,
    Column("session_id", String(40), primary_key=True),
    Column("operator_id", String(64), nullable=False),
    Column("partner_record_id", String(100), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=False),
    Column("kwh", String(40), nullable=False),
    Column("electricity_fen", BigInteger, nullable=False),
    Column("service_fen", BigInteger, nullable=False),
    Column("parking_fen", BigInteger, nullable=False),
    Column("partner_total_fen", BigInteger, nullable=False),
    Column("discount_fen", BigInteger, nullable=False),
    Column("partner_reported_fen", BigInteger, nullable=False),
    Column("billed_at", DateTime(timezone=True), nullable=False),
    Index("ix_billed_operator_end", "operator_id", "ended_at"),
    UniqueConstraint("operator_id", "partner_record_id", name="uq_partner_record"),
)

disputes = Table(
    "disputes",
    metadata,
    Column("id", String(60), primary_key=True),
    Column("operator_id", String(64), nullable=False),
    Column("session_id", String(40), nullable=False),
    Column("partner_record_id", String(100), nullable=False),
    Column("reason", String(20), nullable=False),
    Column("figures", Text, nullable=False),  # JSON {name: yuan as text}
    Column("billed_fen", BigInteger),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("detail", String(500), nullable=False),
    UniqueConstraint(
        "operator_id", "partner_record_id", "reason", name="uq_dispute_record"
    ),
    Index("ix_disputes_operator_opened", "operator_id", "opened_at"),
    Index("ix_disputes_session", "session_id"),
)
