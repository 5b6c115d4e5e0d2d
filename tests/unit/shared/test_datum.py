"""Datum conversions against published pairs; round trips stay within 1 m."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.shared.datum import Datum, from_wgs84, is_in_mainland_china, to_wgs84
from evroam.shared.geo import distance_m

PAIRS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "datum" / "pairs.json").read_text()
)["pairs"]


def convert(lat: float, lon: float, source: Datum, target: Datum):
    return from_wgs84(*to_wgs84(lat, lon, source), target)


class TestPublishedPairs:
    def test_there_are_at_least_ten_from_several_sources(self):
        assert len(PAIRS) >= 10
        assert len({p["source"] for p in PAIRS}) >= 3

    @pytest.mark.parametrize(
        "pair", PAIRS, ids=[f"{p['name']} {p['from']}>{p['to']}" for p in PAIRS]
    )
    def test_each_converts_to_its_published_value(self, pair):
        lat, lon = convert(*pair["given"], Datum(pair["from"]), Datum(pair["to"]))
        assert distance_m(lat, lon, *pair["expected"]) <= pair["tolerance_m"]

    @pytest.mark.parametrize(
        "pair", [p for p in PAIRS if p["from"] == "wgs84" and p["to"] == "gcj02"]
    )
    def test_the_shift_is_hundreds_of_metres_so_unconverted_points_are_off(self, pair):
        assert 300 < distance_m(*pair["given"], *pair["expected"]) < 700


mainland = st.tuples(
    st.floats(min_value=18.5, max_value=48.0),
    st.floats(min_value=98.0, max_value=122.0),
).filter(lambda p: is_in_mainland_china(*p))


class TestRoundTrips:
    @given(mainland, st.sampled_from([Datum.GCJ02, Datum.BD09]))
    def test_wgs84_out_and_back_stays_within_a_metre(self, point, datum):
        lat, lon = to_wgs84(*from_wgs84(*point, datum), datum)
        assert distance_m(lat, lon, *point) < 1.0

    @given(mainland, st.sampled_from([Datum.GCJ02, Datum.BD09]))
    def test_a_partners_point_in_and_out_stays_within_a_metre(self, point, datum):
        lat, lon = from_wgs84(*to_wgs84(*point, datum), datum)
        assert distance_m(lat, lon, *point) < 1.0

    @given(mainland)
    def test_wgs84_is_never_moved(self, point):
        assert to_wgs84(*point, Datum.WGS84) == point
        assert from_wgs84(*point, Datum.WGS84) == point


class TestOutsideMainlandChina:
    @pytest.mark.parametrize(
        ("place", "lat", "lon"),
        [("Paris", 48.8566, 2.3522), ("Taipei", 25.0330, 121.5654)],
    )
    def test_points_are_not_shifted(self, place, lat, lon):
        assert not is_in_mainland_china(lat, lon), place
        for datum in Datum:
            assert to_wgs84(lat, lon, datum) == (lat, lon)
            assert from_wgs84(lat, lon, datum) == (lat, lon)
