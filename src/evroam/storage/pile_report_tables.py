"""Table of drivers' pile reports (broken pile, blocked bay)."""

from sqlalchemy import Column, DateTime, Index, String, Table, UniqueConstraint

from evroam.storage.tables import metadata

pile_reports = Table(
    "pile_reports",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", String(40), nullable=False),
    Column("operator_id", String(64), nullable=False),
    Column("station_id", String(160), nullable=False),
    Column("pile_id", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    # One report per driver, pile and UTC clock hour, whatever the races.
    Column("hour_slot", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "account_id", "pile_id", "hour_slot", name="uq_pile_reports_driver_hour"
    ),
    Index("ix_pile_reports_account", "account_id", "reported_at"),
    Index("ix_pile_reports_operator", "operator_id", "reported_at"),
    Index("ix_pile_reports_pile", "pile_id", "reported_at"),
)
