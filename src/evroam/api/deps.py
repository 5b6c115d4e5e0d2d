"""FastAPI dependencies: the services of the running app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from evroam.accounts.model import Account
from evroam.bootstrap import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def current_account(
    services: ServicesDep, authorization: Annotated[str | None, Header()] = None
) -> Account:
    """The account whose ``Authorization: Bearer <token>`` made the call (else 401)."""
    scheme, _, token = (authorization or "").partition(" ")
    return services.accounts.authenticate(token if scheme.lower() == "bearer" else None)


CurrentAccount = Annotated[Account, Depends(current_account)]


def optional_account(
    services: ServicesDep, authorization: Annotated[str | None, Header()] = None
) -> Account | None:
    """The caller's account when a bearer token is given (quotes work without)."""
    if not authorization:
        return None
    return current_account(services, authorization)


MaybeAccount = Annotated[Account | None, Depends(optional_account)]
