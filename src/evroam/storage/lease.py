"""Named leases in the database: one API worker at a time runs background jobs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from evroam.storage.codec import aware_utc
from evroam.storage.tables import leases


class SqlLeaseStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def try_acquire(self, name: str, holder: str, ttl_s: float, now: datetime) -> bool:
        """Take or renew ``name`` for ``holder`` until now + ttl; False if held."""
        until = now + timedelta(seconds=ttl_s)
        with self._engine.begin() as conn:
            row = conn.execute(select(leases).where(leases.c.name == name)).first()
            if row is not None:
                expires_at = aware_utc(row.expires_at)
                if row.holder != holder and expires_at is not None and expires_at > now:
                    return False
                result = conn.execute(
                    update(leases)
                    .where(leases.c.name == name, leases.c.holder == row.holder)
                    .values(holder=holder, expires_at=until)
                )
                return bool(result.rowcount)
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(leases),
                    [{"name": name, "holder": holder, "expires_at": until}],
                )
        except IntegrityError:
            return False  # another worker took it first
        return True

    def release(self, name: str, holder: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                delete(leases).where(leases.c.name == name, leases.c.holder == holder)
            )
