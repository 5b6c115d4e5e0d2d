"""Partner secrets are sealed at rest: the raw table holds none of them in clear."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.hub_secrets import new_data_key
from evroam.partners.model import Partner
from evroam.shared.ids import OperatorId
from evroam.storage.partner_repository import SqlPartnerRepository
from evroam.storage.partner_secrets import CredentialSeal, PartnerSecretsError
from evroam.storage.tables import partners
from tests.hub_keys import DATA_KEY

TCEC_SECRETS = {
    "operator_id": "MA0SWAPWAY",
    "operator_secret": "op-secret-8c1f4e2a",
    "data_secret": "ds16-aaaabbbbcccc",
    "data_secret_iv": "iv16-ddddeeeeffff",
    "sig_secret": "sig-secret-77d2c901",
    "fee_spelling": "Sevice",
}
SECRET_VALUES = [v for k, v in TCEC_SECRETS.items() if k.endswith(("secret", "iv"))]


def swapway() -> Partner:
    return Partner(
        id=OperatorId("swapway"),
        name="SwapWay",
        protocol=Protocol.TCEC,
        profile=OperatorProfile.SWAP,
        url="http://swapway.test/evcs/v1",
        credentials=TCEC_SECRETS,
    )


def raw_credentials(engine) -> str:
    with engine.connect() as conn:
        stored: str = conn.execute(select(partners.c.credentials)).scalar_one()
    return stored


class TestPartnerSecretsAtRest:
    def test_the_raw_table_holds_no_secret_in_clear(self, engine):
        SqlPartnerRepository(engine, CredentialSeal(DATA_KEY)).save(swapway())
        stored = raw_credentials(engine)
        assert stored.startswith("fernet:")
        for secret in SECRET_VALUES:
            assert secret not in stored

    def test_they_come_back_with_the_same_key(self, engine):
        SqlPartnerRepository(engine, CredentialSeal(DATA_KEY)).save(swapway())
        again = SqlPartnerRepository(engine, CredentialSeal(DATA_KEY))
        assert again.find(OperatorId("swapway")) == swapway()

    def test_another_key_cannot_open_them(self, engine):
        SqlPartnerRepository(engine, CredentialSeal(DATA_KEY)).save(swapway())
        stranger = SqlPartnerRepository(engine, CredentialSeal(new_data_key()))
        with pytest.raises(PartnerSecretsError, match="do not open"):
            stranger.list()

    def test_without_a_data_key_nothing_is_stored(self, engine):
        keyless = SqlPartnerRepository(engine, CredentialSeal(""))
        with pytest.raises(PartnerSecretsError, match="EVROAM_DATA_KEY"):
            keyless.save(swapway())
        assert keyless.list() == []
