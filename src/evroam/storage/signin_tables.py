"""Tables of password sign-in: each account's login and its browser sessions."""

from sqlalchemy import Column, DateTime, ForeignKey, Index, String, Table

from evroam.storage.tables import metadata

account_logins = Table(
    "account_logins",
    metadata,
    Column("login", String(254), primary_key=True),  # email or phone, normalised
    Column(
        "account_id",
        String(40),
        ForeignKey("accounts.id"),
        nullable=False,
        unique=True,
    ),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_sessions_account", "account_id"),
)
