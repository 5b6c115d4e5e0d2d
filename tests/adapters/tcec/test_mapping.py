"""Wire ⇄ domain: stations, piles, status codes, parking text and tariffs."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
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
from evroam.gateways.tcec.mapping import (
    code_from_pile_status,
    connector_status_info_from_pile,
    pile_status_from_code,
    policy_infos_from_tariff,
    reports_from_station_status,
    station_from_station_info,
    station_info_from_station,
    tariff_from_policy_infos,
)
from evroam.gateways.tcec.park_fee import format_park_fee, parse_park_fee
from evroam.pricing.tariff import IdleFee, PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.protocols.tcec_102 import profiles
from evroam.protocols.tcec_102.errors import ParameterError, UnsupportedTariffError
from evroam.protocols.tcec_102.models import (
    PolicyInfo,
    QueryEquipBusinessPolicyResponse,
    QueryStationsInfoResponse,
    QueryStationStatusResponse,
    StationInfo,
)
from evroam.protocols.tcec_102.profiles import SpellingProfile
from evroam.shared.datum import Datum, to_wgs84
from evroam.shared.geo import distance_m
from evroam.shared.ids import OperatorId, TariffId, pile_id_for, station_id_for
from evroam.shared.money import Money

from .wire import fixture, over_the_wire

OPERATOR = OperatorId("swapway")
TARIFF = TariffId("swapway-t1")
SEEN_AT = datetime(2024, 5, 1, 4, 0, tzinfo=UTC)


def recorded_stations() -> list[StationInfo]:
    page = QueryStationsInfoResponse.model_validate(
        fixture("query_stations_info_page.json")
    )
    return page.StationInfos


class TestStationsFromRecordedPayloads:
    def test_each_connector_becomes_one_pile_keyed_by_its_connector_id(self):
        station = station_from_station_info(
            recorded_stations()[0], OPERATOR, TARIFF, SEEN_AT, datum=WGS84
        )
        assert station.id == "swapway-SH0001"
        assert [p.id for p in station.piles] == [
            "swapway-SH0001-E000101",
            "swapway-SH0001-E000102",
            "swapway-SH0001-E000201",
        ]
        assert [p.connectors[0].standard for p in station.piles] == [
            ConnectorStandard.GBT_DC,
            ConnectorStandard.GBT_DC,
            ConnectorStandard.GBT_AC,
        ]
        assert station.max_power_kw == 120.0
        assert all(p.status is PileStatus.UNKNOWN for p in station.piles)

    def test_the_station_keeps_name_place_and_parking_rule(self):
        station = station_from_station_info(
            recorded_stations()[0], OPERATOR, TARIFF, SEEN_AT, datum=WGS84
        )
        assert station.name == "虹桥枢纽P9充电站"
        assert station.city == "上海市"
        assert (station.lat, station.lon) == (31.194321, 121.320512)
        assert station.parking == ParkingRule(120, Money.of("5"), Money.of("30"))
        assert station.updated_at == SEEN_AT
        assert not station.is_swap

    def test_a_swap_station_is_one_swap_pile_with_its_battery_stock(self):
        station = station_from_station_info(
            recorded_stations()[1], OPERATOR, TARIFF, SEEN_AT, datum=WGS84
        )
        assert station.is_swap
        assert station.swap == SwapBay(9, 2, 3)
        assert [c.standard for p in station.piles for c in p.connectors] == [
            ConnectorStandard.SWAP
        ]
        assert station.city == "苏州市"
        assert station.parking.is_free

    @pytest.mark.parametrize(
        ("connector_type", "equipment_type", "standard"),
        [
            (1, 2, ConnectorStandard.GBT_AC),
            (2, 2, ConnectorStandard.GBT_AC),
            (3, 2, ConnectorStandard.GBT_AC),
            (4, 1, ConnectorStandard.GBT_DC),
            (5, 1, ConnectorStandard.GBT_DC),
            (6, 2, ConnectorStandard.GBT_AC),
        ],
    )
    def test_connector_types_map_to_gbt_standards(
        self, connector_type, equipment_type, standard
    ):
        body = recorded_stations()[0].to_wire()
        body["EquipmentInfos"] = [
            {
                "EquipmentID": "E",
                "EquipmentType": equipment_type,
                "ConnectorInfos": [
                    {"ConnectorID": "C", "ConnectorType": connector_type, "Power": 7}
                ],
            }
        ]
        info = StationInfo.model_validate(body)
        station = station_from_station_info(
            info, OPERATOR, TARIFF, SEEN_AT, datum=WGS84
        )
        assert station.piles[0].connectors[0].standard is standard

    def test_a_gcj02_partners_station_is_stored_in_wgs84(self):
        info = recorded_stations()[0]
        station = station_from_station_info(
            info, OPERATOR, TARIFF, SEEN_AT, datum=Datum.GCJ02
        )
        published = (float(info.StationLat), float(info.StationLng))
        assert (station.lat, station.lon) == to_wgs84(*published, Datum.GCJ02)
        assert 300 < distance_m(station.lat, station.lon, *published) < 700

    def test_coordinates_off_the_globe_are_a_parameter_error(self):
        info = recorded_stations()[0].model_copy(update={"StationLat": Decimal(91)})
        with pytest.raises(ParameterError):
            station_from_station_info(info, OPERATOR, TARIFF, SEEN_AT, datum=WGS84)


class TestStatus:
    @pytest.mark.parametrize(
        ("code", "status"),
        [
            (0, PileStatus.OFFLINE),
            (1, PileStatus.AVAILABLE),
            (2, PileStatus.OCCUPIED),
            (3, PileStatus.CHARGING),
            (4, PileStatus.RESERVED),
            (255, PileStatus.FAULTED),
        ],
    )
    def test_the_standards_codes_map_both_ways(self, code, status):
        assert pile_status_from_code(code) is status
        assert code_from_pile_status(status) == code

    def test_an_undefined_code_is_unknown_and_unknown_goes_out_as_offline(self):
        assert pile_status_from_code(7) is PileStatus.UNKNOWN
        assert code_from_pile_status(PileStatus.UNKNOWN) == 0

    def test_recorded_station_status_gives_pile_and_swap_reports(self):
        reply = QueryStationStatusResponse.model_validate(
            fixture("query_station_status.json")
        )
        piles, swaps = reports_from_station_status(
            OPERATOR, reply.StationStatusInfos[0], SEEN_AT
        )
        assert [(r.pile_id, r.status) for r in piles] == [
            ("swapway-SH0001-E000101", PileStatus.CHARGING),
            ("swapway-SH0001-E000102", PileStatus.AVAILABLE),
            ("swapway-SH0001-E000201", PileStatus.FAULTED),
        ]
        assert swaps == ()
        _, swaps = reports_from_station_status(
            OPERATOR, reply.StationStatusInfos[1], SEEN_AT
        )
        assert [(s.batteries_in_stock, s.queue_length) for s in swaps] == [(7, 1)]

    def test_a_swap_bays_status_carries_the_stock(self):
        pile = Pile(
            pile_id_for("swapway-SW1", "SW1"),
            "SW1",
            (Connector(ConnectorStandard.SWAP, 0.0, PowerType.DC),),
            PileStatus.AVAILABLE,
        )
        info = connector_status_info_from_pile(pile, SwapBay(5, 0))
        assert info.Status == 1
        assert info.SwapInfo is not None
        assert info.SwapInfo.BatteryStock == 5


class TestParkFee:
    @pytest.mark.parametrize(
        ("text", "rule"),
        [
            ("免费停车", ParkingRule(0, Money.zero())),
            ("免费停车30分钟,超时5.00元/小时", ParkingRule(30, Money.of(5))),
            ("停车2小时内免费\uff0c超出按3元/小时收取", ParkingRule(120, Money.of(3))),
            ("10元/h,每日封顶50元", ParkingRule(0, Money.of(10), Money.of(50))),
        ],
    )
    def test_common_texts_are_understood(self, text, rule):
        parsed = parse_park_fee(text)
        assert parsed.is_understood
        assert parsed.rule == rule

    def test_unreadable_text_is_kept_with_a_free_rule(self):
        parsed = parse_park_fee("按商场停车场规定收费")
        assert not parsed.is_understood
        assert parsed.text == "按商场停车场规定收费"
        assert parsed.rule.is_free

    @given(
        st.integers(0, 24 * 60),
        st.decimals(0, 100, places=2),
        st.none() | st.decimals(0, 500, places=2),
    )
    def test_what_we_write_reads_back_the_same(self, minutes, fee, cap):
        rule = ParkingRule(minutes, Money(fee), None if cap is None else Money(cap))
        parsed = parse_park_fee(format_park_fee(rule))
        assert parsed.is_understood
        assert parsed.rule == rule
        assert parsed.idle is None


idle_fees = st.builds(
    IdleFee,
    grace_minutes=st.integers(0, 24 * 60),
    per_minute=st.decimals("0.0001", 100, places=4),
    cap=st.none() | st.decimals("0.01", 500, places=2),
)
FIVE_AN_HOUR_CAPPED = ParkingRule(0, Money.of(5), Money.of(20))


class TestParkFeeWithIdleFee:
    @pytest.mark.parametrize(
        ("rule", "idle", "text"),
        [
            (
                ParkingRule(0, Money.zero()),
                IdleFee(15, Decimal("0.5"), Decimal(30)),
                "免费停车,充电结束15分钟后占位费0.50元/分钟,单次封顶30.00元",
            ),
            (
                ParkingRule(30, Money.of(5), Money.of(20)),
                IdleFee(0, Decimal("0.0125")),
                "免费停车30分钟,超时5.00元/小时,每日封顶20.00元,"
                "充电结束后占位费0.0125元/分钟",
            ),
        ],
    )
    def test_we_write_the_idle_fee_after_the_parking_parts(self, rule, idle, text):
        assert format_park_fee(rule, idle) == text

    @pytest.mark.parametrize(
        ("text", "rule", "idle"),
        [
            # only parking: the parking cap stays the parking cap
            ("5元/小时,封顶20元", FIVE_AN_HOUR_CAPPED, None),
            # only an idle fee: parking is free, the cap is the idle fee's
            (
                "占位费0.5元/分钟,封顶30元",
                None,
                IdleFee(0, Decimal("0.5"), Decimal(30)),
            ),
            ("超时占位费1元/分钟", None, IdleFee(0, Decimal(1))),
            ("充电完成1小时后占位费\uff1a1元/分", None, IdleFee(60, Decimal(1))),
            # both, parking first, each with its own cap
            (
                "5元/小时,每日封顶20元,充电结束10分钟后占位费0.5元/分钟,单次封顶30元",
                FIVE_AN_HOUR_CAPPED,
                IdleFee(10, Decimal("0.5"), Decimal(30)),
            ),
            # both, idle fee first, each with its own cap
            (
                "充电结束后占位费0.5元/分钟\uff0c每次封顶30元\uff0c5元/小时\uff0c封顶20元",
                FIVE_AN_HOUR_CAPPED,
                IdleFee(0, Decimal("0.5"), Decimal(30)),
            ),
            # both, a parking cap after the idle fee (每日: the parking's)
            (
                "5元/小时,占位费0.5元/分钟,每日封顶20元",
                FIVE_AN_HOUR_CAPPED,
                IdleFee(0, Decimal("0.5")),
            ),
            # both, no caps, idle fee first
            (
                "占位费0.5元/分钟,免费停车30分钟,超时5元/小时",
                ParkingRule(30, Money.of(5)),
                IdleFee(0, Decimal("0.5")),
            ),
        ],
    )
    def test_parking_and_idle_fee_are_read_apart_in_any_order(self, text, rule, idle):
        parsed = parse_park_fee(text)
        assert parsed.is_understood
        assert parsed.rule == (rule or ParkingRule(0, Money.zero()))
        assert parsed.idle == idle
        assert parsed.text == text

    @pytest.mark.parametrize("per_minute", ["0", "9" * 40])
    def test_an_idle_price_we_cannot_hold_is_no_idle_fee(self, per_minute):
        parsed = parse_park_fee(f"免费停车,占位费{per_minute}元/分钟")
        assert parsed.idle is None
        assert parsed.rule.is_free

    @pytest.mark.parametrize(
        "text", ["9" * 40 + "元/小时", "5.00元/小时,每日封顶" + "9" * 40 + "元"]
    )
    def test_a_parking_amount_too_long_to_hold_is_not_understood(self, text):
        # One partner's absurd text must not stop the pull of its network.
        parsed = parse_park_fee(text)
        assert not parsed.is_understood
        assert parsed.rule.is_free
        assert parsed.text == text

    @given(
        st.integers(0, 24 * 60),
        st.decimals(0, 100, places=2),
        st.none() | st.decimals(0, 500, places=2),
        idle_fees,
    )
    def test_what_we_write_reads_back_the_same(self, minutes, fee, cap, idle):
        rule = ParkingRule(minutes, Money(fee), None if cap is None else Money(cap))
        parsed = parse_park_fee(format_park_fee(rule, idle))
        assert parsed.is_understood
        assert parsed.rule == rule
        assert parsed.idle == idle


text = st.text(st.characters(codec="utf-8"), max_size=30)
uids = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=12)
power = st.floats(0, 600, allow_nan=False)
plugs = st.sampled_from(
    [(ConnectorStandard.GBT_AC, PowerType.AC), (ConnectorStandard.GBT_DC, PowerType.DC)]
)
parking = st.builds(
    ParkingRule,
    st.integers(0, 600),
    st.decimals(0, 50, places=2).map(Money),
    st.none() | st.decimals(0, 200, places=2).map(Money),
)


@st.composite
def stations(draw: st.DrawFn) -> Station:
    external_id = draw(uids)
    station_id = station_id_for(OPERATOR, external_id)
    is_swap = draw(st.booleans())
    pile_uids = draw(st.lists(uids, min_size=is_swap, max_size=4, unique=True))

    def pile(uid: str, swap_bay: bool) -> Pile:
        standard, power_type = (
            (ConnectorStandard.SWAP, PowerType.DC) if swap_bay else draw(plugs)
        )
        connector = Connector(standard, draw(power), power_type)
        return Pile(pile_id_for(station_id, uid), uid, (connector,))

    piles = tuple(pile(uid, is_swap and i == 0) for i, uid in enumerate(pile_uids))
    swap = (
        SwapBay(draw(st.integers(0, 40)), draw(st.integers(0, 20))) if is_swap else None
    )
    return Station(
        id=station_id,
        operator_id=OPERATOR,
        external_id=external_id,
        name=draw(text),
        address=draw(text),
        city=draw(text),
        lat=draw(st.floats(-90, 90, allow_nan=False)),
        lon=draw(st.floats(-180, 180, allow_nan=False)),
        tariff_id=TARIFF,
        parking=draw(parking),
        piles=piles,
        swap=swap,
        updated_at=draw(st.datetimes(timezones=st.just(UTC))),
    )


WGS84 = Datum.WGS84


class TestStationRoundTrip:
    @given(stations())
    def test_sent_in_gcj02_and_read_back_a_station_moves_less_than_a_metre(
        self, station
    ):
        sent = station_info_from_station(station, "MA01H3BQ2", datum=Datum.GCJ02)
        received = StationInfo.model_validate(over_the_wire(sent))
        assert station.updated_at is not None
        back = station_from_station_info(
            received, OPERATOR, TARIFF, station.updated_at, datum=Datum.GCJ02
        )
        assert distance_m(back.lat, back.lon, station.lat, station.lon) < 1.0

    @given(stations())
    def test_a_station_survives_domain_to_wire_to_domain(self, station):
        sent = station_info_from_station(station, "MA01H3BQ2", datum=WGS84)
        received = StationInfo.model_validate(over_the_wire(sent))
        assert station.updated_at is not None
        back = station_from_station_info(
            received, OPERATOR, TARIFF, station.updated_at, datum=WGS84
        )
        assert back == station

    @given(stations(), st.none() | idle_fees)
    def test_the_tariffs_idle_fee_travels_in_park_fee(self, station, idle):
        flat = PeriodPrice(PeriodKind.FLAT, Decimal(1), Decimal(0))
        tariff = Tariff(TARIFF, (flat,), (), idle=idle)
        sent = station_info_from_station(station, "MA01H3BQ2", tariff, datum=WGS84)
        received = StationInfo.model_validate(over_the_wire(sent))
        assert parse_park_fee(received.ParkFee).idle == idle
        assert station.updated_at is not None
        back = station_from_station_info(
            received, OPERATOR, TARIFF, station.updated_at, datum=WGS84
        )
        assert back.parking == station.parking


def tariff_of(policies: list[dict[str, object]]) -> Tariff:
    reply = QueryEquipBusinessPolicyResponse.model_validate(
        {"EquipBizSeq": "X", "ConnectorID": "C", "SuccStat": 0, "PolicyInfos": policies}
    )
    return tariff_from_policy_infos(TARIFF, reply.PolicyInfos)


def at(hour: int, minute: int = 0) -> datetime:
    """A moment in Beijing local time expressed in UTC."""
    return datetime(2024, 5, 1, hour, minute, tzinfo=UTC) - timedelta(hours=8)


class TestTariffFromPolicies:
    def test_the_recorded_policy_reads_as_peak_flat_and_valley(self):
        body = fixture("business_policy_sevice.json")
        reply = QueryEquipBusinessPolicyResponse.model_validate(body)
        tariff = tariff_from_policy_infos(TARIFF, reply.PolicyInfos)
        peak = tariff.price_at(at(9), "Asia/Shanghai")
        assert (peak.kind, peak.electricity_per_kwh, peak.service_per_kwh) == (
            PeriodKind.PEAK,
            Decimal("1.0640"),
            Decimal("0.8000"),
        )
        assert tariff.price_at(at(12), "Asia/Shanghai").kind is PeriodKind.FLAT
        assert tariff.price_at(at(3), "Asia/Shanghai").kind is PeriodKind.VALLEY
        assert tariff.price_at(at(23, 59), "Asia/Shanghai").kind is PeriodKind.PEAK

    def test_sevice_and_service_profiles_read_the_same_tariff(self):
        standard = QueryEquipBusinessPolicyResponse.model_validate(
            profiles.read(
                fixture("business_policy_sevice.json"), SpellingProfile.STANDARD
            )
        )
        variant = QueryEquipBusinessPolicyResponse.model_validate(
            profiles.read(
                fixture("business_policy_service.json"), SpellingProfile.SERVICE
            )
        )
        assert standard.PolicyInfos == variant.PolicyInfos

    def test_we_send_the_spelling_the_partner_asked_for(self):
        info = PolicyInfo(
            StartTime="000000", ElecPrice=Decimal(1), SevicePrice=Decimal(2)
        )
        assert "SevicePrice" in over_the_wire(info)
        assert "ServicePrice" in over_the_wire(info, SpellingProfile.SERVICE)
        assert "SevicePrice" not in over_the_wire(info, SpellingProfile.SERVICE)

    def test_four_distinct_prices_make_a_sharp_peak(self):
        tariff = tariff_of(
            [
                {"StartTime": "000000", "ElecPrice": 0.3, "SevicePrice": 0.4},
                {"StartTime": "080000", "ElecPrice": 0.7, "SevicePrice": 0.4},
                {"StartTime": "100000", "ElecPrice": 1.0, "SevicePrice": 0.4},
                {"StartTime": "110000", "ElecPrice": 1.4, "SevicePrice": 0.4},
            ]
        )
        assert tariff.price_at(at(10, 30), "Asia/Shanghai").kind is PeriodKind.PEAK
        assert tariff.price_at(at(11, 30), "Asia/Shanghai").kind is PeriodKind.SHARP

    def test_one_price_all_day_is_flat(self):
        tariff = tariff_of([{"StartTime": "000000", "ElecPrice": 1, "SevicePrice": 0}])
        assert tariff.price_at(at(17), "Asia/Shanghai").kind is PeriodKind.FLAT

    def test_more_than_four_prices_cannot_be_held(self):
        policies = [
            {"StartTime": f"{h:02d}0000", "ElecPrice": h, "SevicePrice": 0}
            for h in range(5)
        ]
        with pytest.raises(UnsupportedTariffError):
            tariff_of(policies)

    def test_repeated_start_times_and_empty_lists_are_parameter_errors(self):
        with pytest.raises(ParameterError):
            tariff_of([])
        twice = {"StartTime": "000000", "ElecPrice": 1, "SevicePrice": 0}
        with pytest.raises(ParameterError):
            tariff_of([twice, twice])


kinds = st.sampled_from(list(PeriodKind))
prices = st.decimals(0, 5, places=4)
quarter_hours = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


@st.composite
def tariffs(draw: st.DrawFn) -> Tariff:
    used = draw(st.lists(kinds, min_size=1, max_size=4, unique=True))
    period_prices = tuple(PeriodPrice(k, draw(prices), draw(prices)) for k in used)
    windows = draw(
        st.lists(
            st.builds(
                TouWindow,
                quarter_hours,
                quarter_hours,
                st.sampled_from(used),
                st.frozensets(st.integers(1, 12), max_size=3),
            ),
            max_size=5,
        )
    )
    return Tariff(TARIFF, period_prices, tuple(windows), draw(st.sampled_from(used)))


def price_pair(tariff: Tariff, local: datetime) -> tuple[Decimal, Decimal]:
    price = tariff.price_for(tariff.kind_at(local))
    return price.electricity_per_kwh, price.service_per_kwh


class TestTariffRoundTrip:
    @settings(max_examples=60)
    @given(tariffs(), st.dates(date(2024, 1, 1), date(2025, 12, 31)))
    def test_a_tariff_prices_every_moment_of_the_day_the_same_after_the_wire(
        self, tariff, day
    ):
        infos = policy_infos_from_tariff(tariff, day)
        reply = QueryEquipBusinessPolicyResponse(
            EquipBizSeq="X", ConnectorID="C", SuccStat=0, PolicyInfos=infos
        )
        received = QueryEquipBusinessPolicyResponse.model_validate(over_the_wire(reply))
        back = tariff_from_policy_infos(TARIFF, received.PolicyInfos)
        for minute in range(0, 24 * 60, 5):
            local = datetime.combine(day, time(minute // 60, minute % 60))
            assert price_pair(back, local) == price_pair(tariff, local)

    @given(tariffs(), st.dates(date(2024, 1, 1), date(2025, 12, 31)))
    def test_policies_start_at_midnight_and_change_price_at_every_slot(
        self, tariff, day
    ):
        infos = policy_infos_from_tariff(tariff, day)
        assert infos[0].StartTime == "000000"
        pairs = [(i.ElecPrice, i.SevicePrice) for i in infos]
        assert all(a != b for a, b in itertools.pairwise(pairs))
