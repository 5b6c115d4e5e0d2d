"""The simulated network as an OCPI 2.2.1 CPO's Locations and Tariffs.

An OCPI Tariff carries its parking element, so stations sharing a time-of-use
tariff but parked differently need different OCPI tariffs: the OCPI tariff id is
``{province}-{variant}-P{n}`` (the scenario tariff id without its operator
prefix, then the station's parking rule numbered 1.. in a fixed order).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from evroam.protocols.ocpi_2_2_1.models import Location, Tariff
from evroam.simulator.network import SimulatedNetwork
from evroam.simulator.ocpi_wire import location_of, tariff_of
from evroam.simulator.prices import CarPark


def _parking_key(car_park: CarPark) -> tuple[int, object, object]:
    """A station's car park fee in a fixed order, by its terms."""
    cap = car_park.daily_cap if car_park.daily_cap is not None else -1
    return (car_park.free_minutes, car_park.per_hour, cap)


def _in_window(
    moment: datetime, date_from: datetime | None, date_to: datetime | None
) -> bool:
    # OCPI Locations module, GET list: date_from inclusive, date_to exclusive.
    return (date_from is None or moment >= date_from) and (
        date_to is None or moment < date_to
    )


class NetworkCpoSource:
    """A ``CpoDataSource`` over a ``SimulatedNetwork``."""

    def __init__(self, network: SimulatedNetwork) -> None:
        self._network = network
        operator = network.operator
        self.country_code, self.party_id = operator.country_code, operator.party_id
        stations = list(network.stations())
        rules = sorted({s.parking for s in stations}, key=_parking_key)
        number = {rule: n for n, rule in enumerate(rules, start=1)}
        prefix = f"{operator.id}-"
        self._tariff_of_station = [
            f"{s.tariff_id.removeprefix(prefix)}-P{number[s.parking]}" for s in stations
        ]
        self._tariffs = self._build_tariffs()
        self._built_version = network.tariff_version

    def _build_tariffs(self) -> list[Tariff]:
        built: dict[str, Tariff] = {}
        for index, ocpi_id in enumerate(self._tariff_of_station):
            if ocpi_id in built:
                continue
            station = self._network.station(index)
            built[ocpi_id] = tariff_of(
                self._network.prices_of(index),
                station.parking,
                ocpi_id=ocpi_id,
                country_code=self.country_code,
                party_id=self.party_id,
                last_updated=self._network.tariffs_changed_at
                or self._network.info_updated_at(index)
                or self._network.station_updated_at(index),
            )
        return [built[key] for key in sorted(built)]

    def location(self, station_index: int) -> Location:
        return location_of(
            self._network.station(station_index),
            self.country_code,
            self.party_id,
            self._tariff_of_station[station_index],
        )

    async def list_locations(
        self,
        date_from: datetime | None,
        date_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Location], int]:
        net = self._network
        matching = [
            i
            for i in range(net.station_count)
            if _in_window(net.station_updated_at(i), date_from, date_to)
        ]
        page = matching[offset : offset + limit]
        return [self.location(i) for i in page], len(matching)

    async def list_tariffs(
        self,
        date_from: datetime | None,
        date_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Tariff], int]:
        if self._built_version != self._network.tariff_version:  # prices changed
            self._tariffs = self._build_tariffs()
            self._built_version = self._network.tariff_version
        matching = [
            t for t in self._tariffs if _in_window(t.last_updated, date_from, date_to)
        ]
        return matching[offset : offset + limit], len(matching)

    async def find_location(self, location_id: str) -> Location | None:
        index = self._network.find_station(location_id)
        return None if index is None else self.location(index)
