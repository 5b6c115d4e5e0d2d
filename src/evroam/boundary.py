"""The async boundary: synchronous use cases run in worker threads, never on the loop.

Adapters (API routes, protocol endpoints, the feed watcher, partners' push
handlers) are async. They call a use case with ``await boundary.run(fn, *args)``:
it runs in one of the boundary's worker threads while the loop serves others.
A use case that needs an async port (a partner's HTTP API, the event bus)
reaches it through ``boundary.on_loop(coroutine_fn, *args)`` (or
``boundary.iterate_on_loop`` for an async iterator): the coroutine runs back on
the loop and only the worker thread waits for it.

With the guard on (``EVROAM_LOOP_GUARD=1``; the API tests turn it on) database
and ledger work on the event-loop thread while the app serves (a request, a
partner's push, the lifespan's background tasks: ``serving()``, entered by the
app's outermost middleware) raises ``LoopBlockedError`` instead of freezing
every other request (docs/architecture.md, "The async boundary"). A test's own
setup on the loop thread is not the app's work and is not refused.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, ParamSpec, TypeVar, cast

import anyio
import anyio.from_thread
import anyio.to_thread
from anyio import CapacityLimiter

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_THREADS = 64
_DONE = object()


class LoopBlockedError(RuntimeError):
    """Blocking work (the database, the ledger) ran on the event-loop thread."""


class NotInWorkerError(RuntimeError):
    """An async port was reached from a thread ``Boundary.run`` did not start."""


_SERVING: ContextVar[bool] = ContextVar("evroam_serving", default=False)


@contextmanager
def serving() -> Iterator[None]:
    """Mark what runs inside as the app's work (requests, lifespan tasks): the
    guard refuses blocking work there on the loop's thread."""
    token = _SERVING.set(True)
    try:
        yield
    finally:
        _SERVING.reset(token)


def is_on_loop_thread() -> bool:
    """True in the thread that runs an event loop (where nothing may block)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def refuse_on_loop(what: str) -> None:
    """Raise ``LoopBlockedError`` naming ``what`` when the app's work calls it on
    the loop's thread."""
    if _SERVING.get() and is_on_loop_thread():
        raise LoopBlockedError(
            f"{what} ran on the event-loop thread: call the use case through "
            "Boundary.run (services.boundary.run(fn, *args))"
        )


class Boundary:
    """Runs synchronous use cases off the loop, and reaches async ports from them.

    ``threads`` caps how many use cases run at once in this process (a use case
    waiting on a partner's answer holds its thread; the database pool caps the
    connections). ``is_guarded`` says whether blocking work on the loop raises.
    """

    def __init__(self, threads: int = DEFAULT_THREADS, is_guarded: bool = False):
        if threads < 1:
            raise ValueError("threads must be at least 1")
        self.threads = threads
        self.is_guarded = is_guarded
        self._running = 0  # use cases in a worker thread now
        self._idle = threading.Condition()
        # One limiter per event loop: tests and the CLI run several loops in turn.
        self._limiters: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, CapacityLimiter
        ] = weakref.WeakKeyDictionary()

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` in a worker thread; awaited, never abandoned
        (a cancelled caller still waits for a use case that moves money)."""
        call = partial(fn, *args, **kwargs)

        def counted() -> T:
            with self._idle:
                self._running += 1
            try:
                return call()
            finally:
                with self._idle:
                    self._running -= 1
                    self._idle.notify_all()

        return await anyio.to_thread.run_sync(counted, limiter=self._limiter())

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Wait until no use case runs (before the database closes); False if
        some still ran after ``timeout_s``."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout_s)

    def on_loop(
        self, fn: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """From a use case's thread: await ``fn(*args, **kwargs)`` on the loop."""

        async def call() -> T:
            return await fn(*args, **kwargs)

        try:
            return anyio.from_thread.run(call)
        except anyio.NoEventLoopError as exc:
            raise NotInWorkerError(
                f"{getattr(fn, '__qualname__', fn)} is async: run the use case "
                "that calls it through Boundary.run"
            ) from exc

    def iterate_on_loop(self, items: AsyncIterator[T]) -> Iterator[T]:
        """A blocking iterator over an async one whose steps run on the loop;
        the async iterator is closed on the loop when iteration stops."""

        async def step() -> object:
            try:
                return await anext(items)
            except StopAsyncIteration:
                return _DONE

        try:
            while True:
                item = self.on_loop(step)
                if item is _DONE:
                    return
                yield cast(T, item)
        finally:
            close = getattr(items, "aclose", None)
            if close is not None:
                self.on_loop(close)

    def refuse_on_loop(self, what: str) -> None:
        """The guard: raise when ``what`` (blocking work) runs on the loop's thread."""
        if self.is_guarded:
            refuse_on_loop(what)

    def _limiter(self) -> CapacityLimiter:
        loop = asyncio.get_running_loop()
        limiter = self._limiters.get(loop)
        if limiter is None:
            limiter = self._limiters[loop] = CapacityLimiter(self.threads)
        return limiter


class _Guarded:
    """``target`` with every public method guarded by ``refuse``."""

    def __init__(self, target: object, refuse: Callable[[str], None]) -> None:
        self._target = target
        self._refuse = refuse

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name.startswith("_") or not callable(value):
            return value
        what = f"{type(self._target).__name__}.{name}"

        def guarded(*args: Any, **kwargs: Any) -> Any:
            self._refuse(what)
            return value(*args, **kwargs)

        return guarded


def guarded(target: T, boundary: Boundary) -> T:
    """``target`` whose public methods raise ``LoopBlockedError`` on the loop's
    thread when ``boundary`` is guarded (``target`` itself otherwise)."""
    if not boundary.is_guarded:
        return target
    return cast(T, _Guarded(target, boundary.refuse_on_loop))


def run_blocking_main(fn: Callable[[], T], boundary: Boundary) -> T:
    """For a command line: run ``fn`` as a use case under a fresh event loop, so
    the async ports it reaches (partners' APIs, the bus) have a loop to run on."""
    return anyio.run(partial(boundary.run, fn))


__all__ = [
    "DEFAULT_THREADS",
    "Boundary",
    "LoopBlockedError",
    "NotInWorkerError",
    "guarded",
    "is_on_loop_thread",
    "refuse_on_loop",
    "run_blocking_main",
    "serving",
]
