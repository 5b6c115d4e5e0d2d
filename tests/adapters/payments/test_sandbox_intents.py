"""Sandbox top-ups survive a restart and another worker: intents in the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evroam.bootstrap import Services, build_services
from evroam.config import Settings
from evroam.shared.money import Money
from evroam.storage.database import DatabaseAccess
from evroam.wallet.errors import TopUpNotFoundError
from evroam.wallet.ports import TopUpState
from tests.adapters.conftest import ENGINES, engine_for
from tests.builders import EPOCH
from tests.fakes import FixedClock


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    for engine in engine_for(request, tmp_path):
        yield engine.url.render_as_string(hide_password=False)


def hub(url: str) -> Services:
    """One hub process over ``url`` (a restart is a new one)."""
    settings = Settings(
        database_url=url, payment_provider="sandbox", password_scrypt_p=1
    )
    return build_services(
        settings, clock=FixedClock(EPOCH), access=DatabaseAccess.UPGRADE
    )


class TestAHubRestartBetweenTopUpAndConfirm:
    def test_the_top_up_is_confirmed_after_it_and_credited_once(self, database_url):
        before = hub(database_url)
        try:
            account = before.accounts.open_account("Restarted").account
            top_up = before.wallet.top_up(account.id, Money.of(50), "top-restart-1")
        finally:
            before.close()
        after = hub(database_url)
        try:
            paid = after.confirm_sandbox_top_up(account.id, top_up.intent_id)
            again = after.confirm_sandbox_top_up(account.id, top_up.intent_id)
            assert paid.state is TopUpState.CREDITED
            assert again.transfer_id == paid.transfer_id
            assert after.wallet.balance(account.id).available == Money.of(50)
        finally:
            after.close()

    def test_two_workers_confirm_one_intent_once(self, database_url):
        first, second = hub(database_url), hub(database_url)
        try:
            account = first.accounts.open_account("Two Workers").account
            top_up = first.wallet.top_up(account.id, Money.of(80), "top-workers-1")
            # the same key on the other worker is the same intent
            same = second.wallet.top_up(account.id, Money.of(80), "top-workers-1")
            assert same.intent_id == top_up.intent_id
            second.confirm_sandbox_top_up(account.id, top_up.intent_id)
            first.confirm_sandbox_top_up(account.id, top_up.intent_id)
            assert first.wallet.balance(account.id).available == Money.of(80)
            history = first.wallet.history(account.id).lines
            assert len(history) == 1
        finally:
            first.close()
            second.close()

    def test_an_intent_the_sandbox_never_made_is_not_found(self, database_url):
        services = hub(database_url)
        try:
            account = services.accounts.open_account("Nobody").account
            with pytest.raises(TopUpNotFoundError, match="pi_unknown"):
                services.confirm_sandbox_top_up(account.id, "pi_unknown")
            assert services.wallet.balance(account.id).available == Money.zero()
        finally:
            services.close()
