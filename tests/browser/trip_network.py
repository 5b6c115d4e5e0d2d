"""A small network for the trip tests: fast DC chargers from Shanghai towards Nanjing,
only slow AC piles towards Hangzhou, and nothing north of Nanjing."""

from __future__ import annotations

from dataclasses import replace

from evroam.bootstrap import Services
from evroam.catalogue.model import ConnectorStandard
from evroam.shared.geo import GeoPoint
from tests.builders import a_station, a_tariff, an_operator

# The gazetteer's cities (GET /api/v1/places), where trips start and end.
PLACES = {
    "Shanghai": GeoPoint(31.23, 121.474),
    "Nanjing": GeoPoint(32.06, 118.797),
    "Hangzhou": GeoPoint(30.274, 120.155),
    "Beijing": GeoPoint(39.904, 116.407),
}
FAST = {  # name: (lat, lon)
    "苏州东快充站": (31.30, 120.62),
    "无锡快充站": (31.49, 120.31),
    "常州快充站": (31.81, 119.97),
    "丹阳快充站": (32.00, 119.58),
}
SLOW = {
    "嘉兴慢充站": (30.75, 120.75),
    "桐乡慢充站": (30.63, 120.56),
}


def import_trip_network(services: Services) -> None:
    fast = [
        replace(a_station(f"F{i}", lat=lat, lon=lon, power_kw=120.0), name=name)
        for i, (name, (lat, lon)) in enumerate(FAST.items())
    ]
    slow = [
        replace(
            a_station(
                f"A{i}", lat=lat, lon=lon, power_kw=7.0,
                standard=ConnectorStandard.GBT_AC,
            ),
            name=name,
        )
        for i, (name, (lat, lon)) in enumerate(SLOW.items())
    ]  # fmt: skip
    services.catalogue.import_network([an_operator()], [a_tariff()], fast + slow)
