"""A T/CEC partner's settings as `partners add` stores them: spelling, datum."""

from __future__ import annotations

import pytest

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.gateways.tcec.hub import check_credentials, datum_of, peer_config_of
from evroam.partners.errors import InvalidPartnerError
from evroam.partners.model import Partner
from evroam.protocols.tcec_102.profiles import SpellingProfile
from evroam.shared.datum import Datum
from evroam.shared.ids import OperatorId

SECRETS = {
    "operator_id": "MA0NEIGHB",
    "operator_secret": "o" * 16,
    "data_secret": "d" * 16,
    "data_secret_iv": "i" * 16,
    "sig_secret": "s" * 16,
}


def a_partner(**settings: str) -> Partner:
    return Partner(
        OperatorId("neighbourly"),
        "Neighbourly",
        Protocol.TCEC,
        OperatorProfile.COMMUNITY,
        "http://cpo.test/evcs/v1",
        {**SECRETS, **settings},
    )


class TestSpellingProfileSetting:
    def test_a_partner_added_without_a_profile_speaks_the_standard(self):
        assert peer_config_of(a_partner()).spelling is SpellingProfile.STANDARD

    def test_the_service_profile_chosen_at_partners_add_is_used(self):
        partner = a_partner(spelling="service")
        assert peer_config_of(partner).spelling is SpellingProfile.SERVICE

    @pytest.mark.parametrize(
        ("legacy", "profile"),
        [("Sevice", SpellingProfile.STANDARD), ("Service", SpellingProfile.SERVICE)],
    )
    def test_a_partner_stored_before_profiles_keeps_its_spelling(self, legacy, profile):
        partner = a_partner(fee_spelling=legacy)
        assert peer_config_of(partner).spelling is profile

    def test_an_unknown_profile_is_refused_at_partners_add(self):
        with pytest.raises(InvalidPartnerError, match="standard or service"):
            check_credentials(a_partner(spelling="sevice").credentials)


class TestDatumSetting:
    def test_a_tcec_partner_publishes_gcj02_unless_told_otherwise(self):
        assert datum_of(a_partner().credentials) is Datum.GCJ02

    @pytest.mark.parametrize("datum", list(Datum))
    def test_the_datum_chosen_at_partners_add_is_used(self, datum):
        assert datum_of(a_partner(datum=datum.value).credentials) is datum

    def test_an_unknown_datum_is_refused_at_partners_add(self):
        with pytest.raises(InvalidPartnerError, match="wgs84, gcj02, bd09"):
            check_credentials(a_partner(datum="cgcs2000").credentials)
