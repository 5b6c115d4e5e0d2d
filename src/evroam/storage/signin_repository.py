"""SQL implementation of the accounts context's SignInStore."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from evroam.accounts.errors import LoginTakenError
from evroam.shared.ids import AccountId
from evroam.storage.signin_tables import account_logins, web_sessions


class SqlSignInStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add_login(
        self, account_id: AccountId, login: str, password_hash: str, at: datetime
    ) -> None:
        row = {
            "login": login,
            "account_id": account_id,
            "password_hash": password_hash,
            "created_at": at,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(account_logins), [row])
        except IntegrityError as exc:
            raise LoginTakenError() from exc

    def find_login(self, login: str) -> tuple[AccountId, str] | None:
        query = select(account_logins.c.account_id, account_logins.c.password_hash)
        with self._engine.connect() as conn:
            row = conn.execute(query.where(account_logins.c.login == login)).first()
        return (AccountId(row[0]), str(row[1])) if row else None

    def add_web_session(
        self,
        token_hash: str,
        account_id: AccountId,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        with self._engine.begin() as conn:
            # The account's ended sessions go as it opens a new one: the table
            # holds live sessions and few others.
            conn.execute(
                delete(web_sessions).where(
                    web_sessions.c.account_id == account_id,
                    web_sessions.c.expires_at <= created_at,
                )
            )
            conn.execute(
                insert(web_sessions),
                [
                    {
                        "token_hash": token_hash,
                        "account_id": account_id,
                        "created_at": created_at,
                        "expires_at": expires_at,
                    }
                ],
            )

    def find_web_session(self, token_hash: str, now: datetime) -> AccountId | None:
        query = select(web_sessions.c.account_id).where(
            web_sessions.c.token_hash == token_hash, web_sessions.c.expires_at > now
        )
        with self._engine.connect() as conn:
            found = conn.execute(query).scalar()
        return AccountId(found) if found else None

    def delete_web_session(self, token_hash: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                delete(web_sessions).where(web_sessions.c.token_hash == token_hash)
            )
