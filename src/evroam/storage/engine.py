"""Engines and schema for the two supported databases: SQLite and PostgreSQL/PostGIS."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

from evroam.storage import migration
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


def guard_engine(engine: Engine, refuse: Callable[[str], None]) -> None:
    """Call ``refuse(what)`` before every statement ``engine`` runs: the loop
    guard of the composition root raises there on the event-loop thread."""

    def before_statement(
        _conn: Connection,
        _cursor: Any,
        statement: str,
        *_args: Any,
    ) -> None:
        verb = statement.lstrip().split(None, 1)[0] if statement.strip() else "SQL"
        refuse(f"a database statement ({verb})")

    event.listen(engine, "before_cursor_execute", before_statement)


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


def open_database(url: str, access: DatabaseAccess, data_key: str = "") -> Engine:
    """An engine on the database at ``url``, checked (and created or upgraded
    when ``access`` allows it) before any command uses it; a one-line
    ``DatabaseError`` says why it cannot be used."""
    check_url(url)
    refuse_missing_file(url, access)
    engine = create_database_engine(url)
    try:
        has_tables = bool(table_names(engine, url) & set(metadata.tables))
        if access is DatabaseAccess.UPGRADE or (access.may_create and not has_tables):
            migration.upgrade(engine, url, data_key)
        elif not has_tables:
            raise missing_error(url)
        else:
            migration.require_head(engine, url)
    except BaseException:
        engine.dispose()
        raise
    return engine


def upgrade_database(url: str, data_key: str = "") -> migration.Upgrade:
    """``evroam db upgrade``: create the database or bring it to head."""
    check_url(url)
    engine = create_database_engine(url)
    try:
        table_names(engine, url)  # reachable, or one line saying why not
        return migration.upgrade(engine, url, data_key)
    finally:
        engine.dispose()


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


def create_schema(engine: Engine) -> None:
    """Create the schema, or upgrade it, to head (tests and benchmarks; commands
    go through ``open_database``). Safe when several processes start at once:
    migrations take the schema lock."""
    migration.upgrade(engine, engine.url.render_as_string(hide_password=True))


def drop_schema(engine: Engine) -> None:
    with engine.begin() as conn:
        if is_sqlite(engine):
            conn.execute(text("DROP TABLE IF EXISTS station_rtree"))
        metadata.drop_all(conn)
        conn.execute(text(f"DROP TABLE IF EXISTS {migration.VERSION_TABLE}"))
