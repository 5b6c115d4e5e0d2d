"""The async boundary: use cases in worker threads, async ports back on the loop,
and the guard that refuses blocking work on the event-loop thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from evroam.boundary import (
    Boundary,
    LoopBlockedError,
    NotInWorkerError,
    guarded,
    run_blocking_main,
    serving,
)
from evroam.storage.engine import create_database_engine, guard_engine


class TestRun:
    async def test_runs_the_use_case_in_another_thread_and_returns_its_answer(self):
        loop_thread = threading.get_ident()

        def use_case(a: int, *, b: int) -> tuple[int, int]:
            return a + b, threading.get_ident()

        total, thread = await Boundary().run(use_case, 1, b=2)
        assert total == 3
        assert thread != loop_thread

    async def test_an_error_of_the_use_case_reaches_the_caller(self):
        def use_case() -> None:
            raise KeyError("gone")

        with pytest.raises(KeyError, match="gone"):
            await Boundary().run(use_case)

    async def test_as_many_use_cases_as_threads_run_at_the_same_time(self):
        # Each waits for all the others: it passes only if all four run at once.
        barrier = threading.Barrier(4, timeout=30)
        boundary = Boundary(threads=4)
        results = await asyncio.gather(*(boundary.run(barrier.wait) for _ in range(4)))
        assert sorted(results) == [0, 1, 2, 3]

    def test_a_pool_of_no_thread_is_refused(self):
        with pytest.raises(ValueError, match="at least 1"):
            Boundary(threads=0)


class TestOnLoop:
    async def test_a_use_case_awaits_an_async_port_on_the_loop(self):
        loop_thread = threading.get_ident()
        boundary = Boundary()

        async def partner_call(x: int) -> tuple[int, int]:
            return x * 2, threading.get_ident()

        def use_case() -> tuple[int, int, int]:
            doubled, port_thread = boundary.on_loop(partner_call, 21)
            return doubled, port_thread, threading.get_ident()

        doubled, port_thread, use_case_thread = await boundary.run(use_case)
        assert doubled == 42
        assert port_thread == loop_thread
        assert use_case_thread != loop_thread

    def test_outside_a_worker_the_port_call_says_how_to_reach_it(self):
        async def partner_call() -> None:
            return None

        with pytest.raises(NotInWorkerError, match=r"Boundary\.run"):
            Boundary().on_loop(partner_call)

    async def test_an_async_iterator_is_read_step_by_step_and_closed(self):
        boundary = Boundary()
        closed = []

        async def pages() -> AsyncIterator[int]:
            try:
                for n in range(5):
                    yield n
            finally:
                closed.append(True)

        def first_three() -> list[int]:
            taken = []
            for page in boundary.iterate_on_loop(pages()):
                taken.append(page)
                if len(taken) == 3:
                    break
            return taken

        def all_of_them() -> list[int]:
            return list(boundary.iterate_on_loop(pages()))

        assert await boundary.run(first_three) == [0, 1, 2]
        assert closed == [True]
        assert await boundary.run(all_of_them) == [0, 1, 2, 3, 4]

    def test_a_command_line_runs_a_use_case_with_a_loop_for_its_ports(self):
        boundary = Boundary()

        async def partner_call() -> str:
            return "pong"

        assert run_blocking_main(lambda: boundary.on_loop(partner_call), boundary) == (
            "pong"
        )


class TestGuard:
    @pytest.fixture
    def engine(self, tmp_path: Path):
        engine = create_database_engine(f"sqlite:///{tmp_path / 'guard.db'}")
        guard_engine(engine, Boundary(is_guarded=True).refuse_on_loop)
        yield engine
        engine.dispose()

    @staticmethod
    def select_one(engine) -> int:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT 1")).scalar_one())

    async def test_a_statement_on_the_event_loop_thread_raises(self, engine):
        with serving(), pytest.raises(LoopBlockedError, match=r"SELECT.*Boundary\.run"):
            self.select_one(engine)

    async def test_outside_the_apps_work_the_loop_thread_may_block(self, engine):
        # a test's or a command's own set-up, not a request the hub serves
        assert self.select_one(engine) == 1

    async def test_the_same_statement_through_the_boundary_runs(self, engine):
        assert await Boundary().run(self.select_one, engine) == 1

    def test_code_with_no_event_loop_may_block(self, engine):
        assert self.select_one(engine) == 1

    async def test_a_guarded_object_refuses_its_methods_on_the_loop(self):
        boundary = Boundary(is_guarded=True)
        ledger = guarded([1, 2], boundary)
        with serving(), pytest.raises(LoopBlockedError, match=r"list\.count"):
            ledger.count(1)
        assert await boundary.run(ledger.count, 1) == 1

    def test_an_unguarded_boundary_hands_the_object_back_as_it_is(self):
        ledger: list[int] = []
        assert guarded(ledger, Boundary()) is ledger


class TestWaitIdle:
    async def test_closing_waits_for_the_use_cases_still_running(self):
        boundary = Boundary()
        started, release = threading.Event(), threading.Event()

        def use_case() -> str:
            started.set()
            release.wait(30)
            return "done"

        running = asyncio.ensure_future(boundary.run(use_case))
        await asyncio.to_thread(started.wait, 30)
        assert boundary.wait_idle(timeout_s=0) is False
        release.set()
        assert await asyncio.to_thread(boundary.wait_idle) is True
        assert await running == "done"
