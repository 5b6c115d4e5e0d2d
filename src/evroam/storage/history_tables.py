"""Tables of the pile status history (ADR 0024).

``pile_status_history`` keeps every status change the hub records: one row per
change, with the status before it (``previous``). On PostgreSQL the table is
partitioned by UTC day of ``changed_at`` (``pile_status_history_pYYYYMMDD``,
made on demand by ``storage.status_history``); on SQLite it is one table.
``hub_facts`` holds facts about this database itself, such as the id that
names its Parquet archive.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
)

from evroam.storage.tables import metadata

HISTORY_PARTITION_PREFIX = "pile_status_history_p"

pile_status_history = Table(
    "pile_status_history",
    metadata,
    # SQLite: the rowid (INTEGER PRIMARY KEY AUTOINCREMENT); PostgreSQL: a
    # bigint identity, whose primary key also holds changed_at (a partitioned
    # table's key must hold its partition column; revision 0006 writes that).
    Column(
        "id",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("pile_id", String(200), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    # None: the hub's knowledge of the pile ends here (an import's last row).
    Column("status", String(16)),
    # None: the hub had not seen the pile before (its knowledge starts here).
    Column("previous", String(16)),
    Index("ix_pile_status_history_pile", "pile_id", "changed_at"),
    # Ids are never reused after retention deletes the newest rows: the
    # archive's watermark is an id.
    sqlite_autoincrement=True,
)

hub_facts = Table(
    "hub_facts",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)
