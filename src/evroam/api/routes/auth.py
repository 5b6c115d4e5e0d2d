"""Password sign-up, sign-in and sign-out for the web app: /api/v1/auth/….

The answer sets an HttpOnly, SameSite=Strict session cookie that the web app's
requests (and its live charging stream, which cannot send headers) carry; API
clients keep bearer tokens from POST /api/v1/accounts (ADR 0036).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from evroam.accounts.model import SignedIn
from evroam.api.deps import SESSION_COOKIE, ServicesDep
from evroam.api.problem import documented
from evroam.api.same_origin import require_same_origin
from evroam.api.schemas.accounts import AccountPublic, account_public

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

REFUSED: dict[int | str, dict[str, Any]] = {
    403: documented("A browser page of another origin sent it")
}


class SignUp(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="How we address you")
    login: str = Field(
        min_length=3,
        max_length=254,
        description="email address or phone number you sign in with",
        examples=["li.wei@example.cn", "+8613800138000"],
    )
    password: str = Field(min_length=8, max_length=200)


class SignIn(BaseModel):
    login: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)


def _set_session(
    response: Response, request: Request, public_url: str, signed: SignedIn
) -> None:
    secure = request.url.scheme == "https" or public_url.startswith("https:")
    # Max-Age, not Expires: a browser whose clock is off keeps it as long.
    response.set_cookie(
        SESSION_COOKIE,
        signed.session_token,
        max_age=signed.lifetime_s,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


@router.post(
    "/sign-up",
    response_model=AccountPublic,
    status_code=201,
    responses={**REFUSED, 409: documented("Another account uses this login")},
)
def sign_up(
    services: ServicesDep, request: Request, response: Response, body: SignUp
) -> AccountPublic:
    """Open an account that signs in with a password; you are signed in."""
    require_same_origin(request, services.settings.public_url)
    signed = services.sign_in.sign_up(body.name, body.login, body.password)
    _set_session(response, request, services.settings.public_url, signed)
    return account_public(signed.account)


@router.post(
    "/sign-in",
    response_model=AccountPublic,
    responses={**REFUSED, 401: documented("Wrong login or password")},
)
def sign_in(
    services: ServicesDep, request: Request, response: Response, body: SignIn
) -> AccountPublic:
    """Sign in; the session cookie lasts 30 days or until you sign out."""
    require_same_origin(request, services.settings.public_url)
    signed = services.sign_in.sign_in(body.login, body.password)
    _set_session(response, request, services.settings.public_url, signed)
    return account_public(signed.account)


@router.post("/sign-out", status_code=204, responses=REFUSED)
def sign_out(services: ServicesDep, request: Request) -> Response:
    """End this browser's session (and forget its cookie)."""
    require_same_origin(request, services.settings.public_url)
    services.sign_in.sign_out(request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
