"""Tables of the settlement context: statements issued to partners."""

from sqlalchemy import BigInteger, Column, DateTime, Integer, String, Table

from evroam.storage.tables import metadata

statements = Table(
    "statements",
    metadata,
    Column("partner_id", String(64), primary_key=True),
    Column("period", String(7), primary_key=True),  # calendar month "2026-10"
    Column("sessions", Integer, nullable=False),
    Column("kwh", String(40), nullable=False),  # Decimal as text: exact
    Column("electricity_fen", BigInteger, nullable=False),
    Column("service_fen", BigInteger, nullable=False),
    Column("parking_fen", BigInteger, nullable=False),
    Column("amount_owed_fen", BigInteger, nullable=False),
    Column("discount_fen", BigInteger, nullable=False),
    Column("generated_at", DateTime(timezone=True), nullable=False),
)
