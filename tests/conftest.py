"""Shared fixtures: real PostgreSQL/PostGIS and Redis when they are reachable."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.hub_keys import install_test_secrets

install_test_secrets()  # before any test builds Settings (ADR 0015)

POSTGRES_ADMIN_URL = os.environ.get(
    "EVROAM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("EVROAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _postgres_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
            ).fetchone()
    except Exception as exc:
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}"
    if row is None:
        return "PostGIS is not installed (make system-deps installs it)"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostGIS-enabled database for this test session, dropped afterwards."""
    reason = _postgres_reason()
    if reason:
        pytest.skip(f"SKIPPING PostgreSQL tests: {reason}")
    import psycopg

    name = f"evroam_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        pytest.skip(f"SKIPPING Redis tests: Redis not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL
