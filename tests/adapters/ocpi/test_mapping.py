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
from evroam.gateways.ocpi.mapping import (
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
from evroam.gateways.ocpi.pricing_mapping import element_tariff_from_ocpi
from evroam.pricing.elements import Dimension
from evroam.pricing.engine import Role
from evroam.pricing.periods import price_session
from evroam.pricing.session import ChargeSession
from evroam.pricing.tariff import IdleFee, PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.protocols.ocpi_2_2_1.enums import Status
from evroam.protocols.ocpi_2_2_1.models import Location
from evroam.protocols.ocpi_2_2_1.models import Tariff as OcpiTariff
from evroam.shared.ids import OperatorId, pile_id_for, station_id_for
from evroam.shared.money import Money

OPERATOR = OperatorId("swapway")
OCPI_TARIFF = "T1"
SPEC = Path(__file__).parents[3] / "tests/fixtures/ocpi-2.2.1-examples"
FIXTURES = Path(__file__).parent / "fixtures"

moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2090, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(
    # Types, DateTime is string(25): the wire carries milliseconds at most.
    lambda at: at.replace(microsecond=at.microsecond // 1000 * 1000)
)
words = st.text(min_size=0, max_size=12)
uids = st.text(alphabet="ABCDEFGHJK0123456789-", min_size=1, max_size=12)
money = st.integers(0, 100_000).map(Money.from_fen)
unit_prices = st.integers(0, 99_999).map(lambda n: Decimal(n) / 10_000)
idle_fees = st.builds(
    IdleFee,
    grace_minutes=st.integers(0, 240),
    per_minute=st.integers(1, 99_999).map(lambda n: Decimal(n) / 10_000),
    cap=st.none() | st.integers(1, 100_000).map(lambda n: Decimal(n) / 100),
)


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
        idle=draw(st.none() | idle_fees),
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


def is_idle_element(element) -> bool:
    return element.evroam is not None and element.evroam.is_idle_fee is True


SEVEN_AM = datetime(2024, 11, 1, 7, 0, tzinfo=UTC)


class TestIdleFee:
    def tariff(self, idle: IdleFee | None) -> Tariff:
        return Tariff(
            tariff_id_for(OPERATOR, OCPI_TARIFF),
            (PeriodPrice(PeriodKind.FLAT, Decimal("0.8"), Decimal("0.6")),),
            (),
            idle=idle,
        )

    def test_is_one_parking_time_element_after_parking_priced_per_hour(self):
        parking = ParkingRule(30, Money.of("5.00"), Money.of("20.00"))
        idle = IdleFee(15, Decimal("0.50"), Decimal("30.00"))
        raw = ocpi_tariff(self.tariff(idle), parking).model_dump(
            mode="json", exclude_none=True
        )
        *_, parking_element, idle_element = raw["elements"]
        assert parking_element["evroam"] == {"daily_cap": 20, "free_minutes": 30}
        assert parking_element["price_components"][0]["step_size"] == 900
        assert idle_element == {
            "price_components": [
                {"type": "PARKING_TIME", "price": 30, "step_size": 60}
            ],
            "restrictions": {"min_duration": 900},
            "evroam": {"is_idle_fee": True, "idle_cap": 30, "free_minutes": 15},
        }

    def test_without_grace_minutes_the_idle_element_is_unrestricted(self):
        idle = IdleFee(0, Decimal("0.25"))
        wire = ocpi_tariff(self.tariff(idle), ParkingRule(0, Money.zero()))
        last = wire.elements[-1]
        assert last.restrictions is None
        assert last.evroam is not None
        assert last.evroam.idle_cap is None
        assert tariff_from_ocpi(over_the_wire(wire), OPERATOR).idle == idle

    def test_a_tariff_without_idle_fee_gains_no_element(self):
        parking = ParkingRule(30, Money.of("5.00"))
        wire = ocpi_tariff(self.tariff(None), parking)
        assert len(wire.elements) == 2  # the flat ENERGY price, then parking
        assert not any(is_idle_element(e) for e in wire.elements)
        assert tariff_from_ocpi(wire, OPERATOR).idle is None

    @given(idle_fees, st.integers(0, 300), money, st.none() | money)
    def test_round_trips_and_leaves_the_parking_rule_alone(self, idle, free, fee, cap):
        parking = ParkingRule(free, fee, cap)
        raw = ocpi_tariff(self.tariff(idle), parking).model_dump_json(exclude_none=True)
        wire_tariff = OcpiTariff.model_validate_json(raw)
        assert tariff_from_ocpi(wire_tariff, OPERATOR).idle == idle
        assert parking_rule_from_ocpi(wire_tariff) == parking

    def test_the_parking_rule_skips_an_idle_element_sent_before_parking(self):
        parking = ParkingRule(60, Money.of("4.00"))
        wire = ocpi_tariff(self.tariff(IdleFee(10, Decimal(1))), parking)
        *energy, parking_element, idle_element = wire.elements
        reordered = wire.model_copy(
            update={"elements": [*energy, idle_element, parking_element]}
        )
        assert parking_rule_from_ocpi(reordered) == parking
        assert tariff_from_ocpi(reordered, OPERATOR).idle == IdleFee(10, Decimal(1))

    def test_a_foreign_parking_time_element_is_parking_not_an_idle_fee(self):
        foreign = OcpiTariff.model_validate_json(
            (FIXTURES / "foreign_tou_tariff.json").read_text()
        )
        assert tariff_from_ocpi(foreign, "urban").idle is None

    def test_an_idle_element_priced_at_zero_is_no_idle_fee(self):
        wire = ocpi_tariff(
            self.tariff(IdleFee(0, Decimal(1))), ParkingRule(0, Money.zero())
        )
        raw = wire.model_dump(mode="json", exclude_none=True)
        raw["elements"][-1]["price_components"][0]["price"] = 0
        tariff = tariff_from_ocpi(OcpiTariff.model_validate(raw), OPERATOR)
        assert tariff.idle is None

    def test_the_engine_bills_parking_at_the_parking_fee_and_idle_apart(self):
        # OCPI: per dimension the first matching element applies, and our
        # unrestricted parking element comes before the idle element; our
        # engine reads the idle element's extension and bills it on top.
        parking = ParkingRule(0, Money.of("6.00"))
        idle = IdleFee(0, Decimal("1.00"))
        wire = over_the_wire(ocpi_tariff(self.tariff(idle), parking))
        session = ChargeSession.flat(
            SEVEN_AM, SEVEN_AM.replace(hour=8), Decimal(20), parking_minutes=30
        )
        bill = price_session(element_tariff_from_ocpi(wire), session, "Asia/Shanghai")
        assert bill.cost(Dimension.PARKING_TIME)[0] == Money.of("3.00")
        assert bill.cost(Dimension.PARKING_TIME, Role.IDLE)[0] == Money.of("30.00")


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
