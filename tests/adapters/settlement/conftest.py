"""Settlement storage on every SQL engine: SQLite (file, WAL) and PostgreSQL."""

from __future__ import annotations
