"""Engines and schema for the two supported databases: SQLite and PostgreSQL/PostGIS."""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

# Each context's table module registers its tables on the shared metadata.
from evroam.storage import (  # noqa: F401
    charging_tables,
    ledger_plpgsql,
    ledger_tables,
    privacy_tables,
    settlement_tables,
)
from evroam.storage.database import (
    DatabaseAccess,
    check_url,
    missing_error,
    refuse_missing_file,
    table_names,
)
from evroam.storage.tables import metadata


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and pick the psycopg 3 driver for it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create_database_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        _ensure_parent_dir(url)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


_PILE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = (
    weakref.WeakKeyDictionary()
)
_PILE_WRITERS_GUARD = threading.Lock()


@contextmanager
def pile_status_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that reads pile statuses and writes them back, one such
    transaction at a time per database.

    A status update decides from the status it reads (is the report newer?),
    and a station resync reads the held statuses before it rewrites the
    station's piles. Read and write must not interleave with another writer's,
    or an older status is written over a newer one. PostgreSQL: a transaction
    advisory lock taken first (every worker); SQLite: a lock shared by this
    process's threads (pysqlite reads outside the transaction it opens at the
    first write, and SQLite has one writer at a time anyway).
    """
    if is_sqlite(engine):
        with _PILE_WRITERS_GUARD:
            lock = _PILE_WRITERS.setdefault(engine, threading.Lock())
        with lock, engine.begin() as conn:
            yield conn
        return
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('evroam_piles'))"))
        yield conn


def open_database(url: str, access: DatabaseAccess) -> Engine:
    """An engine on the database at ``url``, checked (and created when ``access``
    allows it) before any command uses it; a ``DatabaseError`` says why not."""
    check_url(url)
    refuse_missing_file(url, access)
    engine = create_database_engine(url)
    try:
        if not access.may_create and not table_names(engine, url) & set(
            metadata.tables
        ):
            raise missing_error(url)
        if access.may_create:
            table_names(engine, url)  # reachable, or one line saying why not
            create_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _ensure_parent_dir(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:" and "mode=memory" not in path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # durable across app crashes in WAL mode
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-131072")  # 128 MiB
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def create_schema(engine: Engine, attempts: int = 5) -> None:
    """Create tables and the spatial index if they do not exist (idempotent).

    Several API workers start at once on a fresh database; two of them may both
    see a table missing and one CREATE then fails. The loser retries and finds
    the schema the winner made.
    """
    for attempt in range(attempts):
        try:
            _create_schema_once(engine)
            return
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _create_schema_once(engine: Engine) -> None:
    with engine.begin() as conn:
        if not is_sqlite(engine):
            # One creator at a time: workers starting together would race on
            # CREATE OR REPLACE FUNCTION ("tuple concurrently updated").
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext('evroam_schema'))")
            )
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        metadata.create_all(conn)
        if is_sqlite(engine):
            conn.execute(
                text(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS station_rtree USING rtree("
                    "id, min_lat, max_lat, min_lon, max_lon)"
                )
            )
        else:
            conn.execute(
                text(
                    "ALTER TABLE stations ADD COLUMN IF NOT EXISTS "
                    "geog geography(Point, 4326)"
                )
            )
            conn.execute(
                text(
                    "CREATE INDEX IF NOT EXISTS ix_stations_geog "
                    "ON stations USING gist (geog)"
                )
            )
            conn.execute(
                text(
                    "CREATE INDEX IF NOT EXISTS ix_stations_geom "
                    "ON stations USING gist ((geog::geometry))"
                )
            )
            ledger_plpgsql.install(conn)


def drop_schema(engine: Engine) -> None:
    with engine.begin() as conn:
        if is_sqlite(engine):
            conn.execute(text("DROP TABLE IF EXISTS station_rtree"))
        metadata.drop_all(conn)
