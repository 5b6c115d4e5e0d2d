"""The simulator's own wire mapping (no hub code) reads back, through the hub's
gateways, as the scenario generated the network: same piles, same prices."""

from datetime import date

import pytest

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.gateways.ocpi.mapping import (
    station_from_location,
    tariff_from_ocpi,
)
from evroam.gateways.tcec.mapping import (
    station_from_station_info,
    tariff_from_policy_infos,
)
from evroam.gateways.tcec.park_fee import parse_park_fee
from evroam.scenario import reference_scenario
from evroam.shared.datum import Datum
from evroam.shared.ids import OperatorId, TariffId
from evroam.simulator.network import OPERATOR_BY_PROFILE, SimulatedNetwork
from evroam.simulator.ocpi_source import NetworkCpoSource
from evroam.simulator.tcec_wire import StationContact, policy_infos_of, station_info_of
from tests.adapters.simulator.conftest import EVENING


@pytest.fixture(scope="module")
def generated():
    """Each profile's stations as the scenario made them, by external id."""
    scenario = reference_scenario(7)
    return {
        profile: {
            s.external_id: s
            for s in scenario.iter_stations(OPERATOR_BY_PROFILE[profile])
        }
        for profile in ("fast", "community")
    }


@pytest.fixture(scope="module")
def tariffs():
    return {t.id: t for t in reference_scenario(7).tariffs}


def _comparable(station):
    return (
        station.name,
        station.address,
        station.city,
        [
            (
                p.external_uid,
                p.status,
                [(c.standard, c.max_power_kw) for c in p.connectors],
            )
            for p in station.piles
        ],
        station.swap,
        station.parking,
    )


class TestOcpi:
    async def test_every_location_reads_back_as_the_generated_station(self, generated):
        network = SimulatedNetwork.for_profile(OperatorProfile.FAST, Protocol.OCPI, 7)
        source = NetworkCpoSource(network)
        published, _ = await source.list_tariffs(None, None, 0, 10_000)
        by_id = {t.id: t for t in published}
        locations, total = await source.list_locations(None, None, 0, 10_000)
        assert total == network.station_count > 0
        for location in locations:
            truth = generated["fast"][location.id]
            read = station_from_location(location, truth.operator_id, by_id)
            assert _comparable(read) == _comparable(truth)
            assert abs(read.lat - truth.lat) < 1e-6

    async def test_every_tariff_reads_back_as_the_generated_prices(self, tariffs):
        network = SimulatedNetwork.for_profile(OperatorProfile.FAST, Protocol.OCPI, 7)
        published, _ = await NetworkCpoSource(network).list_tariffs(
            None, None, 0, 10_000
        )
        assert published
        for tariff in published:
            province_variant = tariff.id.rsplit("-P", 1)[0]
            truth = tariffs[TariffId(f"rapidgrid-{province_variant}")]
            read = tariff_from_ocpi(tariff, OperatorId("rapidgrid"))
            assert (read.prices, read.windows, read.default_kind, read.idle) == (
                truth.prices,
                truth.windows,
                truth.default_kind,
                truth.idle,
            )


class TestTcec:
    def test_every_station_info_reads_back_as_the_generated_station(
        self, community_tcec, generated, tariffs
    ):
        for index in range(0, community_tcec.station_count, 7):
            site = community_tcec.station(index)
            info = station_info_of(
                site,
                "MA0NEIGHB",
                community_tcec.prices_of(index),
                StationContact("310000", "400-000-0000"),
                datum=Datum.GCJ02,
            )
            truth = generated["community"][site.external_id]
            read = station_from_station_info(
                info, truth.operator_id, truth.tariff_id, EVENING, datum=Datum.GCJ02
            )
            assert [p.external_uid for p in read.piles] == [
                f"{site.external_id}{p.external_uid}" for p in truth.piles
            ]
            assert abs(read.lat - truth.lat) < 1e-5
            assert read.parking == truth.parking
            fee = parse_park_fee(info.ParkFee)
            assert fee.idle == tariffs[truth.tariff_id].idle

    def test_every_policy_reads_back_as_the_generated_prices(
        self, community_tcec, tariffs
    ):
        for tariff_id in community_tcec.tariffs:
            index = next(
                i
                for i in range(community_tcec.station_count)
                if community_tcec.station(i).tariff_id == tariff_id
            )
            truth = tariffs[tariff_id]
            policies = policy_infos_of(
                community_tcec.prices_of(index), date(2024, 7, 1)
            )
            read = tariff_from_policy_infos(tariff_id, policies)
            day_prices = {p.total_per_kwh for p in read.prices}
            assert day_prices <= {p.total_per_kwh for p in truth.prices}
