"""k-anonymity for partner-facing aggregates: coarsen, then suppress small cells."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

DEFAULT_K = 10

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class AggregateCell(Generic[K]):
    """One aggregate: its key, totals, and the distinct drivers behind it."""

    key: K
    sessions: int
    kwh: float
    drivers: frozenset[str]


@dataclass(frozen=True, slots=True)
class Anonymised(Generic[K]):
    """Cells safe to share, and how many sessions were withheld."""

    cells: tuple[AggregateCell[K], ...]
    suppressed_cells: int
    suppressed_sessions: int
    k: int


def merge(key: K, cells: Iterable[AggregateCell[K]]) -> AggregateCell[K]:
    parts = list(cells)
    return AggregateCell(
        key,
        sum(c.sessions for c in parts),
        sum(c.kwh for c in parts),
        frozenset().union(*(c.drivers for c in parts)),
    )


def suppress(cells: Sequence[AggregateCell[K]], k: int = DEFAULT_K) -> Anonymised[K]:
    """Drop every cell with fewer than ``k`` distinct drivers."""
    if k < 1:
        raise ValueError("k must be at least 1")
    kept = tuple(c for c in cells if len(c.drivers) >= k)
    dropped = [c for c in cells if len(c.drivers) < k]
    return Anonymised(kept, len(dropped), sum(c.sessions for c in dropped), k)


def coarsen_then_suppress(
    cells: Sequence[AggregateCell[K]],
    coarser: Callable[[K], K],
    k: int = DEFAULT_K,
) -> Anonymised[K]:
    """Merge cells under ``k`` drivers into their coarser parent, then suppress.

    Cells that already reach ``k`` stay as they are; small ones are pooled by
    ``coarser(key)`` so that a sparse area still shows up at a coarser level.
    A pooled cell is kept only if the pool reaches ``k`` distinct drivers.
    """
    big = [c for c in cells if len(c.drivers) >= k]
    pools: dict[K, list[AggregateCell[K]]] = {}
    for cell in cells:
        if len(cell.drivers) < k:
            pools.setdefault(coarser(cell.key), []).append(cell)
    pooled = suppress([merge(key, group) for key, group in pools.items()], k)
    return Anonymised(
        (*big, *pooled.cells), pooled.suppressed_cells, pooled.suppressed_sessions, k
    )
