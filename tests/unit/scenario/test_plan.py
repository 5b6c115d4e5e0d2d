"""Budget arithmetic behind the exact counts."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from evroam.scenario.plan import apportion, split_sizes


class TestApportion:
    @given(
        st.integers(0, 2_000_000),
        st.lists(st.floats(0.01, 100.0), min_size=1, max_size=60),
    )
    def test_hands_out_exactly_the_total(self, total, weights):
        counts = apportion(total, weights)
        assert sum(counts) == total
        assert all(c >= 0 for c in counts)

    def test_follows_the_weights(self):
        assert apportion(10, [1.0, 1.0, 3.0]) == [2, 2, 6]


class TestSplitSizes:
    @given(st.integers(0, 2**32), st.integers(1, 400), st.integers(2, 6), st.data())
    def test_sizes_sum_to_the_budget_and_stay_in_bounds(
        self, seed, stations, low, data
    ):
        high = data.draw(st.integers(2 * low, 4 * low))
        piles = data.draw(st.integers(stations * low, stations * high))
        sizes = split_sizes(random.Random(seed), piles, stations, (low, high))
        assert sum(sizes) == piles
        assert len(sizes) == stations
        assert all(low <= s <= high for s in sizes)

    def test_spreads_sizes_rather_than_making_them_all_equal(self):
        sizes = split_sizes(random.Random(1), 1200, 100, (6, 20))
        assert len(set(sizes)) > 5
