"""How an async use case runs its blocking steps: off the event loop, or inline.

Some use cases are async because they await async ports (a partner's API, the
event bus) and also call blocking ones (repositories). The composition root
gives them the async boundary's ``run`` (``evroam.boundary``), which runs each
blocking step in a worker thread; tests and one-off tools keep the default,
``inline``, which runs it at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Offload(Protocol):
    def __call__(
        self, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> Awaitable[T]: ...


async def inline(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn`` now, on the caller's thread."""
    return fn(*args, **kwargs)


__all__ = ["Offload", "inline"]
