"""Pushes find their partner without reading the partners table each time."""

from __future__ import annotations

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.gateways.ocpi.hub import TOKEN_B, PartnerTokenStore
from evroam.gateways.partner_index import PartnerIndex
from evroam.gateways.tcec.hub import OPERATOR_ID, PartnerPeers
from evroam.partners.model import Partner
from evroam.protocols.ocpi_2_2_1.tokens import Peer
from evroam.shared.ids import OperatorId
from tests.fakes import InMemoryPartnerRepository


class CountingPartners(InMemoryPartnerRepository):
    def __init__(self) -> None:
        super().__init__()
        self.lists = 0

    def list(self):
        self.lists += 1
        return super().list()


def tcec(key: str, operator_id: str) -> Partner:
    return Partner(
        OperatorId(key),
        key,
        Protocol.TCEC,
        OperatorProfile.COMMUNITY,
        f"http://{key}.test",
        credentials={OPERATOR_ID: operator_id},
    )


def ocpi(key: str, token_b: str) -> Partner:
    return Partner(
        OperatorId(key),
        key,
        Protocol.OCPI,
        OperatorProfile.FAST,
        f"http://{key}.test/versions",
        credentials={TOKEN_B: token_b},
    )


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_many_pushes_read_the_partners_once_per_ttl():
    records, clock = CountingPartners(), Clock()
    records.save(tcec("neighbourly", "MA0NEIGHB"))
    peers = PartnerPeers(PartnerIndex(records, ttl_s=1.0, clock=clock))
    for _ in range(100):
        assert peers.partner_for("MA0NEIGHB").id == "neighbourly"
    assert records.lists == 1
    clock.now += 1.5
    assert peers.partner_for("MA0NEIGHB") is not None
    assert records.lists == 2


def test_a_partner_added_meanwhile_is_found_at_once():
    records, clock = CountingPartners(), Clock()
    peers = PartnerPeers(PartnerIndex(records, ttl_s=60.0, clock=clock))
    assert peers.partner_for("MA0LATE") is None
    records.save(tcec("late", "MA0LATE"))  # e.g. by another worker
    clock.now += 0.1
    assert peers.partner_for("MA0LATE").id == "late"


def test_an_unknown_operator_cannot_make_every_push_read_the_table():
    records, clock = CountingPartners(), Clock()
    peers = PartnerPeers(PartnerIndex(records, ttl_s=60.0, clock=clock))
    for _ in range(50):
        assert peers.partner_for("MA0NOBODY") is None
    assert records.lists == 1  # one read, then misses wait min_reload_s


def test_a_new_ocpi_token_is_found_and_an_old_one_forgotten_when_saved_here():
    records, clock = CountingPartners(), Clock()
    records.save(ocpi("rapidgrid", "token-b-1"))
    index = PartnerIndex(records, ttl_s=60.0, clock=clock)
    tokens = PartnerTokenStore(records, index)
    assert tokens.find_by_token("token-b-1").key == "rapidgrid"
    tokens.save(Peer("rapidgrid", "token-b-2", is_registered=True))  # a new handshake
    assert tokens.find_by_token("token-b-2").key == "rapidgrid"
    assert tokens.find_by_token("token-b-1") is None
