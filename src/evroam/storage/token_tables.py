"""Tables of driver tokens: every token ever issued, and blocked accounts."""

from sqlalchemy import Column, DateTime, Index, String, Table

from evroam.storage.tables import metadata

driver_tokens = Table(
    "driver_tokens",
    metadata,
    Column("uid", String(36), primary_key=True),  # OCPI Token.uid, CiString(36)
    Column("kind", String(8), nullable=False),
    Column("contract_id", String(36), nullable=False),
    Column("account_id", String(40)),  # none once the account is erased
    Column("state", String(8), nullable=False),
    Column("visual_number", String(64)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_tokens_account", "account_id"),
    Index("ix_tokens_updated", "updated_at", "uid"),
)

blocked_accounts = Table(
    "blocked_accounts",
    metadata,
    Column("account_id", String(40), primary_key=True),
    Column("blocked_at", DateTime(timezone=True), nullable=False),
)
