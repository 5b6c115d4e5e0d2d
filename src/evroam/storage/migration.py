"""Schema migrations (Alembic): upgrade, stamp, refuse a schema that is not head.

A database made before migrations is stamped at the baseline only if its schema
equals it; commands refuse a database whose schema is not the one this evroam
needs (ADR 0016).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text
from sqlalchemy.exc import SAWarning

# Each context's table module registers its tables on the shared metadata.
from evroam.storage import (  # noqa: F401
    charging_tables,
    history_tables,
    ledger_tables,
    pile_report_tables,
    pile_request_tables,
    privacy_tables,
    settlement_tables,
    signin_tables,
    token_tables,
)
from evroam.storage.database import DEFAULT_DATABASE_URL, DatabaseError, shown
from evroam.storage.tables import metadata

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
VERSION_TABLE = "alembic_version"
# Made by the database engine itself, not described in tables.py (the
# history's day partitions are made at run time: storage.status_history).
ENGINE_TABLES = ("station_rtree", "spatial_ref_sys", "pile_status_history_p")
ENGINE_COLUMNS = {("stations", "geog")}  # PostGIS, beside the portable lat/lon
ENGINE_INDEXES = {"ix_stations_geog", "ix_stations_geom"}


class SchemaError(DatabaseError):
    """The database's schema is not the one this evroam needs."""


def target_metadata() -> MetaData:
    """Every table evroam describes (tables.py and each context's table module)."""
    return metadata


def include_name(
    name: str | None, kind: str, parents: MutableMapping[Any, str | None]
) -> bool:
    """What autogenerate compares: not the engine's own tables (R*Tree, PostGIS)."""
    if kind == "table":
        return name is not None and not name.startswith(ENGINE_TABLES)
    if kind == "column":
        return (parents.get("table_name"), name) not in ENGINE_COLUMNS
    if kind == "index":
        return name not in ENGINE_INDEXES
    return True


def differences_from_tables(conn: Connection) -> list[Any]:
    """What autogenerate finds between the database and tables.py (empty: the
    migrations and tables.py agree). A test runs it at head on both engines."""
    context = MigrationContext.configure(
        conn, opts={"include_name": include_name, "compare_type": True}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # geography: an unknown type
        return list(compare_metadata(context, metadata))


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What ``upgrade`` did: from which revision to which, and whether it stamped."""

    before: str | None
    after: str
    stamped: bool


def alembic_config(conn: Connection, data_key: str = "") -> Config:
    """Alembic's configuration: our migrations, on ``conn``; a data migration
    that seals secrets reads ``attributes["data_key"]``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    config.attributes["data_key"] = data_key
    return config


def head() -> str:
    """The revision this evroam's tables.py describes."""
    found = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert found is not None
    return found


def _known(revision: str) -> bool:
    return any(
        s.revision == revision
        for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()
    )


def current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _evroam_tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names()) & set(target_metadata().tables)


@contextmanager
def _schema_lock(engine: Engine) -> Iterator[Connection]:
    """One migrator at a time, all in one transaction: a failed upgrade leaves
    the schema as it was (both engines have transactional DDL)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext('evroam_schema'))")
            )
        yield conn
        conn.commit()


def upgrade(engine: Engine, url: str, data_key: str = "") -> Upgrade:
    """Bring the database to head; a database made before migrations is first
    stamped at the baseline, only if its schema equals it."""
    with _schema_lock(engine) as conn:
        before = current(conn)
        stamped = False
        if before is None and _evroam_tables(conn):
            differences = baseline_differences(conn)
            if differences:
                raise SchemaError(
                    f"the database at {shown(url)} has no schema version and differs "
                    f"from evroam's first schema ({BASELINE}): "
                    + "; ".join(differences)
                )
            command.stamp(alembic_config(conn), BASELINE)
            before, stamped = BASELINE, True
        if before is not None and not _known(before):
            raise _newer(url, before)
        command.upgrade(alembic_config(conn, data_key), "head")
        return Upgrade(before, head(), stamped)


def require_head(engine: Engine, url: str) -> None:
    """Refuse, in one line, a database whose schema is not this evroam's."""
    with engine.connect() as conn:
        version = current(conn)
    wanted = head()
    if version == wanted:
        return
    run = "evroam db upgrade" + (
        "" if url == DEFAULT_DATABASE_URL else f" --db {shown(url)}"
    )
    if version is None:
        raise SchemaError(
            f"the database at {shown(url)} has no schema version (made before "
            f"migrations): run {run}"
        )
    if not _known(version):
        raise _newer(url, version)
    raise SchemaError(
        f"the database at {shown(url)} is at schema {version}, this evroam needs "
        f"{wanted}: run {run}"
    )


def _newer(url: str, version: str) -> SchemaError:
    return SchemaError(
        f"the database at {shown(url)} is at schema {version}, which this evroam "
        f"does not know (made by a newer evroam?): upgrade evroam"
    )


def baseline_differences(conn: Connection) -> list[str]:
    """How the database's schema differs from revision 0001's (empty: equal).

    The baseline is built in a scratch place and compared structurally:
    an in-memory database on SQLite, a schema rolled back afterwards on
    PostgreSQL.
    """
    actual = schema_of(conn)
    if conn.dialect.name == "sqlite":
        from sqlalchemy import create_engine

        scratch = create_engine("sqlite://")
        with scratch.connect() as other:
            other.exec_driver_sql("BEGIN")
            command.upgrade(alembic_config(other), BASELINE)
            expected = schema_of(other)
        scratch.dispose()
    else:
        savepoint = conn.begin_nested()
        conn.exec_driver_sql("CREATE SCHEMA evroam_baseline")
        conn.exec_driver_sql("SET LOCAL search_path TO evroam_baseline, public")
        command.upgrade(alembic_config(conn), BASELINE)
        expected = schema_of(conn, "evroam_baseline")
        savepoint.rollback()
        conn.exec_driver_sql("SET LOCAL search_path TO public")
    return describe_differences(expected, actual)


def schema_of(conn: Connection, schema: str | None = None) -> dict[str, str]:
    """Tables, columns, keys, indexes (and PL/pgSQL functions) as comparable text."""
    found: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # geography: an unknown type
        look = inspect(conn)
        for table in look.get_table_names(schema):
            if table in (VERSION_TABLE, "spatial_ref_sys"):
                continue
            found[f"table {table}"] = ""
            for c in look.get_columns(table, schema):
                found[f"column {table}.{c['name']}"] = (
                    f"{_type_name(c['type'])} {'NULL' if c['nullable'] else 'NOT NULL'}"
                )
            pk = look.get_pk_constraint(table, schema)
            found[f"primary key of {table}"] = ",".join(pk["constrained_columns"])
            for u in look.get_unique_constraints(table, schema):
                found[f"unique {table}({','.join(u['column_names'])})"] = ""
            for f in look.get_foreign_keys(table, schema):
                found[f"foreign key {table}({','.join(f['constrained_columns'])})"] = (
                    f"{f['referred_table']}({','.join(f['referred_columns'])})"
                )
            for i in look.get_indexes(table, schema):
                cols = [c or "<expr>" for c in i["column_names"]]
                found[f"index {i['name']}"] = f"{table}({','.join(cols)})" + (
                    " unique" if i["unique"] else ""
                )
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(
                "SELECT p.proname, md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = :schema "
                "AND p.proname LIKE 'evroam%'"
            ),
            {"schema": schema or "public"},
        )
        for name, digest in rows:
            found[f"function {name}"] = digest
    return found


def _type_name(value: object) -> str:
    name = str(value) if type(value).__name__ != "NullType" else "NULLTYPE"
    return name.replace("DOUBLE PRECISION", "FLOAT")


def describe_differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    missing = [f"missing {k}" for k in sorted(expected.keys() - actual.keys())]
    extra = [f"unexpected {k}" for k in sorted(actual.keys() - expected.keys())]
    changed = [
        f"{k} is {actual[k]} instead of {expected[k]}"
        for k in sorted(expected.keys() & actual.keys())
        if expected[k] != actual[k]
    ]
    return missing + extra + changed
