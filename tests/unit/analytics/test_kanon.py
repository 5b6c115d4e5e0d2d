import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.analytics.kanon import (
    AggregateCell,
    coarsen_then_suppress,
    suppress,
)


def cell(key: str, drivers: int, sessions: int | None = None) -> AggregateCell[str]:
    return AggregateCell(
        key,
        sessions if sessions is not None else drivers,
        float(drivers),
        frozenset(f"{key}-{i}" for i in range(drivers)),
    )


class TestSuppress:
    def test_withholds_cells_with_fewer_than_ten_distinct_drivers_by_default(self):
        result = suppress([cell("a", 10), cell("b", 9, sessions=40)])
        assert [c.key for c in result.cells] == ["a"]
        assert (result.suppressed_cells, result.suppressed_sessions) == (1, 40)
        assert result.k == 10

    def test_counts_drivers_not_sessions(self):
        many_sessions = cell("a", 2, sessions=500)
        assert suppress([many_sessions], k=3).cells == ()

    def test_rejects_k_below_one(self):
        with pytest.raises(ValueError, match="k must be"):
            suppress([], k=0)


class TestCoarsenThenSuppress:
    def test_pools_small_cells_into_their_parent_before_suppressing(self):
        cells = [cell("north/1", 4), cell("north/2", 7), cell("south/1", 3)]
        result = coarsen_then_suppress(cells, lambda key: key.split("/")[0], k=10)
        assert [(c.key, len(c.drivers)) for c in result.cells] == [("north", 11)]
        assert result.suppressed_cells == 1

    def test_keeps_cells_that_already_reach_k_as_they_are(self):
        cells = [cell("north/1", 12), cell("north/2", 2)]
        result = coarsen_then_suppress(cells, lambda key: key.split("/")[0], k=10)
        assert [c.key for c in result.cells] == ["north/1"]

    def test_a_driver_seen_in_two_small_cells_counts_once(self):
        same = frozenset({"x", "y"})
        cells = [AggregateCell("n/1", 5, 1.0, same), AggregateCell("n/2", 5, 1.0, same)]
        result = coarsen_then_suppress(cells, lambda key: key[0], k=3)
        assert result.cells == ()

    @given(
        st.lists(
            st.tuples(st.integers(0, 20), st.integers(0, 15)),
            max_size=40,
            unique_by=lambda t: t[0],
        ),
        st.integers(1, 12),
    )
    def test_no_shared_cell_ever_has_fewer_than_k_drivers(self, sizes, k):
        cells = [cell(f"{key // 4}/{key}", n) for key, n in sizes]
        result = coarsen_then_suppress(cells, lambda key: key.split("/")[0], k=k)
        assert all(len(c.drivers) >= k for c in result.cells)
        shared = sum(c.sessions for c in result.cells)
        assert shared + result.suppressed_sessions == sum(n for _, n in sizes)
