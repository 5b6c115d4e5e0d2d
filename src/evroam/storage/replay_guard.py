"""T/CEC replay protection kept in the database: shared by workers, kept over restarts.

An accepted envelope's (OperatorID, TimeStamp, Seq) is inserted into
``tcec_seen_envelopes``; its primary key makes a second insert fail whichever
worker tries it, before or after a restart. Stale rows (their TimeStamp has left
the window, so the time check refuses them anyway) are deleted at most once a
minute per process. With Redis configured, ``messaging.redis_replay`` is used
instead (ADR 0029).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from evroam.storage.tables import tcec_seen_envelopes

PRUNE_EVERY = timedelta(minutes=1)


class SqlReplayGuard:
    """``first_time`` is synchronous (it does I/O): call it off the event loop."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._pruned_at: datetime | None = None

    def first_time(
        self, key: tuple[str, str, str], keep_until: datetime, now: datetime
    ) -> bool:
        """True the first time ``key`` (OperatorID, TimeStamp, Seq) is seen."""
        self._prune(now)
        operator_id, time_stamp, seq = key
        row = {
            "operator_id": operator_id,
            "time_stamp": time_stamp,
            "seq": seq,
            "keep_until": keep_until,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(tcec_seen_envelopes), [row])
        except IntegrityError:
            return False  # seen before, by this worker or another
        return True

    def _prune(self, now: datetime) -> None:
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        with self._engine.begin() as conn:
            conn.execute(
                delete(tcec_seen_envelopes).where(
                    tcec_seen_envelopes.c.keep_until < now
                )
            )


__all__ = ["SqlReplayGuard"]
