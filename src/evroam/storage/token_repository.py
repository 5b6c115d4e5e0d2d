"""SQL implementation of the tokens context's TokenStore."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    RowMapping,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from evroam.shared.ids import AccountId
from evroam.storage.codec import aware_utc
from evroam.storage.token_tables import blocked_accounts, driver_tokens
from evroam.tokens.errors import CardTakenError
from evroam.tokens.model import DriverToken, TokenKind, TokenState

_T = driver_tokens.c
# Real-time authorization looks a token up per request: the statements are
# built once (building ``_T.uid == uid`` each call cost more than the query).
_BY_UID = select(driver_tokens).where(_T.uid == bindparam("uid"))
_BY_UID_AND_KIND = _BY_UID.where(_T.kind == bindparam("kind"))


class SqlTokenStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, token: DriverToken) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(driver_tokens).values(**_row(token)))
        except IntegrityError as exc:
            raise CardTakenError(token.uid) from exc

    def find(self, uid: str, kind: TokenKind | None = None) -> DriverToken | None:
        with self._engine.connect() as conn:
            if kind is None:
                found = conn.execute(_BY_UID, {"uid": uid})
            else:
                found = conn.execute(_BY_UID_AND_KIND, {"uid": uid, "kind": kind.value})
            row = found.mappings().first()
        return _token(row) if row else None

    def for_account(self, account_id: AccountId) -> Sequence[DriverToken]:
        query = (
            select(driver_tokens)
            .where(_T.account_id == account_id)
            .order_by(_T.kind, _T.uid)
        )
        with self._engine.connect() as conn:
            return [_token(r) for r in conn.execute(query).mappings()]

    def set_state(self, account_id: AccountId, state: TokenState, at: datetime) -> int:
        values: dict[str, Any] = {"state": state.value, "updated_at": at}
        if state is TokenState.ERASED:
            values["account_id"] = None
        with self._engine.begin() as conn:
            result = conn.execute(
                update(driver_tokens)
                .where(_T.account_id == account_id, _T.state != state.value)
                .values(**values)
            )
        return int(result.rowcount or 0)

    def is_blocked(self, account_id: AccountId) -> bool:
        query = select(blocked_accounts.c.account_id).where(
            blocked_accounts.c.account_id == account_id
        )
        with self._engine.connect() as conn:
            return conn.execute(query).first() is not None

    def set_blocked(self, account_id: AccountId, blocked_at: datetime | None) -> None:
        b = blocked_accounts.c
        with self._engine.begin() as conn:
            conn.execute(delete(blocked_accounts).where(b.account_id == account_id))
            if blocked_at is not None:
                conn.execute(
                    insert(blocked_accounts).values(
                        account_id=account_id, blocked_at=blocked_at
                    )
                )

    def page(
        self,
        updated_from: datetime | None,
        updated_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[DriverToken], int]:
        where: list[ColumnElement[bool]] = []
        if updated_from is not None:
            where.append(_T.updated_at >= updated_from)
        if updated_to is not None:
            where.append(_T.updated_at < updated_to)
        query = (
            select(driver_tokens)
            .where(*where)
            .order_by(_T.updated_at, _T.uid)
            .offset(offset)
            .limit(limit)
        )
        count = select(func.count()).select_from(driver_tokens).where(*where)
        with self._engine.connect() as conn:
            rows = [_token(r) for r in conn.execute(query).mappings()]
            total = int(conn.execute(count).scalar_one())
        return rows, total

    def changed_after(
        self, after: tuple[datetime, str] | None, limit: int
    ) -> Sequence[DriverToken]:
        query = select(driver_tokens).order_by(_T.updated_at, _T.uid).limit(limit)
        if after is not None:
            at, uid = after
            query = query.where(
                or_(_T.updated_at > at, and_(_T.updated_at == at, _T.uid > uid))
            )
        with self._engine.connect() as conn:
            return [_token(r) for r in conn.execute(query).mappings()]


def _row(token: DriverToken) -> dict[str, Any]:
    return {
        "uid": token.uid,
        "kind": token.kind.value,
        "contract_id": token.contract_id,
        "account_id": token.account_id,
        "state": token.state.value,
        "visual_number": token.visual_number,
        "updated_at": token.updated_at,
    }


def _token(row: RowMapping) -> DriverToken:
    updated = aware_utc(row["updated_at"])
    assert updated is not None  # the column is NOT NULL
    account = row["account_id"]
    return DriverToken(
        uid=row["uid"],
        kind=TokenKind(row["kind"]),
        contract_id=row["contract_id"],
        account_id=AccountId(account) if account else None,
        state=TokenState(row["state"]),
        updated_at=updated,
        visual_number=row["visual_number"],
    )
