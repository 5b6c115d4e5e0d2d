"""Account and vehicle schemas of the public API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from evroam.accounts.model import Account, NewAccount, Vehicle


class AccountCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="How we address you")


class AccountPublic(BaseModel):
    id: str
    name: str
    created_at: datetime


class AccountCreated(AccountPublic):
    token: str = Field(description="Bearer token; shown once, keep it")


class VehicleCreate(BaseModel):
    vin: str = Field(min_length=17, max_length=17, description="ISO 3779 VIN")
    brand: str = Field(min_length=1, max_length=60, examples=["Xiaomi"])
    model: str = Field(min_length=1, max_length=100, examples=["SU7 Max"])
    delivery_date: date
    catalogue_id: str | None = Field(
        default=None,
        max_length=100,
        description="the model's id in GET /api/v1/vehicles (recommendations use it)",
        examples=["xiaomi-su7-max"],
    )


class VehiclePublic(VehicleCreate):
    pass


class VehicleList(BaseModel):
    items: list[VehiclePublic]


def account_public(account: Account) -> AccountPublic:
    return AccountPublic(
        id=account.id, name=account.name, created_at=account.created_at
    )


def account_created(new: NewAccount) -> AccountCreated:
    a = new.account
    return AccountCreated(
        id=a.id, name=a.name, created_at=a.created_at, token=new.token
    )


def vehicle_public(v: Vehicle) -> VehiclePublic:
    return VehiclePublic(
        vin=v.vin,
        brand=v.brand,
        model=v.model,
        delivery_date=v.delivery_date,
        catalogue_id=v.catalogue_id,
    )
