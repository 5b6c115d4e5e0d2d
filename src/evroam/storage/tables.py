"""Table definitions shared by SQLite and PostgreSQL (SQLAlchemy Core)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
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

tariff_versions = Table(
    "tariff_versions",
    metadata,
    # Every version ever stored, in order: max(seq) is the tariffs' generation,
    # which every worker's cache compares (ADR 0023).
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("tariff_id", String(100), nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),  # JSON, see storage.tariff_codec
    Index("ix_tariff_versions_id_from", "tariff_id", "valid_from"),
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
    # status_at orders reports (the partner's own time of the status, ADR 0005);
    # heard_at is when a report about the pile last reached us (staleness TTL).
    Column("status_at", DateTime(timezone=True)),
    Column("heard_at", DateTime(timezone=True)),
    Column("is_reservable", Boolean, nullable=False, server_default=false()),
    Index("ix_piles_station", "station_sid"),
    Index("ix_piles_external_uid", "external_uid"),
)

partners = Table(
    "partners",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("protocol", String(16), nullable=False),
    Column("profile", String(32), nullable=False),
    Column("url", String(500), nullable=False),
    # Protocol credentials (tokens, secrets), sealed with the hub's data key
    # (storage/partner_secrets.py): never in clear at rest.
    Column("credentials", Text, nullable=False),
    Column("status_ttl_s", Integer, nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    Column("added_at", DateTime(timezone=True)),
)

partner_feeds = Table(
    "partner_feeds",
    metadata,
    Column("partner_id", String(64), primary_key=True),
    Column("is_reachable", Boolean, nullable=False, default=True),
    Column("last_push_at", DateTime(timezone=True)),
    Column("newest_observed_at", DateTime(timezone=True)),
    Column("last_sync_at", DateTime(timezone=True)),
    Column("last_sync_stations", Integer, nullable=False, default=0),
    Column("pushes_total", BigInteger, nullable=False, default=0),
    Column("changes_total", BigInteger, nullable=False, default=0),
    Column("errors_total", BigInteger, nullable=False, default=0),
    Column("last_error", String(500)),
    Column("last_error_at", DateTime(timezone=True)),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(100), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# T/CEC envelopes accepted, kept until their TimeStamp leaves the replay window
# (ADR 0029): every worker and every restart sees the same.
tcec_seen_envelopes = Table(
    "tcec_seen_envelopes",
    metadata,
    Column("operator_id", String(64), primary_key=True),
    Column("time_stamp", String(14), primary_key=True),
    Column("seq", String(4), primary_key=True),
    Column("keep_until", DateTime(timezone=True), nullable=False),
    Index("ix_tcec_seen_envelopes_keep_until", "keep_until"),
)

# T/CEC check_charge_orders received: a partner's orders of [starts_at, ends_at),
# which the hub's reconciliation of a period compares with its own (ADR 0029).
tcec_order_checks = Table(
    "tcec_order_checks",
    metadata,
    Column("partner_id", String(64), primary_key=True),
    Column("check_id", String(64), primary_key=True),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("orders", Text, nullable=False),  # JSON [[ref, kWh, total CNY], ...]
    Index("ix_tcec_order_checks_period", "partner_id", "starts_at"),
)


accounts = Table(
    "accounts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

vehicles = Table(
    "vehicles",
    metadata,
    Column("vin", String(17), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("brand", String(60), nullable=False),
    Column("model", String(100), nullable=False),
    Column("delivery_date", Date, nullable=False),
    Column("catalogue_id", String(100), nullable=True),
    Index("ix_vehicles_account", "account_id"),
)

# An operator moved a VIN from one account to another (audit; no foreign keys:
# the record outlives an erased account).
vehicle_transfers = Table(
    "vehicle_transfers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("vin", String(17), nullable=False),
    Column("from_account", String(40), nullable=False),
    Column("to_account", String(40), nullable=False),
    Column("performed_by", String(100), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("transferred_at", DateTime(timezone=True), nullable=False),
    Index("ix_vehicle_transfers_vin", "vin", "transferred_at"),
)
