"""Wire ⇄ domain mapping: round trips, the spec's examples, and foreign tariffs."""

import json
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.catalogue.model import (
    Connector,
    ConnectorStandard,
    ParkingRule,
    Pile,
    PileStatus,
    PowerType,
    Station,
    SwapBay,
)
from evroam.operators.ocpi.v2_2_1.enums import Status
from evroam.operators.ocpi.v2_2_1.mapping import (
    UnmappableTariffError,
    evse_status_from_pile_status,
    location_from_station,
    ocpi_tariff_from_tariff,
    parking_rule_from_ocpi,
    pile_status_from_evse_status,
    station_from_location,
    tariff_from_ocpi,
    tariff_id_for,
)
from evroam.operators.ocpi.v2_2_1.models import Location
from evroam.operators.ocpi.v2_2_1.models import Tariff as OcpiTariff
from evroam.pricing.tariff import PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.shared.ids import OperatorId, pile_id_for, station_id_for
from evroam.shared.money import Money

OPERATOR = OperatorId("swapway")
OCPI_TARIFF = "T1"
SPEC = Path(__file__).parents[3] / "../shared/data/ocpi-2.2.1-examples"
FIXTURES = Path(__file__).parent / "fixtures"

moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2090, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
words = st.text(min_size=0, max_size=12)
uids = st.text(alphabet="ABCDEFGHJK0123456789-", min_size=1, max_size=12)
money = st.integers(0, 100_000).map(Money.from_fen)
unit_prices = st.integers(0, 99_999).map(lambda n: Decimal(n) / 10_000)


@st.composite
def connectors(draw):
    return Connector(
        standard=draw(st.sampled_from(ConnectorStandard)),
        max_power_kw=draw(st.integers(1_000, 600_000)) / 1000,
        power_type=draw(st.sampled_from(PowerType)),
    )


@st.composite
def stations(draw):
    external_id = draw(uids)
    station_id = station_id_for(OPERATOR, external_id)
    evse_uids = draw(st.lists(uids, max_size=4, unique=True))
    piles = tuple(
        Pile(
            id=pile_id_for(station_id, uid),
            external_uid=uid,
            connectors=tuple(draw(st.lists(connectors(), min_size=1, max_size=3))),
            status=draw(st.sampled_from(PileStatus)),
            status_at=draw(moments),
        )
        for uid in evse_uids
    )
    swap = draw(st.none() | st.builds(SwapBay, st.integers(0, 40), st.integers(0, 9)))
    return Station(
        id=station_id,
        operator_id=OPERATOR,
        external_id=external_id,
        name=draw(words),
        address=draw(words),
        city=draw(words),
        lat=draw(st.integers(-90_000_000, 90_000_000)) / 1e6,
        lon=draw(st.integers(-180_000_000, 180_000_000)) / 1e6,
        tariff_id=tariff_id_for(OPERATOR, OCPI_TARIFF),
        parking=ParkingRule(
            free_minutes=draw(st.integers(0, 600)),
            fee_per_hour=draw(money),
            daily_cap=draw(st.none() | money),
        ),
        piles=piles,
        time_zone=draw(st.sampled_from(["Asia/Shanghai", "Asia/Urumqi"])),
        swap=swap,
        updated_at=draw(moments),
        tags=tuple(draw(st.lists(words.filter(bool), max_size=3))),
    )


minutes_of_day = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@st.composite
def tariffs(draw):
    kinds = draw(st.lists(st.sampled_from(PeriodKind), min_size=1, unique=True))
    ordered = [k for k in PeriodKind if k in kinds]
    prices = tuple(
        PeriodPrice(k, draw(unit_prices), draw(unit_prices)) for k in ordered
    )
    windows = tuple(
        TouWindow(
            start=draw(minutes_of_day),
            end=draw(minutes_of_day),
            kind=draw(st.sampled_from(ordered)),
            months=frozenset(draw(st.lists(st.integers(1, 12), max_size=4))),
        )
        for _ in range(draw(st.integers(0, 4)))
    )
    return Tariff(
        id=tariff_id_for(OPERATOR, OCPI_TARIFF),
        prices=prices,
        windows=windows,
        default_kind=draw(st.sampled_from(ordered)),
    )


def over_the_wire(model):
    return type(model).model_validate_json(model.model_dump_json(exclude_none=True))


def ocpi_tariff(tariff: Tariff, parking: ParkingRule) -> OcpiTariff:
    return ocpi_tariff_from_tariff(
        tariff,
        parking,
        ocpi_id=OCPI_TARIFF,
        country_code="CN",
        party_id="SWP",
        last_updated=datetime(2024, 11, 1, tzinfo=UTC),
    )


class TestStationRoundTrip:
    @given(stations())
    def test_station_to_location_and_back_is_the_same_station(self, station):
        location = location_from_station(
            station, "CN", "SWP", {station.tariff_id: OCPI_TARIFF}
        )
        flat = Tariff(
            station.tariff_id,
            (PeriodPrice(PeriodKind.FLAT, Decimal(1), Decimal(0)),),
            (),
        )
        wire_tariff = over_the_wire(ocpi_tariff(flat, station.parking))
        back = station_from_location(
            over_the_wire(location), OPERATOR, {OCPI_TARIFF: wire_tariff}
        )
        assert back == station

    @pytest.mark.parametrize("status", list(PileStatus))
    def test_every_pile_status_survives_ocpi(self, status):
        assert (
            pile_status_from_evse_status(evse_status_from_pile_status(status)) is status
        )


class TestTariffRoundTrip:
    @given(tariffs(), st.integers(0, 300), money)
    def test_tariff_to_ocpi_and_back_is_the_same_tariff(self, tariff, free, fee):
        parking = ParkingRule(free_minutes=free, fee_per_hour=fee)
        wire_tariff = over_the_wire(ocpi_tariff(tariff, parking))
        assert tariff_from_ocpi(wire_tariff, OPERATOR) == tariff
        assert parking_rule_from_ocpi(wire_tariff) == parking

    def test_energy_price_is_the_total_and_the_extension_carries_the_service_fee(self):
        tariff = Tariff(
            tariff_id_for(OPERATOR, OCPI_TARIFF),
            (
                PeriodPrice(PeriodKind.PEAK, Decimal("1.0"), Decimal("0.8")),
                PeriodPrice(PeriodKind.VALLEY, Decimal("0.3"), Decimal("0.4")),
            ),
            (TouWindow(time(23), time(7), PeriodKind.VALLEY),),
            default_kind=PeriodKind.PEAK,
        )
        raw = ocpi_tariff(tariff, ParkingRule(0, Money.zero())).model_dump(
            mode="json", exclude_none=True
        )
        valley, peak = raw["elements"][0], raw["elements"][1]
        assert valley["restrictions"] == {"start_time": "23:00", "end_time": "07:00"}
        assert valley["price_components"][0] == {
            "type": "ENERGY",
            "price": 0.7,
            "step_size": 1,
        }
        assert valley["evroam"] == {"period": "valley", "service_price": 0.4}
        assert "restrictions" not in peak
        assert peak["price_components"][0]["price"] == 1.8


class TestSpecLocationExample:
    def test_maps_to_a_station_with_two_type2_piles(self):
        raw = json.loads((SPEC / "location_example.json").read_text())
        station = station_from_location(Location.model_validate(raw), "becharged", {})
        assert station.id == "becharged-LOC1"
        assert [p.id for p in station.piles] == [
            "becharged-LOC1-3256",
            "becharged-LOC1-3257",
        ]
        assert [p.status for p in station.piles] == [
            PileStatus.AVAILABLE,
            PileStatus.RESERVED,
        ]
        connector = station.piles[0].connectors[0]
        assert connector.standard is ConnectorStandard.TYPE2
        assert connector.max_power_kw == pytest.approx(220 * 16 * 3 / 1000)
        assert station.tariff_id == "becharged-11"
        assert station.parking.is_free

    def test_a_removed_evse_is_left_out(self):
        raw = json.loads((SPEC / "location_example.json").read_text())
        raw["evses"][1]["status"] = Status.REMOVED
        station = station_from_location(Location.model_validate(raw), "becharged", {})
        assert len(station.piles) == 1


class TestForeignTariffs:
    def foreign(self) -> OcpiTariff:
        return OcpiTariff.model_validate_json(
            (FIXTURES / "foreign_tou_tariff.json").read_text()
        )

    def test_names_periods_by_price_rank_and_wraps_past_midnight(self):
        tariff = tariff_from_ocpi(self.foreign(), "urban")
        at = lambda h: datetime(2024, 7, 1, h, 30, tzinfo=UTC)  # noqa: E731
        zone = "UTC"
        assert tariff.price_at(at(23), zone).kind is PeriodKind.VALLEY
        assert tariff.price_at(at(3), zone).electricity_per_kwh == Decimal("0.45")
        assert tariff.price_at(at(12), zone).kind is PeriodKind.PEAK
        assert tariff.price_at(at(20), zone).kind is PeriodKind.SHARP
        assert tariff.price_at(at(8), zone).total_per_kwh == Decimal("1.2")

    def test_elements_restricted_beyond_time_of_day_are_skipped(self):
        tariff = tariff_from_ocpi(self.foreign(), "urban")
        assert Decimal("1.1") not in {p.total_per_kwh for p in tariff.prices}

    def test_parking_after_a_free_period(self):
        parking = parking_rule_from_ocpi(self.foreign())
        assert parking == ParkingRule(120, Money.of("6.00"))

    def test_the_spec_max_power_example_keeps_its_unrestricted_price(self):
        raw = (SPEC / "tariffrestriction_example_max_power.json").read_text()
        tariff = tariff_from_ocpi(OcpiTariff.model_validate_json(raw), "de")
        assert tariff.prices == (
            PeriodPrice(PeriodKind.FLAT, Decimal("0.5"), Decimal(0)),
        )

    def test_a_tariff_without_energy_price_is_refused(self):
        raw = (SPEC / "tariff_14_step_size.json").read_text()
        with pytest.raises(UnmappableTariffError):
            tariff_from_ocpi(OcpiTariff.model_validate_json(raw), "de")
