"""Logins and browser sessions on both engines: one login per account, sessions
end at their time and when signed out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evroam.accounts.errors import LoginTakenError
from evroam.accounts.model import Account
from evroam.shared.ids import AccountId
from evroam.storage.account_repository import SqlAccountRepository
from evroam.storage.signin_repository import SqlSignInStore
from tests.adapters.conftest import engine_for
from tests.adapters.storage.conftest import SQL_ENGINES

AT = datetime(2026, 11, 26, 4, tzinfo=UTC)
LI, WANG = AccountId("acc_li"), AccountId("acc_wang")


@pytest.fixture(params=SQL_ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlSignInStore]:
    for engine in engine_for(request, tmp_path):
        accounts = SqlAccountRepository(engine)
        for account_id in (LI, WANG):
            accounts.add(Account(account_id, account_id, AT), f"hash-{account_id}")
        yield SqlSignInStore(engine)


class TestLogins:
    def test_a_login_finds_its_account_and_hash(self, store):
        store.add_login(LI, "li@example.cn", "scrypt$…", AT)
        assert store.find_login("li@example.cn") == (LI, "scrypt$…")
        assert store.find_login("wang@example.cn") is None

    def test_a_login_belongs_to_one_account(self, store):
        store.add_login(LI, "li@example.cn", "h1", AT)
        with pytest.raises(LoginTakenError):
            store.add_login(WANG, "li@example.cn", "h2", AT)
        assert store.find_login("li@example.cn") == (LI, "h1")

    def test_an_account_has_one_login(self, store):
        store.add_login(LI, "li@example.cn", "h1", AT)
        with pytest.raises(LoginTakenError):
            store.add_login(LI, "13800138000", "h2", AT)


class TestWebSessions:
    def test_a_session_names_its_account_until_it_expires(self, store):
        store.add_web_session("t1", LI, AT, AT + timedelta(days=30))
        assert store.find_web_session("t1", AT + timedelta(days=29)) == LI
        assert store.find_web_session("t1", AT + timedelta(days=30)) is None
        assert store.find_web_session("t2", AT) is None

    def test_a_deleted_session_is_gone(self, store):
        store.add_web_session("t1", LI, AT, AT + timedelta(days=30))
        store.add_web_session("t2", LI, AT, AT + timedelta(days=30))
        store.delete_web_session("t1")
        assert store.find_web_session("t1", AT) is None
        assert store.find_web_session("t2", AT) == LI

    def test_opening_a_session_drops_the_accounts_ended_ones(self, store):
        store.add_web_session("old", LI, AT, AT + timedelta(days=1))
        later = AT + timedelta(days=2)
        store.add_web_session("new", LI, later, later + timedelta(days=30))
        assert store.find_web_session("old", AT) is None
        assert store.find_web_session("new", later) == LI
