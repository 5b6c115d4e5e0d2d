"""Which database URLs work, who may create a database, and why one cannot be used.

Each error is one line a user reads (the CLI prints it and exits 2):

    DatabaseError
    ├── DatabaseUrlError          not sqlite:///… or postgresql://…
    ├── DatabaseUnreachableError  the server did not answer
    ├── DatabaseMissingError      no database there, or one without evroam's tables
    └── SchemaError               (storage.migration) behind, ahead or unversioned
"""

from __future__ import annotations

import enum
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from evroam.shared.errors import EvroamError

SQLITE_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite"})
POSTGRES_DRIVERS = frozenset({"postgresql", "postgres", "postgresql+psycopg"})
URL_HINT = "use sqlite:///path.db or postgresql://host/db"
FILL_COMMANDS = "evroam demo or evroam generate"
# The one default: make demo, evroam serve and every command use it.
DEFAULT_DATABASE_URL = "sqlite:///var/evroam.db"


class DatabaseError(EvroamError):
    """The database a URL names cannot be used as it is (one line for people)."""


class DatabaseUrlError(DatabaseError):
    """The URL names no database evroam supports."""


class DatabaseUnreachableError(DatabaseError):
    """The database server did not answer."""


class DatabaseMissingError(DatabaseError):
    """There is no evroam database at the URL (missing, or without tables)."""


class DatabaseAccess(enum.Enum):
    """What a command may do to the database it opens."""

    READ = "read"  # must exist with evroam's tables at the current schema
    WRITE = "write"  # may create a missing one; refuses one that is behind
    UPGRADE = "upgrade"  # may create a missing one and upgrade one that is behind

    @property
    def may_create(self) -> bool:
        return self is not DatabaseAccess.READ


def shown(url: str) -> str:
    """The URL as messages print it: never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def check_url(url: str) -> None:
    """Refuse, in one line, a URL that names no database evroam supports."""
    try:
        driver = make_url(url).drivername
    except ArgumentError:
        raise DatabaseUrlError(f"{url!r} is not a database URL: {URL_HINT}") from None
    if driver not in SQLITE_DRIVERS | POSTGRES_DRIVERS:
        raise DatabaseUrlError(f"unsupported database {shown(url)}: {URL_HINT}")


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None: not SQLite, or an in-memory database)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.drivername not in SQLITE_DRIVERS:
        return None
    name = parsed.database or ""
    if name in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    return Path(name)


def fill_hint(url: str) -> str:
    """The commands that fill the database at ``url``."""
    if url == DEFAULT_DATABASE_URL:
        return FILL_COMMANDS
    return f"evroam demo or evroam generate --db {shown(url)}"


def missing_error(url: str) -> DatabaseMissingError:
    return DatabaseMissingError(
        f"no evroam database at {shown(url)}: fill it with {fill_hint(url)}"
    )


def refuse_missing_file(url: str, access: DatabaseAccess) -> None:
    """A command that may not create a database never makes an empty file."""
    path = sqlite_file(url)
    if path is not None and not access.may_create and not path.is_file():
        raise missing_error(url)


def table_names(engine: Engine, url: str) -> set[str]:
    """The tables in the database, or one line if the server does not answer."""
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnreachableError(
            f"cannot reach the database at {shown(url)}: {reason}"
        ) from None
