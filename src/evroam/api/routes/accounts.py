"""Driver accounts: POST /api/v1/accounts, /api/v1/accounts/me[/vehicles]."""

from __future__ import annotations

from fastapi import APIRouter

from evroam.accounts.model import Vehicle
from evroam.api.deps import CurrentAccount, ServicesDep
from evroam.api.problem import AUTH_RESPONSES
from evroam.api.schemas.accounts import (
    AccountCreate,
    AccountCreated,
    AccountPublic,
    VehicleCreate,
    VehicleList,
    VehiclePublic,
    account_created,
    account_public,
    vehicle_public,
)

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])


@router.post("", response_model=AccountCreated, status_code=201)
def open_account(services: ServicesDep, body: AccountCreate) -> AccountCreated:
    """Open an account; the answer carries its bearer token (shown once)."""
    return account_created(services.accounts.open_account(body.name))


@router.get("/me", response_model=AccountPublic, responses=AUTH_RESPONSES)
def my_account(account: CurrentAccount) -> AccountPublic:
    """The account the bearer token belongs to."""
    return account_public(account)


@router.post(
    "/me/vehicles",
    response_model=VehiclePublic,
    status_code=201,
    responses=AUTH_RESPONSES,
)
def register_vehicle(
    services: ServicesDep, account: CurrentAccount, body: VehicleCreate
) -> VehiclePublic:
    """Register a car (brand and delivery date decide brand discounts)."""
    vehicle = Vehicle(
        body.vin.upper(), body.brand, body.model, body.delivery_date, body.catalogue_id
    )
    return vehicle_public(services.accounts.register_vehicle(account.id, vehicle))


@router.get("/me/vehicles", response_model=VehicleList, responses=AUTH_RESPONSES)
def my_vehicles(services: ServicesDep, account: CurrentAccount) -> VehicleList:
    """The cars registered to this account."""
    return VehicleList(
        items=[vehicle_public(v) for v in services.accounts.list_vehicles(account.id)]
    )
