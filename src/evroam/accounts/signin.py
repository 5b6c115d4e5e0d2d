"""Sign up and sign in with a password; browser sessions for the web app.

API clients keep bearer tokens (``AccountService``); the web app signs in with
an email or phone number and a password and holds a session token in an
HttpOnly cookie (ADR 0036). Both name the same account.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from evroam.accounts.errors import (
    AccountNotFoundError,
    LoginTakenError,
    SignInFailedError,
)
from evroam.accounts.model import Account, SignedIn
from evroam.accounts.password import PasswordHasher, verify_password
from evroam.accounts.ports import SignInStore
from evroam.accounts.service import AccountService, token_hash
from evroam.shared.clock import Clock
from evroam.shared.errors import InvalidInputError

MIN_PASSWORD = 8  # NIST SP 800-63B §5.1.1.2: length, no composition rules
MAX_PASSWORD = 200
SESSION_DAYS = 30
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9]{6,15}")


def normalise_login(text: str) -> str:
    """An email (lower case) or a phone number (digits, leading +) as stored."""
    login = text.strip().lower()
    if "@" in login:
        if len(login) <= 254 and _EMAIL.fullmatch(login):
            return login
        raise InvalidInputError("login", "is not an email address")
    phone = re.sub(r"[\s().-]", "", login)
    if _PHONE.fullmatch(phone):
        return phone
    raise InvalidInputError("login", "must be an email address or a phone number")


def _check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInputError(
            "password", f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"
        )


class SignInService:
    def __init__(
        self,
        accounts: AccountService,
        store: SignInStore,
        clock: Clock,
        hasher: PasswordHasher | None = None,
        session_lifetime: timedelta = timedelta(days=SESSION_DAYS),
    ) -> None:
        self._accounts = accounts
        self._store = store
        self._clock = clock
        self._hasher = hasher or PasswordHasher()
        self._lifetime = session_lifetime

    def sign_up(self, name: str, login: str, password: str) -> SignedIn:
        """Open an account that signs in with ``login`` and ``password``."""
        login = normalise_login(login)
        _check_password(password)
        if self._store.find_login(login) is not None:
            raise LoginTakenError()
        # Hash before the account exists: a slow hash never leaves an account
        # without its login. Two racing sign-ups: the loser's account keeps no
        # login, no money and no way in (LoginTakenError).
        hashed = self._hasher.hash(password)
        account = self._accounts.open_account(name).account
        self._store.add_login(account.id, login, hashed, self._clock.now())
        return self._open_session(account)

    def sign_in(self, login: str, password: str) -> SignedIn:
        try:
            found = self._store.find_login(normalise_login(login))
        except InvalidInputError:
            found = None
        if found is None:
            verify_password(password, self._hasher.decoy())
            raise SignInFailedError("wrong login or password")
        account_id, hashed = found
        if not verify_password(password, hashed):
            raise SignInFailedError("wrong login or password")
        try:
            account = self._accounts.get_account(account_id)
        except AccountNotFoundError as exc:  # erased meanwhile
            raise SignInFailedError("wrong login or password") from exc
        return self._open_session(account)

    def authenticate(self, session_token: str | None) -> Account:
        """The account of a live browser session (else ``AuthenticationError``)."""
        if not session_token:
            raise SignInFailedError("sign in first")
        account_id = self._store.find_web_session(
            token_hash(session_token), self._clock.now()
        )
        if account_id is None:
            raise SignInFailedError("your session ended; sign in again")
        try:
            return self._accounts.get_account(account_id)
        except AccountNotFoundError as exc:
            raise SignInFailedError("your session ended; sign in again") from exc

    def sign_out(self, session_token: str | None) -> None:
        """End this browser session (nothing to do without one)."""
        if session_token:
            self._store.delete_web_session(token_hash(session_token))

    def _open_session(self, account: Account) -> SignedIn:
        token = f"evs_{secrets.token_urlsafe(32)}"
        now = self._clock.now()
        expires = now + self._lifetime
        self._store.add_web_session(token_hash(token), account.id, now, expires)
        return SignedIn(account, token, now, expires)
