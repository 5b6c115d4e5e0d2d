"""The catalogue model: pile status categories, station colour, plugs and power."""

from __future__ import annotations

import pytest

from evroam.catalogue.model import (
    Connector,
    ConnectorStandard,
    PileCounts,
    PileStatus,
    PowerType,
    StatusCategory,
    SwapBay,
    count_piles,
)
from tests.builders import a_pile, a_station


class TestPileStatusCategory:
    @pytest.mark.parametrize(
        ("status", "category"),
        [
            (PileStatus.AVAILABLE, StatusCategory.FREE),
            (PileStatus.OCCUPIED, StatusCategory.BUSY),
            (PileStatus.CHARGING, StatusCategory.BUSY),
            (PileStatus.RESERVED, StatusCategory.BUSY),
            (PileStatus.OFFLINE, StatusCategory.OFFLINE),
            (PileStatus.FAULTED, StatusCategory.OFFLINE),
            (PileStatus.UNKNOWN, StatusCategory.UNKNOWN),
        ],
    )
    def test_maps_each_status_to_the_colour_the_map_shows(self, status, category):
        assert status.category is category

    def test_every_status_has_a_category(self):
        assert {s.category for s in PileStatus} == set(StatusCategory)


class TestStationColour:
    @pytest.mark.parametrize(
        ("counts", "category"),
        [
            (PileCounts(free=1, busy=5, offline=5, unknown=5), StatusCategory.FREE),
            (PileCounts(busy=1, offline=5, unknown=5), StatusCategory.BUSY),
            (PileCounts(offline=1, unknown=5), StatusCategory.OFFLINE),
            (PileCounts(unknown=3), StatusCategory.UNKNOWN),
            (PileCounts(), StatusCategory.UNKNOWN),
        ],
    )
    def test_prefers_free_then_busy_then_offline_then_unknown(self, counts, category):
        assert counts.category is category

    def test_counts_piles_by_category(self):
        station = a_station(
            statuses=(
                PileStatus.AVAILABLE,
                PileStatus.CHARGING,
                PileStatus.OCCUPIED,
                PileStatus.FAULTED,
                PileStatus.UNKNOWN,
            )
        )

        counts = count_piles(station.piles)

        assert counts == PileCounts(free=1, busy=2, offline=1, unknown=1)
        assert counts.total == 5


class TestConnectorStandard:
    def test_every_standard_has_its_own_bit(self):
        bits = [s.bit for s in ConnectorStandard]

        assert len(set(bits)) == len(bits)
        assert all(bit & (bit - 1) == 0 for bit in bits)

    def test_bits_follow_declaration_order(self):
        assert ConnectorStandard.GBT_DC.bit == 1
        assert ConnectorStandard.GBT_AC.bit == 2


class TestStationPowerAndPlugs:
    def test_max_power_is_the_strongest_connector_of_any_pile(self):
        station = a_station(power_kw=60.0)
        fast = a_pile(
            station.id,
            "E99",
            connectors=(
                Connector(ConnectorStandard.GBT_AC, 7.0, PowerType.AC),
                Connector(ConnectorStandard.CCS2, 180.0, PowerType.DC),
            ),
        )
        station = a_station(power_kw=60.0, piles=(*station.piles, fast))

        assert station.max_power_kw == 180.0

    def test_a_station_without_piles_has_no_power_and_no_plugs(self):
        station = a_station(statuses=())

        assert station.max_power_kw == 0.0
        assert station.connector_standards == frozenset()

    def test_connector_standards_are_the_union_over_piles(self):
        station = a_station(standard=ConnectorStandard.GBT_DC)
        ac = a_pile(
            station.id,
            "E99",
            connectors=(Connector(ConnectorStandard.GBT_AC, 7.0, PowerType.AC),),
        )
        station = a_station(piles=(*station.piles, ac))

        assert station.connector_standards == {
            ConnectorStandard.GBT_DC,
            ConnectorStandard.GBT_AC,
        }

    def test_a_station_with_a_swap_bay_is_a_swap_station(self):
        assert a_station(swap=SwapBay(batteries_in_stock=4, queue_length=1)).is_swap
        assert not a_station().is_swap
