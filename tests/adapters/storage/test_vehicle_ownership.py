"""A VIN belongs to one account, also when two accounts register it at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from evroam.accounts.model import Account, Vehicle
from evroam.shared.ids import AccountId
from evroam.storage.account_repository import SqlAccountRepository
from tests.builders import EPOCH

CAR = Vehicle("LXMSU7A12R0000042", "Xiaomi", "SU7", date(2026, 3, 1))


def accounts(engine, n: int) -> tuple[SqlAccountRepository, list[AccountId]]:
    repo = SqlAccountRepository(engine)
    ids = [AccountId(f"acc_{i:016d}") for i in range(n)]
    for i, account_id in enumerate(ids):
        repo.add(Account(account_id, f"driver {i}", EPOCH), f"hash-{i}")
    return repo, ids


def test_the_holder_keeps_the_vin_and_is_named(engine):
    repo, (owner, other) = accounts(engine, 2)
    assert repo.add_vehicle(owner, CAR) == owner
    assert repo.add_vehicle(other, CAR) == owner
    assert repo.add_vehicle(owner, CAR) == owner  # the owner may register it again
    assert [v.vin for v in repo.vehicles(owner)] == [CAR.vin]
    assert repo.vehicles(other) == []


def test_accounts_racing_for_one_vin_agree_on_one_holder(engine):
    repo, ids = accounts(engine, 8)
    with ThreadPoolExecutor(8) as pool:
        holders = set(pool.map(lambda a: repo.add_vehicle(a, CAR), ids))
    assert len(holders) == 1
    (holder,) = holders
    assert [v.vin for v in repo.vehicles(holder)] == [CAR.vin]
