"""Trips that fast chargers alone cannot make, and stops a driver would laugh at."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings

from evroam.catalogue.model import ConnectorStandard, PileStatus, SwapBay
from evroam.recommend.errors import InvalidVehicleSpecError
from evroam.recommend.trip import NoFeasibleTripError
from evroam.recommend.trip_search import MIN_STOP_GAIN, solve
from evroam.recommend.vehicles import CustomVehicle, custom_vehicle
from tests.builders import a_station
from tests.unit.recommend.test_trip_planner import (
    DOLPHIN,
    LAT,
    ORIGIN,
    every_100_km,
    planner,
    request,
)
from tests.unit.recommend.test_trip_search import small_instances

NIO = "nio-et5"
EREV = "li-l7"
SU7_MAX = "xiaomi-su7-max"
FAST = a_station("FAST", lat=LAT, lon=110.6, power_kw=480.0)


def ac_at(*lons: int):
    return [
        a_station(
            f"AC{lon}", lat=LAT, lon=float(lon), power_kw=7.0,
            standard=ConnectorStandard.GBT_AC,
        )
        for lon in lons
    ]  # fmt: skip


def a_swap(external_id: str, lon: float, lat: float = LAT):
    return a_station(
        external_id, operator_id="swapway", lat=lat, lon=lon,
        standard=ConnectorStandard.SWAP, power_kw=0.0,
        swap=SwapBay(batteries_in_stock=5, queue_length=0),
        statuses=(PileStatus.AVAILABLE,),
    )  # fmt: skip


class TestSlowerChargers:
    def test_plans_on_ac_piles_when_no_fast_charger_is_on_the_way_and_says_so(self):
        ac = every_100_km(standard=ConnectorStandard.GBT_AC, power_kw=7.0)

        plan = planner(*ac).plan(request())

        assert plan.stops
        assert all(s.is_ac and s.power_kw == 7.0 for s in plan.stops)
        assert plan.arrival_soc >= 10.0
        assert any("slower" in note.text for note in plan.notes)
        (note,) = plan.notes
        assert note.code == "trip.slower_chargers"
        assert note.params_dict() == {
            "fast_kw": 40.0, "slow_stops": len(plan.stops),
            "stops": len(plan.stops), "slowest_kw": 7.0,
        }  # fmt: skip

    def test_plans_on_slow_dc_piles_below_the_fast_threshold(self):
        slow = every_100_km(power_kw=30.0)

        plan = planner(*slow).plan(request())

        assert plan.stops
        assert all(not s.is_ac and s.power_kw == 30.0 for s in plan.stops)
        assert plan.notes

    def test_a_plan_on_fast_chargers_has_no_note(self):
        plan = planner(*every_100_km()).plan(request())

        assert plan.notes == ()

    def test_reaches_a_station_well_off_the_straight_line_when_it_is_the_only_one(
        self,
    ):
        # 45 km north of the line: outside the corridor's queries, inside the band
        stations = [
            a_station("A", lat=LAT, lon=112.0),
            a_station("OFF", lat=LAT + 0.405, lon=113.5),
            a_station("B", lat=LAT, lon=115.0),
        ]

        plan = planner(*stations).plan(request(vehicle=DOLPHIN))

        assert "rapidgrid-OFF" in {s.station.id for s in plan.stops}

    def test_a_swap_car_reaches_a_swap_station_well_off_the_straight_line(self):
        swaps = [a_swap("A", lon=112.0), a_swap("OFF", lon=113.5, lat=LAT + 0.405)]
        swaps += [a_swap("B", lon=115.5)]  # A to B is beyond a full pack

        plan = planner(*swaps).plan(request(vehicle=NIO, soc=80.0))

        assert "swapway-OFF" in {s.station.id for s in plan.stops}


class TestSillyStops:
    def test_no_swap_a_kilometre_from_home_with_a_full_battery(self):
        home_swap = a_swap("HOME", lon=ORIGIN.lon + 0.01)
        on_the_way = [a_swap(f"W{lon}", lon=float(lon)) for lon in range(112, 116)]

        plan = planner(home_swap, *on_the_way).plan(request(vehicle=NIO, soc=80.0))

        assert "swapway-HOME" not in {s.station.id for s in plan.stops}

    def test_no_stop_is_entered_above_sixty_percent_when_the_car_could_go_on(self):
        # a quick top-up at FAST (arriving at 68 %) would save hours of AC
        # charging later, but the car reaches the next stop without it
        plan = planner(FAST, *ac_at(112, 113)).plan(request(SU7_MAX, soc=80.0))

        assert plan.stops
        assert "rapidgrid-FAST" not in {s.station.id for s in plan.stops}
        assert all(s.arrival_soc <= 60.0 for s in plan.stops)

    def test_a_stop_above_sixty_percent_is_fine_when_its_leg_needs_it(self):
        # from FAST the next station is farther than 68 % - 10 % of the battery
        plan = planner(FAST, *ac_at(114)).plan(request(SU7_MAX, soc=80.0))

        first = plan.stops[0]
        assert first.station.id == "rapidgrid-FAST"
        assert first.arrival_soc > 60.0
        assert plan.legs[1].departure_soc - plan.legs[1].arrival_soc > (
            first.arrival_soc - 10.0
        )

    def test_every_stop_adds_at_least_ten_points(self):
        plan = planner(*every_100_km()).plan(request())

        assert all(
            s.departure_soc - s.arrival_soc >= MIN_STOP_GAIN - 1e-6 for s in plan.stops
        )

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(small_instances())
    def test_the_search_never_plans_a_stop_that_adds_under_ten_points(self, instance):
        try:
            schedule = solve(instance)
        except NoFeasibleTripError:
            return
        assert all(
            s.departure_soc - s.arrival_soc >= MIN_STOP_GAIN - 1e-6
            for s in schedule.stops
        )


class TestExtendedRange:
    def test_an_extended_range_car_always_gets_a_plan_on_its_range_extender(self):
        plan = planner().plan(request(vehicle=EREV))

        assert plan.stops == ()
        assert plan.arrival_soc == pytest.approx(10.0)
        assert "range extender" in plan.notes[0].text
        assert plan.notes[0].code == "trip.range_extender"

    def test_an_extended_range_car_still_charges_when_stations_allow(self):
        plan = planner(*every_100_km()).plan(request(vehicle=EREV))

        assert plan.stops
        assert plan.notes == ()

    def test_a_battery_car_without_stations_is_refused(self):
        with pytest.raises(NoFeasibleTripError, match="covers about"):
            planner().plan(request(vehicle=DOLPHIN))


class TestBadFigures:
    @pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
    def test_a_curve_with_a_non_finite_number_is_refused(self, bad):
        spec = CustomVehicle(
            60.0, 15.0, 120.0, dc_curve=((0, 100), (50, bad), (100, 20))
        )

        with pytest.raises(InvalidVehicleSpecError, match="finite"):
            custom_vehicle(spec)

    def test_a_non_finite_battery_is_refused(self):
        with pytest.raises(InvalidVehicleSpecError):
            custom_vehicle(CustomVehicle(math.nan, 15.0, 120.0))
