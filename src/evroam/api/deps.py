"""FastAPI dependencies: the services of the running app, the caller's account."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from evroam.accounts.errors import AuthenticationError
from evroam.accounts.model import Account
from evroam.api.same_origin import require_same_origin
from evroam.bootstrap import Services

SESSION_COOKIE = "evroam_session"


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def current_account(
    request: Request,
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Account:
    """The caller: ``Authorization: Bearer <token>`` (API clients) or the web
    app's session cookie (same-origin writes only); else 401."""
    if authorization is None and SESSION_COOKIE in request.cookies:
        require_same_origin(request, services.settings.public_url)
        return services.sign_in.authenticate(request.cookies[SESSION_COOKIE])
    scheme, _, token = (authorization or "").partition(" ")
    return services.accounts.authenticate(token if scheme.lower() == "bearer" else None)


CurrentAccount = Annotated[Account, Depends(current_account)]


def optional_account(
    request: Request,
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Account | None:
    """The caller's account when a token or session is given (quotes work without).

    A bearer token that is wrong is a 401; a session cookie that has ended is
    just a visitor (the page still prices and recommends)."""
    if authorization is not None:
        return current_account(request, services, authorization)
    if SESSION_COOKIE not in request.cookies:
        return None
    try:
        return current_account(request, services, authorization)
    except AuthenticationError:
        return None


MaybeAccount = Annotated[Account | None, Depends(optional_account)]
