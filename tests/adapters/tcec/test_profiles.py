"""Spelling profiles rename exactly the four fields the standard misspells."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.protocols.tcec_102.charging_models import (
    ChargeDetail,
    EquipChargeStatus,
    NotificationChargeOrderInfoRequest,
)
from evroam.protocols.tcec_102.errors import PayloadError
from evroam.protocols.tcec_102.models import PolicyInfo, StationInfo
from evroam.protocols.tcec_102.profiles import (
    MISSPELT_IN_STANDARD,
    SpellingProfile,
    read,
    renames,
    write,
)
from tests.adapters.tcec.wire import over_the_wire

ORDER = NotificationChargeOrderInfoRequest(
    StartChargeSeq="MA0EVROAM" + "A" * 18,
    ConnectorID="S1E01",
    StartTime="2024-11-01 16:45:00",
    EndTime="2024-11-01 17:15:00",
    TotalPower=Decimal(60),
    TotalElecMoney=Decimal("40.64"),
    TotalSeviceMoney=Decimal(30),
    TotalMoney=Decimal("70.64"),
    StopReason=1,
    ChargeDetails=[
        ChargeDetail(
            DetailStartTime="2024-11-01 16:45:00",
            DetailEndTime="2024-11-01 17:15:00",
            ElecPrice=Decimal("0.6773"),
            SevicePrice=Decimal("0.5"),
            DetailPower=Decimal(60),
            DetailElecMoney=Decimal("40.64"),
            DetailSeviceMoney=Decimal(30),
        )
    ],
)
STATION = StationInfo(
    StationID="S1",
    StationName="站",
    StationLng=Decimal("116.4"),
    StationLat=Decimal("39.9"),
    ServiceFee="0.8元/度",
    ServiceTel="400-800-8888",
)


def keys(body: object) -> set[str]:
    if isinstance(body, dict):
        return set(body) | {k for v in body.values() for k in keys(v)}
    if isinstance(body, list):
        return {k for item in body for k in keys(item)}
    return set()


class TestProfilesListTheirFields:
    def test_the_standard_misspells_exactly_four_fields(self):
        assert MISSPELT_IN_STANDARD == (
            "SevicePrice",
            "SeviceMoney",
            "DetailSeviceMoney",
            "TotalSeviceMoney",
        )

    def test_the_standard_profile_renames_nothing(self):
        assert renames(SpellingProfile.STANDARD) == {}
        assert over_the_wire(ORDER) == over_the_wire(ORDER, SpellingProfile.STANDARD)
        assert {"TotalSeviceMoney", "DetailSeviceMoney", "SevicePrice"} <= keys(
            over_the_wire(ORDER)
        )

    def test_the_service_profile_renames_exactly_the_four(self):
        assert renames(SpellingProfile.SERVICE) == {
            "SevicePrice": "ServicePrice",
            "SeviceMoney": "ServiceMoney",
            "DetailSeviceMoney": "DetailServiceMoney",
            "TotalSeviceMoney": "TotalServiceMoney",
        }
        sent = keys(over_the_wire(ORDER, SpellingProfile.SERVICE))
        assert {"TotalServiceMoney", "DetailServiceMoney", "ServicePrice"} <= sent
        assert not any("Sevice" in key for key in sent)

    @pytest.mark.parametrize("profile", list(SpellingProfile))
    def test_service_fee_and_service_tel_are_never_respelt(self, profile):
        sent = over_the_wire(STATION, profile)
        assert sent["ServiceFee"] == "0.8元/度"
        assert sent["ServiceTel"] == "400-800-8888"
        assert not any(key.startswith("Sevice") for key in sent)

    def test_the_status_snapshot_money_field_follows_the_profile(self):
        status = EquipChargeStatus(
            StartChargeSeq="S",
            StartChargeSeqStat=2,
            ConnectorID="C",
            ConnectorStatus=3,
            StartTime="2024-11-01 16:45:00",
            EndTime="2024-11-01 16:50:00",
            TotalPower=Decimal(1),
            SeviceMoney=Decimal("0.5"),
        )
        assert "ServiceMoney" in over_the_wire(status, SpellingProfile.SERVICE)
        assert "SeviceMoney" in over_the_wire(status, SpellingProfile.STANDARD)


class TestReading:
    @pytest.mark.parametrize("profile", list(SpellingProfile))
    def test_what_a_profile_writes_it_reads_back_in_the_standards_names(self, profile):
        body = read(over_the_wire(ORDER, profile), profile)
        assert NotificationChargeOrderInfoRequest.model_validate(body) == ORDER

    def test_a_body_in_the_other_profiles_spelling_is_refused_naming_both(self):
        sent = over_the_wire(ORDER, SpellingProfile.SERVICE)
        with pytest.raises(PayloadError, match="TotalServiceMoney") as caught:
            read(sent, SpellingProfile.STANDARD)
        assert caught.value.ret == 4004
        assert "TotalSeviceMoney" in caught.value.msg

    def test_a_service_profile_partner_sending_sevice_is_refused(self):
        policy = PolicyInfo(
            StartTime="000000", ElecPrice=Decimal(1), SevicePrice=Decimal(2)
        )
        with pytest.raises(PayloadError, match="SevicePrice"):
            read({"PolicyInfos": [over_the_wire(policy)]}, SpellingProfile.SERVICE)

    @pytest.mark.parametrize(
        ("value", "profile"),
        [
            ("standard", SpellingProfile.STANDARD),
            ("service", SpellingProfile.SERVICE),
            ("Sevice", SpellingProfile.STANDARD),  # the setting before profiles
            ("Service", SpellingProfile.SERVICE),
        ],
    )
    def test_a_profile_is_named_by_value_or_by_the_older_setting(self, value, profile):
        assert SpellingProfile.parse(value) is profile

    def test_an_unknown_profile_name_is_refused(self):
        with pytest.raises(ValueError, match="sevice-ish"):
            SpellingProfile.parse("sevice-ish")

    @given(
        st.recursive(
            st.none() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["ServiceFee", "ServiceTel", "Seq", "X"]),
                    inner,
                    max_size=3,
                )
            ),
            max_leaves=10,
        )
    )
    def test_bodies_without_listed_fields_pass_unchanged_both_ways(self, body):
        for profile in SpellingProfile:
            assert write(body, profile) == body
            assert read(body, profile) == body
