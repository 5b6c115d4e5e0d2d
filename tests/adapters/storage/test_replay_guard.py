"""The database replay guard: an envelope is first seen once, by any worker, ever
(until its window closes), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from evroam.storage.engine import create_database_engine
from evroam.storage.replay_guard import SqlReplayGuard
from evroam.storage.tables import tcec_seen_envelopes

NOW = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)
UNTIL = NOW + timedelta(minutes=5)
KEY = ("MA0NEIGHB", "20261208120000", "0001")


def rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(tcec_seen_envelopes)))


class TestSqlReplayGuard:
    def test_a_key_is_first_seen_once(self, engine):
        guard = SqlReplayGuard(engine)
        assert guard.first_time(KEY, UNTIL, NOW) is True
        assert guard.first_time(KEY, UNTIL, NOW) is False

    def test_another_seq_timestamp_or_operator_is_a_different_envelope(self, engine):
        guard = SqlReplayGuard(engine)
        assert guard.first_time(KEY, UNTIL, NOW)
        assert guard.first_time(("MA0NEIGHB", "20261208120000", "0002"), UNTIL, NOW)
        assert guard.first_time(("MA0NEIGHB", "20261208120001", "0001"), UNTIL, NOW)
        assert guard.first_time(("MA0RAPIDG", "20261208120000", "0001"), UNTIL, NOW)

    def test_a_second_worker_and_a_restarted_one_refuse_it_too(self, engine):
        assert SqlReplayGuard(engine).first_time(KEY, UNTIL, NOW)
        other_worker = SqlReplayGuard(engine)
        assert other_worker.first_time(KEY, UNTIL, NOW) is False
        restarted_engine = create_database_engine(
            engine.url.render_as_string(hide_password=False)
        )
        restarted = SqlReplayGuard(restarted_engine)
        assert restarted.first_time(KEY, UNTIL, NOW) is False
        restarted_engine.dispose()

    def test_of_many_threads_racing_with_one_key_exactly_one_wins(self, engine):
        guards = [SqlReplayGuard(engine) for _ in range(8)]
        results: list[bool] = []
        start = threading.Barrier(len(guards))

        def attempt(guard: SqlReplayGuard) -> None:
            start.wait()
            results.append(guard.first_time(KEY, UNTIL, NOW))

        threads = [threading.Thread(target=attempt, args=(g,)) for g in guards]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [False] * 7 + [True]

    def test_stale_keys_are_deleted_and_fresh_ones_kept(self, engine):
        guard = SqlReplayGuard(engine)
        guard.first_time(KEY, UNTIL, NOW)
        fresh = ("MA0NEIGHB", "20261208121000", "0001")
        later = UNTIL + timedelta(minutes=10)
        SqlReplayGuard(engine).first_time(fresh, later + timedelta(minutes=5), later)
        assert rows(engine) == 1
