"""Sign up and sign in with a password; browser sessions end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from evroam.accounts.errors import LoginTakenError, SignInFailedError
from evroam.accounts.password import PasswordHasher, verify_password
from evroam.accounts.service import AccountService
from evroam.accounts.signin import SignInService, normalise_login
from evroam.shared.errors import InvalidInputError
from tests.fakes import FixedClock, InMemoryAccountRepository, InMemorySignInStore

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
CHEAP = PasswordHasher(n=2**10, r=8, p=1)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store() -> InMemorySignInStore:
    return InMemorySignInStore()


@pytest.fixture
def service(clock, store) -> SignInService:
    accounts = AccountService(InMemoryAccountRepository(), clock)
    return SignInService(accounts, store, clock, CHEAP)


class TestPasswords:
    def test_a_hash_verifies_its_password_and_no_other(self):
        stored = CHEAP.hash("correct horse")
        assert stored.startswith("scrypt$1024$8$1$")
        assert verify_password("correct horse", stored)
        assert not verify_password("correct horsE", stored)

    def test_the_same_password_hashes_differently_each_time(self):
        assert CHEAP.hash("correct horse") != CHEAP.hash("correct horse")

    @pytest.mark.parametrize(
        "stored", ["", "scrypt$1$2", "bcrypt$1024$8$1$AA$AA", "scrypt$x$8$1$AA$AA"]
    )
    def test_a_malformed_hash_matches_nothing(self, stored):
        assert not verify_password("anything", stored)

    def test_the_decoy_matches_no_password(self):
        assert not verify_password("", CHEAP.decoy())
        assert not verify_password("correct horse", CHEAP.decoy())

    def test_the_default_costs_what_owasp_asks(self):
        hasher = PasswordHasher()
        assert (hasher.n, hasher.r, hasher.p) == (2**14, 8, 5)


class TestLogins:
    @pytest.mark.parametrize(
        ("given", "kept"),
        [
            (" Li.Wei@Example.CN ", "li.wei@example.cn"),
            ("+86 138-0013-8000", "+8613800138000"),
            ("13800138000", "13800138000"),
        ],
    )
    def test_emails_and_phone_numbers_are_kept_one_way(self, given, kept):
        assert normalise_login(given) == kept

    @pytest.mark.parametrize("given", ["", "li wei", "a@b", "12345", "@example.cn"])
    def test_anything_else_is_refused_naming_the_login(self, given):
        with pytest.raises(InvalidInputError) as caught:
            normalise_login(given)
        assert caught.value.field == "login"


class TestSignUp:
    def test_opens_an_account_that_is_signed_in(self, service):
        signed = service.sign_up("Li Wei", "li.wei@example.cn", "correct horse")
        assert signed.account.name == "Li Wei"
        assert signed.expires_at == NOW + timedelta(days=30)
        assert service.authenticate(signed.session_token) == signed.account

    def test_keeps_a_hash_never_the_password(self, service, store):
        service.sign_up("Li Wei", "li.wei@example.cn", "correct horse")
        _, stored = store.logins["li.wei@example.cn"]
        assert "correct horse" not in stored
        assert verify_password("correct horse", stored)

    def test_a_login_another_account_uses_is_refused(self, service):
        service.sign_up("Li Wei", "li.wei@example.cn", "correct horse")
        with pytest.raises(LoginTakenError):
            service.sign_up("Someone", "LI.WEI@example.cn", "another horse")

    @pytest.mark.parametrize("password", ["short", "x" * 201])
    def test_a_password_too_short_or_long_is_refused(self, service, password):
        with pytest.raises(InvalidInputError) as caught:
            service.sign_up("Li Wei", "li.wei@example.cn", password)
        assert caught.value.field == "password"


class TestSignIn:
    def test_the_right_password_opens_a_new_session(self, service):
        first = service.sign_up("Li Wei", "+86 138 0013 8000", "correct horse")
        again = service.sign_in("+8613800138000", "correct horse")
        assert again.account == first.account
        assert again.session_token != first.session_token
        assert service.authenticate(first.session_token) == first.account

    @pytest.mark.parametrize(
        ("login", "password"),
        [
            ("li.wei@example.cn", "wrong horse"),
            ("nobody@example.cn", "correct horse"),
            ("not a login", "correct horse"),
        ],
    )
    def test_a_wrong_password_or_unknown_login_says_the_same(
        self, service, login, password
    ):
        service.sign_up("Li Wei", "li.wei@example.cn", "correct horse")
        with pytest.raises(SignInFailedError, match="wrong login or password"):
            service.sign_in(login, password)


class TestSessions:
    def test_a_session_ends_after_thirty_days(self, service, clock):
        signed = service.sign_up("Li Wei", "li.wei@example.cn", "correct horse")
        clock.set(NOW + timedelta(days=30))
        with pytest.raises(SignInFailedError):
            service.authenticate(signed.session_token)

    def test_signing_out_ends_only_that_session(self, service):
        signed = service.sign_up("Li Wei", "li.wei@example.cn", "correct horse")
        other = service.sign_in("li.wei@example.cn", "correct horse")
        service.sign_out(signed.session_token)
        with pytest.raises(SignInFailedError):
            service.authenticate(signed.session_token)
        assert service.authenticate(other.session_token) == signed.account

    @pytest.mark.parametrize("token", [None, "", "evs_unknown"])
    def test_no_or_an_unknown_session_is_refused(self, service, token):
        with pytest.raises(SignInFailedError):
            service.authenticate(token)
