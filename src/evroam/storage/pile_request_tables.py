"""Tables of pile requests: reservations and stuck-cable reports."""

from sqlalchemy import Column, DateTime, Index, Integer, String, Table

from evroam.storage.tables import metadata

reservations = Table(
    "reservations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(40), nullable=False),
    Column("operator_id", String(64), nullable=False),
    Column("station_id", String(160), nullable=False),
    Column("pile_id", String(200), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("answer_by", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("reason", String(300)),
    Index("ix_reservations_account", "account_id", "created_at"),
    Index("ix_reservations_status", "status"),
)

cable_reports = Table(
    "cable_reports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(40), nullable=False),
    Column("operator_id", String(64), nullable=False),
    Column("station_id", String(160), nullable=False),
    Column("pile_id", String(200), nullable=False),
    Column("connector_id", String(36), nullable=False),
    Column("note", String(500), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("answer_by", DateTime(timezone=True)),
    Column("reason", String(300)),
    Index("ix_cable_reports_created", "created_at"),
)
