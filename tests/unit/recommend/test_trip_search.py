"""The trip search against brute force over every stop sequence and SoC choice."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evroam.recommend.trip_search import (
    NoFeasibleTripError,
    StopOption,
    TripInstance,
    TripObjective,
    departure_levels,
    is_feasible,
    solve,
    solve_exhaustively,
)
from evroam.recommend.vehicles import VEHICLES
from evroam.shared.errors import InvalidInputError

CAR = next(v for v in VEHICLES if v.id == "xiaomi-su7")
CIRCUITY = 1.2
KMH = 90.0
SLOW_OK = [HealthCheck.too_slow]


def on_a_line(positions_km, stops, **kwargs) -> TripInstance:
    """Origin at 0, stops at ``positions_km`` (sorted), destination last."""
    where = np.array(positions_km, dtype=float)
    km = np.abs(where[None, :] - where[:, None]) * CIRCUITY
    km[np.tril_indices(where.size)] = np.inf
    return TripInstance(CAR, tuple(stops), km, km / KMH * 60.0, **kwargs)


stop_options = st.builds(
    StopOption,
    power_kw=st.sampled_from([50.0, 60.0, 120.0, 180.0, 350.0]),
    wait_minutes=st.sampled_from([0.0, 0.0, 4.0, 10.0]),
    price_per_kwh=st.floats(0.5, 2.5),
    is_swap=st.sampled_from([False, False, False, True]),
    swap_fee=st.sampled_from([0.0, 10.0]),
    overhead_minutes=st.sampled_from([0.0, 5.0]),
)


@st.composite
def small_instances(draw):
    count = draw(st.integers(0, 6))
    stops = draw(st.lists(stop_options, min_size=count, max_size=count))
    trip_km = draw(st.floats(50.0, 900.0))
    inner = draw(
        st.lists(st.floats(0.0, 1.0), min_size=count, max_size=count).map(sorted)
    )
    positions = [0.0, *(f * trip_km for f in inner), trip_km]
    return on_a_line(
        positions,
        stops,
        start_soc=draw(st.floats(15.0, 100.0)),
        min_arrival_soc=draw(st.sampled_from([5.0, 10.0, 15.0])),
        target_soc_max=draw(st.sampled_from([80.0, 90.0, 100.0])),
        soc_step=draw(st.sampled_from([10.0, 20.0])),
        objective=draw(st.sampled_from(list(TripObjective))),
    )


def outcome(instance):
    try:
        return solve(instance)
    except NoFeasibleTripError:
        return None


def exhaustive(instance):
    try:
        return solve_exhaustively(instance)
    except NoFeasibleTripError:
        return None


class TestOptimality:
    @settings(
        max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(small_instances())
    def test_finds_the_brute_force_optimum_on_small_instances(self, instance):
        found, best = outcome(instance), exhaustive(instance)

        assert (found is None) == (best is None)
        if found is not None and best is not None:
            assert found.objective_value == pytest.approx(
                best.objective_value, abs=1e-6
            )

    @settings(
        max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(small_instances())
    def test_never_arrives_anywhere_below_the_floor(self, instance):
        found = outcome(instance)

        if found is not None:
            assert is_feasible(instance, found)
            floor = instance.min_arrival_soc - 1e-9
            assert all(s.arrival_soc >= floor for s in found.stops)
            assert found.arrival_soc >= floor

    @settings(max_examples=100, deadline=None)
    @given(small_instances())
    def test_charges_only_upwards_and_never_past_the_target_unless_swapping(
        self, instance
    ):
        found = outcome(instance)

        for stop in found.stops if found else ():
            assert stop.departure_soc > stop.arrival_soc
            option = instance.stops[stop.node - 1]
            top = 100.0 if option.is_swap else instance.target_soc_max
            assert stop.departure_soc <= top


class TestSimpleTrips:
    def test_drives_straight_through_when_the_battery_suffices(self):
        instance = on_a_line(
            [0, 100, 200], [StopOption(120.0, 0.0, 1.0)], start_soc=80.0
        )

        assert solve(instance).stops == ()

    def test_stops_once_when_the_destination_is_out_of_range(self):
        instance = on_a_line(
            [0, 250, 500], [StopOption(120.0, 0.0, 1.0)], start_soc=80.0
        )

        plan = solve(instance)

        assert [s.node for s in plan.stops] == [1]
        assert plan.arrival_soc >= 10.0

    def test_prefers_the_faster_charger_for_time(self):
        slow, fast = StopOption(50.0, 0.0, 1.0), StopOption(180.0, 0.0, 1.0)
        instance = on_a_line([0, 240, 260, 500], [slow, fast], start_soc=80.0)

        assert [s.node for s in solve(instance).stops] == [2]

    def test_prefers_the_cheaper_charger_for_cost(self):
        dear, cheap = StopOption(180.0, 0.0, 2.0), StopOption(60.0, 0.0, 0.8)
        instance = on_a_line(
            [0, 240, 260, 500],
            [dear, cheap],
            start_soc=80.0,
            objective=TripObjective.COST,
        )

        assert [s.node for s in solve(instance).stops] == [2]

    def test_a_swap_leaves_with_a_full_battery(self):
        swap = StopOption(0.0, 0.0, 1.0, is_swap=True, swap_fee=10.0)
        instance = on_a_line([0, 200, 550], [swap], start_soc=60.0)

        (stop,) = solve(instance).stops

        assert stop.departure_soc == 100.0
        assert stop.charge_minutes == 3.0


class TestInfeasibleTrips:
    def test_a_gap_longer_than_the_range_has_no_plan(self):
        instance = on_a_line(
            [0, 100, 900], [StopOption(120.0, 0.0, 1.0)], start_soc=90.0
        )

        with pytest.raises(NoFeasibleTripError, match="at or above 10 %"):
            solve(instance)

    def test_the_error_names_the_soc_field(self):
        instance = on_a_line([0, 2000], [], start_soc=50.0)

        with pytest.raises(InvalidInputError) as caught:
            solve(instance)

        assert caught.value.field == "soc"

    def test_rejects_a_departure_below_the_floor(self):
        with pytest.raises(InvalidInputError):
            on_a_line([0, 10], [], start_soc=5.0, min_arrival_soc=10.0)


class TestGrid:
    def test_levels_are_step_multiples_above_the_floor_and_the_target(self):
        instance = on_a_line([0, 10], [], start_soc=50.0, target_soc_max=88.0)

        levels = departure_levels(instance)

        assert levels[0] == 15.0
        assert levels[-2:].tolist() == [85.0, 88.0]
