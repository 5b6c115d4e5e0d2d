"""Great-circle distance and search boxes on a spherical Earth."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.shared.geo import (
    EARTH_RADIUS_M,
    BoundingBox,
    GeoPoint,
    bbox_around,
    distance_m,
)

MAX_SEARCH_RADIUS_M = 1_000_000.0
# Slack for the last bits of floating point, in degrees (about 0.1 mm).
DEGREE_SLACK = 1e-9

lats = st.floats(-90.0, 90.0)
lons = st.floats(-180.0, 180.0)
points = st.tuples(lats, lons)
centre_lats = st.one_of(
    st.floats(-85.0, 85.0), st.floats(80.0, 85.0), st.floats(-85.0, -80.0)
)
centre_lons = st.one_of(
    st.floats(-180.0, 180.0), st.floats(175.0, 180.0), st.floats(-180.0, -175.0)
)


def destination(
    lat: float, lon: float, bearing_deg: float, dist_m: float
) -> tuple[float, float]:
    """The point ``dist_m`` from (lat, lon) along the initial ``bearing_deg``."""
    phi, lam = math.radians(lat), math.radians(lon)
    theta, delta = math.radians(bearing_deg), dist_m / EARTH_RADIUS_M
    sin_phi2 = math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(
        delta
    ) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * sin_phi2,
    )
    lon2 = (math.degrees(lam2) + 180.0) % 360.0 - 180.0
    return math.degrees(phi2), lon2


def roughly_contains(box: BoundingBox, lat: float, lon: float) -> bool:
    return (
        box.min_lat - DEGREE_SLACK <= lat <= box.max_lat + DEGREE_SLACK
        and box.min_lon - DEGREE_SLACK <= lon <= box.max_lon + DEGREE_SLACK
    )


class TestDistance:
    @given(points, points)
    def test_is_the_same_in_both_directions(self, a, b):
        assert distance_m(*a, *b) == distance_m(*b, *a)

    @given(points, points)
    def test_is_never_negative(self, a, b):
        assert distance_m(*a, *b) >= 0.0

    @given(points)
    def test_is_zero_from_a_point_to_itself(self, a):
        assert distance_m(*a, *a) == 0.0

    @given(points, points, points)
    def test_never_beats_a_detour_through_a_third_point(self, a, b, c):
        direct = distance_m(*a, *c)
        detour = distance_m(*a, *b) + distance_m(*b, *c)
        assert direct <= detour + 0.01

    @given(points, points)
    def test_is_at_most_half_the_circumference(self, a, b):
        assert distance_m(*a, *b) <= math.pi * EARTH_RADIUS_M + 0.01

    @pytest.mark.parametrize(
        ("a", "b", "expected_m"),
        [
            pytest.param(
                (39.9042, 116.4074), (31.2304, 121.4737), 1_067_000, id="bj-sh"
            ),
            pytest.param((0.0, 0.0), (0.0, 1.0), 111_195, id="1-deg-equator"),
            pytest.param((90.0, 0.0), (-90.0, 0.0), 20_015_115, id="pole-to-pole"),
            pytest.param((0.0, 179.5), (0.0, -179.5), 111_195, id="antimeridian"),
        ],
    )
    def test_matches_known_great_circle_distances_within_one_percent(
        self, a, b, expected_m
    ):
        assert distance_m(*a, *b) == pytest.approx(expected_m, rel=0.01)


class TestBoundingBoxAround:
    @given(
        centre_lats,
        centre_lons,
        st.floats(1.0, MAX_SEARCH_RADIUS_M),
        st.floats(0.0, 360.0),
        st.floats(0.0, 1.0),
    )
    def test_holds_every_point_within_the_radius(
        self, lat, lon, radius_m, bearing_deg, fraction
    ):
        box = bbox_around(lat, lon, radius_m)
        p_lat, p_lon = destination(lat, lon, bearing_deg, radius_m * fraction)

        assert roughly_contains(box, p_lat, p_lon)

    @given(centre_lats, centre_lons, st.floats(1.0, MAX_SEARCH_RADIUS_M))
    def test_holds_the_centre(self, lat, lon, radius_m):
        assert bbox_around(lat, lon, radius_m).contains(lat, lon)

    def test_is_tight_away_from_poles_and_antimeridian(self):
        box = bbox_around(31.23, 121.47, 10_000)

        assert box.max_lat - box.min_lat == pytest.approx(0.1799, abs=1e-3)
        assert box.max_lon - box.min_lon == pytest.approx(0.2103, abs=1e-3)

    def test_widens_to_every_longitude_across_the_antimeridian(self):
        box = bbox_around(0.0, 179.99, 10_000)

        assert (box.min_lon, box.max_lon) == (-180.0, 180.0)

    def test_widens_to_every_longitude_when_the_circle_holds_a_pole(self):
        box = bbox_around(89.95, 10.0, 10_000)

        assert (box.min_lon, box.max_lon, box.max_lat) == (-180.0, 180.0, 90.0)


class TestCoordinateValidation:
    @pytest.mark.parametrize(
        ("lat", "lon"),
        [
            (91.0, 0.0),
            (-90.5, 0.0),
            (0.0, 181.0),
            (0.0, -180.5),
            (math.nan, 0.0),
            (0.0, math.nan),
            (math.inf, 0.0),
        ],
    )
    def test_a_point_rejects_coordinates_off_the_globe(self, lat, lon):
        with pytest.raises(ValueError, match="itude"):
            GeoPoint(lat, lon)

    @given(lats, lons)
    def test_a_point_accepts_every_coordinate_on_the_globe(self, lat, lon):
        assert GeoPoint(lat, lon) == GeoPoint(lat, lon)

    @pytest.mark.parametrize(
        "corners",
        [
            pytest.param((122.0, 31.0, 121.0, 32.0), id="lon-inverted"),
            pytest.param((121.0, 32.0, 122.0, 31.0), id="lat-inverted"),
        ],
    )
    def test_a_box_rejects_inverted_corners(self, corners):
        with pytest.raises(ValueError, match="inverted"):
            BoundingBox(*corners)

    @pytest.mark.parametrize(
        "corners",
        [
            (121.0, 31.0, 181.0, 32.0),
            (121.0, -91.0, 122.0, 32.0),
            (math.nan, 31.0, 122.0, 32.0),
        ],
    )
    def test_a_box_rejects_corners_off_the_globe(self, corners):
        with pytest.raises(ValueError, match="itude"):
            BoundingBox(*corners)

    def test_a_box_contains_its_edges(self):
        box = BoundingBox(121.0, 31.0, 122.0, 32.0)

        assert box.contains(31.0, 121.0)
        assert box.contains(32.0, 122.0)
        assert not box.contains(32.000001, 121.5)
