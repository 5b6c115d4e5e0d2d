"""Recommendation: reachability, usable piles, queueing, ranking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evroam.catalogue.model import (
    Connector,
    ConnectorStandard,
    PileStatus,
    PowerType,
    SwapBay,
)
from evroam.catalogue.service import CatalogueService
from evroam.pricing.discount import brand_first_year
from evroam.recommend.errors import InvalidRecommendRequestError
from evroam.recommend.request import OwnedCar, RecommendRequest
from evroam.recommend.road import GreatCircleRoads, road_km
from evroam.recommend.scoring import MIN_CHOICES, Objective, dominates
from evroam.recommend.service import RecommendService
from evroam.recommend.vehicle import charge_minutes
from evroam.recommend.vehicles import all_vehicles, get_vehicle
from evroam.recommend.wait import erlang_c, mm_c_wait_minutes
from evroam.shared.geo import GeoPoint
from tests.builders import EPOCH, a_pile, a_station, a_tariff, an_operator
from tests.fakes import FixedClock, InMemoryStationRepository

HERE = GeoPoint(31.2304, 121.4737)


def engine(stations, **kwargs) -> RecommendService:
    repo = InMemoryStationRepository()
    catalogue = CatalogueService(repo, FixedClock(EPOCH))
    catalogue.import_network(
        [an_operator(), an_operator(id="swapway", name="SwapWay")],
        [a_tariff()],
        stations,
    )
    return RecommendService(catalogue, GreatCircleRoads(), FixedClock(EPOCH), **kwargs)


def ask(service: RecommendService, **overrides):
    base = {
        "vehicle": get_vehicle("xiaomi-su7-max"),
        "soc_percent": 30.0,
        "position": HERE,
    }
    return service.recommend(RecommendRequest(**(base | overrides)))


def a_city(n: int = 12):
    return [
        a_station(
            f"S{i:02d}",
            lat=31.2304 + (i % 4) * 0.01,
            lon=121.4737 + (i // 4) * 0.01,
            power_kw=60.0 + 30 * (i % 5),
            statuses=(PileStatus.CHARGING,) * (i % 3) + (PileStatus.AVAILABLE,),
        )
        for i in range(n)
    ]


class TestVehicleCatalogue:
    def test_holds_at_least_fifteen_models_each_with_a_source(self):
        vehicles = all_vehicles()
        assert len(vehicles) >= 15
        assert all(v.source for v in vehicles)

    def test_nio_cars_swap_at_swapway(self):
        assert "swapway" in get_vehicle("nio-et5").swap_operator_ids

    def test_charge_time_integrates_the_curve_capped_by_the_pile(self):
        car = get_vehicle("xpeng-g6")
        at_60kw = charge_minutes(car, 10, 80, 60.0, PowerType.DC)
        kwh = car.usable_battery_kwh * 0.7
        assert at_60kw == pytest.approx(kwh / 60 * 60, rel=0.01)
        assert charge_minutes(car, 10, 80, 480.0, PowerType.DC) < at_60kw / 3


class TestErlangC:
    def test_matches_known_values(self):
        assert erlang_c(1, 0.5) == pytest.approx(0.5)
        assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
        assert erlang_c(10, 8.0) == pytest.approx(0.4092, abs=1e-4)

    def test_mm1_wait_is_rho_over_mu_minus_lambda(self):
        assert mm_c_wait_minutes(1, 0.5, 40.0) == pytest.approx(40.0)


class TestWhatIsNeverRecommended:
    def test_stations_beyond_the_reserve_are_never_returned(self):
        far = a_station("FAR", lat=32.5, lon=121.4737)
        answer = ask(engine([*a_city(4), far]), soc_percent=15.0)
        car = get_vehicle("xiaomi-su7-max")
        assert all(o.station_id != far.id for o in answer.evaluated)
        for o in answer.options:
            assert o.arrival_soc >= 10.0
            assert car.soc_used(o.drive_km) <= 15.0 - 10.0 + 0.1

    def test_connectors_the_car_cannot_use_are_never_returned(self):
        ccs = a_station("CCS", standard=ConnectorStandard.CCS2, power_kw=350.0)
        answer = ask(engine([ccs, *a_city(3)]))
        assert ccs.id not in {o.station_id for o in answer.evaluated}

    def test_offline_piles_are_never_returned(self):
        dead = a_station("OFF", statuses=(PileStatus.OFFLINE, PileStatus.FAULTED))
        answer = ask(engine([dead, *a_city(3)]))
        assert dead.id not in {o.station_id for o in answer.evaluated}

    def test_a_fast_pile_that_is_offline_does_not_lend_its_power(self):
        mixed = a_station("MIX")
        fast_but_off = a_pile(
            mixed.id,
            "E09",
            status=PileStatus.OFFLINE,
            connectors=(Connector(ConnectorStandard.GBT_DC, 480.0, PowerType.DC),),
        )
        station = replace(mixed, piles=(*mixed.piles, fast_but_off))
        answer = ask(engine([station]))
        assert answer.options[0].power_kw == 120.0


class TestSwap:
    def test_swap_capable_cars_get_swap_options(self):
        swap = a_station(
            "W1", operator_id="swapway", swap=SwapBay(6, 1),
            standard=ConnectorStandard.SWAP, power_kw=0.0,
            statuses=(PileStatus.AVAILABLE,),
        )  # fmt: skip
        answer = ask(engine([swap, *a_city(2)]), vehicle=get_vehicle("nio-et5"))
        swaps = [o for o in answer.evaluated if o.kind.value == "swap"]
        assert swaps
        assert swaps[0].wait_minutes == 3.0
        assert swaps[0].final_soc == 100.0

    def test_other_cars_never_get_swap_options(self):
        swap = a_station(
            "W1", operator_id="swapway", swap=SwapBay(6, 0),
            standard=ConnectorStandard.SWAP, statuses=(PileStatus.AVAILABLE,),
        )  # fmt: skip
        answer = ask(engine([swap, *a_city(2)]))
        assert all(o.kind.value == "charge" for o in answer.evaluated)


class TestDiscounts:
    def test_brand_owners_pay_less_in_their_first_year(self):
        service = engine(a_city(3), discounts=[brand_first_year("Xiaomi", 10)])
        plain = ask(service)
        owner = ask(service, owned_cars=(OwnedCar("Xiaomi", date(2026, 6, 1)),))
        assert owner.options[0].cost < plain.options[0].cost


class TestRequests:
    def test_rejects_a_soc_below_the_reserve(self):
        with pytest.raises(InvalidRecommendRequestError):
            ask(engine([]), soc_percent=5.0)


def _measure(o, objective):
    if objective is Objective.TIME:
        return Decimal(str(o.total_minutes))
    return o.cost.amount


class TestRanking:
    @settings(max_examples=25, deadline=None)
    @given(
        soc=st.floats(12, 90),
        target=st.floats(40, 100),
        objective=st.sampled_from(list(Objective)),
        n=st.integers(1, 14),
    )
    def test_follows_the_objective_and_is_stable(self, soc, target, objective, n):
        service = engine(a_city(n))
        kwargs = {"soc_percent": soc, "target_soc_percent": target}
        answer = ask(service, objective=objective, **kwargs)
        again = ask(service, objective=objective, **kwargs)
        assert answer.options == again.options
        stations = [o.station_id for o in answer.options]
        assert len(stations) == len(set(stations))
        if objective is Objective.BALANCED:
            beaten = [
                any(dominates(e, o) for e in answer.evaluated) for o in answer.options
            ]
            # the unbeaten first; beaten ones only to fill up to three choices
            assert beaten == sorted(beaten)
            assert sum(beaten) <= max(0, MIN_CHOICES - beaten.count(False))
        else:
            keys = [_measure(o, objective) for o in answer.options]
            assert keys == sorted(keys)
            best = min((_measure(e, objective) for e in answer.evaluated), default=None)
            assert not keys or keys[0] == best

    def test_every_option_explains_itself_with_its_numbers(self):
        answer = ask(engine(a_city(6)), objective=Objective.TIME)
        assert answer.options[0].explanation.startswith("fastest:")
        for o in answer.options:
            assert f"{o.drive_minutes:.0f} min drive" in o.explanation
            assert f"{o.charge_minutes:.0f} min charge" in o.explanation
            assert f"¥{o.cost.amount}" in o.explanation
            assert "wait" in o.explanation

    @pytest.mark.parametrize("objective", list(Objective))
    def test_each_objective_offers_three_different_stations_when_they_exist(
        self, objective
    ):
        answer = ask(engine(a_city(6)), objective=objective)

        assert len({o.station_id for o in answer.options}) >= 3


class TestRoads:
    @given(st.floats(0, 2000), st.floats(0, 2000))
    def test_farther_is_never_shorter_by_road(self, a, b):
        lo, hi = sorted((a, b))
        assert road_km(lo) <= road_km(hi)


def test_time_differences_read_naturally():
    from evroam.recommend.scoring import _signed_minutes

    assert _signed_minutes(-0.4) == "the same time"
    assert _signed_minutes(0.2) == "the same time"
    assert _signed_minutes(-2.6) == "-3 min"
    assert _signed_minutes(4.0) == "+4 min"
