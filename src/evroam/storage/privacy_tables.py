"""Tables of drivers' privacy choices: the consent history."""

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table

from evroam.storage.tables import metadata

consent_records = Table(
    "consent_records",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("account_id", String(40), nullable=False),
    Column("purpose", String(40), nullable=False),
    Column("is_granted", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_consent_account", "account_id", "seq"),
)
