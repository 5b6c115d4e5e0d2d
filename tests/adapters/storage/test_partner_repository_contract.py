"""One contract for partner records, feed health and leases: fakes, SQLite, Postgres."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from evroam.shared.ids import OperatorId
from evroam.storage.lease import SqlLeaseStore
from evroam.storage.partner_repository import SqlPartnerRepository
from evroam.storage.partner_secrets import CredentialSeal
from tests.adapters.conftest import engine_for
from tests.builders import EPOCH
from tests.fakes import InMemoryLeaseStore, InMemoryPartnerRepository
from tests.hub_keys import DATA_KEY
from tests.unit.partners.test_partners_service import a_partner


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param(
            "postgres", marks=[pytest.mark.postgres, pytest.mark.xdist_group("pg")]
        ),
    ]
)
def records(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[object, object]]:
    if request.param == "memory":
        yield InMemoryPartnerRepository(), InMemoryLeaseStore()
        return
    for engine in engine_for(request, tmp_path):
        seal = CredentialSeal(DATA_KEY)
        yield SqlPartnerRepository(engine, seal), SqlLeaseStore(engine)


class TestPartnerRecords:
    def test_a_saved_partner_comes_back_with_its_credentials(self, records):
        repo, _ = records
        partner = a_partner(
            credentials={"token_a": "A", "token_c": "C"}, added_at=EPOCH
        )
        repo.save(partner)
        assert repo.find(OperatorId("rapidgrid")) == partner
        assert repo.list() == [partner]

    def test_saving_again_replaces_but_keeps_feed_counters(self, records):
        repo, _ = records
        repo.save(a_partner())
        repo.record_push(OperatorId("rapidgrid"), 5, 2, EPOCH, EPOCH)
        repo.save(a_partner(url="http://elsewhere/ocpi/versions"))
        assert (
            repo.find(OperatorId("rapidgrid")).url == "http://elsewhere/ocpi/versions"
        )
        assert repo.health(OperatorId("rapidgrid")).pushes_total == 5

    def test_removing_forgets_partner_and_feed(self, records):
        repo, _ = records
        repo.save(a_partner())
        repo.remove(OperatorId("rapidgrid"))
        assert repo.find(OperatorId("rapidgrid")) is None
        assert repo.list() == []

    def test_feed_health_counts_pushes_changes_errors_and_keeps_the_newest_time(
        self, records
    ):
        repo, _ = records
        pid = OperatorId("rapidgrid")
        repo.save(a_partner())
        later = EPOCH + timedelta(minutes=1)
        repo.record_push(pid, 3, 1, later, later)
        repo.record_push(pid, 2, 2, EPOCH, later)  # older observation: newest stays
        repo.record_error(pid, "boom", later)
        repo.set_reachable(pid, False)
        repo.record_sync(pid, 42, later)
        feed = repo.health(pid)
        assert (feed.pushes_total, feed.changes_total, feed.errors_total) == (5, 3, 1)
        assert feed.newest_observed_at == later
        assert feed.last_error == "boom"
        assert not feed.is_reachable
        assert (feed.last_sync_stations, feed.last_sync_at) == (42, later)


class TestLeases:
    def test_one_holder_at_a_time_until_the_lease_runs_out(self, records):
        _, leases = records
        assert leases.try_acquire("watch", "a", 10, EPOCH)
        assert not leases.try_acquire("watch", "b", 10, EPOCH + timedelta(seconds=5))
        assert leases.try_acquire("watch", "a", 10, EPOCH + timedelta(seconds=5))
        assert leases.try_acquire("watch", "b", 10, EPOCH + timedelta(seconds=16))

    def test_a_released_lease_is_free_at_once(self, records):
        _, leases = records
        assert leases.try_acquire("watch", "a", 10, EPOCH)
        leases.release("watch", "a")
        assert leases.try_acquire("watch", "b", 10, EPOCH)
