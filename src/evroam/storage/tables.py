"""Table definitions shared by SQLite and PostgreSQL (SQLAlchemy Core)."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

operators = Table(
    "operators",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("profile", String(32), nullable=False),
    Column("protocol", String(16), nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
)

tariffs = Table(
    "tariffs",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("body", Text, nullable=False),  # JSON, see storage.codec
)

stations = Table(
    "stations",
    metadata,
    # Integer key for the spatial index (SQLite R*Tree needs one).
    Column("sid", Integer, primary_key=True, autoincrement=True),
    Column("id", String(160), nullable=False, unique=True),
    Column("operator_id", String(64), nullable=False),
    Column("external_id", String(100), nullable=False),
    Column("name", String(300), nullable=False),
    Column("address", String(500), nullable=False),
    Column("city", String(100), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("tariff_id", String(100), nullable=False),
    Column("parking_free_minutes", Integer, nullable=False),
    Column("parking_fee_fen_per_hour", Integer, nullable=False),
    Column("parking_daily_cap_fen", Integer),
    Column("max_power_kw", Float, nullable=False),
    Column("connector_mask", Integer, nullable=False),
    Column("is_swap", Boolean, nullable=False),
    Column("swap_batteries", Integer),
    Column("swap_queue", Integer),
    Column("swap_minutes", Integer),
    Column("piles_free", Integer, nullable=False, default=0),
    Column("piles_busy", Integer, nullable=False, default=0),
    Column("piles_offline", Integer, nullable=False, default=0),
    Column("piles_unknown", Integer, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True)),
    Index("ix_stations_operator", "operator_id"),
)

piles = Table(
    "piles",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("station_sid", Integer, ForeignKey("stations.sid"), nullable=False),
    Column("external_uid", String(100), nullable=False),
    Column("connectors", Text, nullable=False),  # JSON, see storage.codec
    Column("max_power_kw", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_at", DateTime(timezone=True)),
    Index("ix_piles_station", "station_sid"),
)
