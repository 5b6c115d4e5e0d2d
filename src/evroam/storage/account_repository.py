"""SQL implementation of the accounts context's AccountRepository."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, RowMapping, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from evroam.accounts.model import Account, Vehicle, VinTransfer
from evroam.shared.ids import AccountId
from evroam.storage.codec import aware_utc
from evroam.storage.tables import accounts, vehicle_transfers, vehicles


class SqlAccountRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, account: Account, token_hash: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(accounts),
                [
                    {
                        "id": account.id,
                        "name": account.name,
                        "token_hash": token_hash,
                        "created_at": account.created_at,
                    }
                ],
            )

    def find(self, account_id: AccountId) -> Account | None:
        return self._one(accounts.c.id == account_id)

    def find_by_token_hash(self, token_hash: str) -> Account | None:
        return self._one(accounts.c.token_hash == token_hash)

    def _one(self, where: ColumnElement[bool]) -> Account | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(accounts).where(where)).mappings().first()
        return _account(row) if row else None

    def add_vehicle(self, account_id: AccountId, vehicle: Vehicle) -> AccountId:
        row = {
            "vin": vehicle.vin,
            "account_id": account_id,
            "brand": vehicle.brand,
            "model": vehicle.model,
            "delivery_date": vehicle.delivery_date,
            "catalogue_id": vehicle.catalogue_id,
        }
        try:
            with self._engine.begin() as conn:
                holder = conn.execute(
                    select(vehicles.c.account_id)
                    .where(vehicles.c.vin == vehicle.vin)
                    .with_for_update()
                ).scalar_one_or_none()
                if holder is not None and holder != account_id:
                    return AccountId(holder)
                # Only our own row: under READ COMMITTED this statement sees a row
                # another account committed after the select above, and must not
                # take it (the insert then fails and names that holder).
                conn.execute(
                    delete(vehicles).where(
                        vehicles.c.vin == vehicle.vin,
                        vehicles.c.account_id == account_id,
                    )
                )
                conn.execute(insert(vehicles), [row])
        except IntegrityError:  # another account registered it meanwhile
            with self._engine.connect() as conn:
                holder = conn.execute(
                    select(vehicles.c.account_id).where(vehicles.c.vin == vehicle.vin)
                ).scalar_one_or_none()
            if holder is None:
                raise
            return AccountId(holder)
        return account_id

    def vehicles(self, account_id: AccountId) -> Sequence[Vehicle]:
        query = (
            select(vehicles)
            .where(vehicles.c.account_id == account_id)
            .order_by(vehicles.c.vin)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Vehicle(
                r["vin"],
                r["brand"],
                r["model"],
                r["delivery_date"],
                r["catalogue_id"],
            )
            for r in rows
        ]

    def find_vehicle_holder(self, vin: str) -> AccountId | None:
        with self._engine.connect() as conn:
            holder = conn.execute(
                select(vehicles.c.account_id).where(vehicles.c.vin == vin)
            ).scalar_one_or_none()
        return None if holder is None else AccountId(holder)

    def transfer_vehicle(self, transfer: VinTransfer) -> bool:
        with self._engine.begin() as conn:
            moved = conn.execute(
                update(vehicles)
                .where(
                    vehicles.c.vin == transfer.vin,
                    vehicles.c.account_id == transfer.from_account,
                )
                .values(account_id=transfer.to_account)
            ).rowcount
            if moved != 1:
                return False  # another transfer (or an erasure) came first
            conn.execute(
                insert(vehicle_transfers),
                [
                    {
                        "id": transfer.id,
                        "vin": transfer.vin,
                        "from_account": transfer.from_account,
                        "to_account": transfer.to_account,
                        "performed_by": transfer.performed_by,
                        "reason": transfer.reason,
                        "transferred_at": transfer.transferred_at,
                    }
                ],
            )
        return True

    def vehicle_transfers(self, vin: str) -> Sequence[VinTransfer]:
        t = vehicle_transfers.c
        query = select(vehicle_transfers).where(t.vin == vin)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(t.transferred_at, t.id)).mappings()
            return [
                VinTransfer(
                    r["id"],
                    r["vin"],
                    AccountId(r["from_account"]),
                    AccountId(r["to_account"]),
                    r["performed_by"],
                    r["reason"],
                    aware_utc(r["transferred_at"]) or r["transferred_at"],
                )
                for r in rows
            ]


def _account(row: RowMapping) -> Account:
    created = row["created_at"]
    return Account(AccountId(row["id"]), row["name"], aware_utc(created) or created)
