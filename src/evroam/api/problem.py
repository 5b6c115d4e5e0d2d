"""RFC 9457 problem+json responses for every error the API returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from evroam.accounts.errors import AuthenticationError, LoginTakenError, VinTakenError
from evroam.api.same_origin import CrossOriginRequestError
from evroam.charging.errors import ChargingError
from evroam.partners.errors import HandshakeError, PartnerError
from evroam.pile_requests.errors import PileRequestError
from evroam.shared.errors import InvalidInputError, NotFoundError
from evroam.shared.message import MessageParam
from evroam.tokens.errors import TokenError
from evroam.wallet.errors import (
    InsufficientFunds,
    LedgerContentionError,
    NoPaymentProviderError,
    WalletError,
    WebhookSignatureError,
)

PROBLEM_JSON = "application/problem+json"
_LOCATIONS = ("query", "body", "path", "header")


class ProblemField(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemField] | None = None
    code: str | None = Field(
        default=None,
        description="names the sentence in `detail` for clients that say it in "
        "their own language, with `params` (ADR 0045)",
    )
    params: dict[str, MessageParam] | None = None


def documented(description: str) -> dict[str, Any]:
    schema_ref = {"$ref": "#/components/schemas/Problem"}
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": schema_ref}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: documented("Not found"),
    422: documented("Invalid input; `errors` names each offending field"),
}
UNSUPPORTED_MEDIA_TYPE = documented(
    "The body is not JSON: send it with `Content-Type: application/json`"
)
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: documented("Bearer token missing or unknown"),
}
MONEY_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    402: documented("Not enough money in the wallet"),
    409: documented("Conflict: Idempotency-Key reused for another request, pile busy"),
}
ADMIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: documented("Admin bearer token missing or wrong"),
    502: documented("The partner refused us or could not be reached"),
}


def problem_schemas() -> dict[str, Any]:
    """JSON schemas of Problem and its parts, with component refs."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {"Problem": schema, **defs}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(InvalidInputError, _invalid_input)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(PartnerError, _partner)
    app.add_exception_handler(AuthenticationError, _unauthenticated)
    app.add_exception_handler(CrossOriginRequestError, _cross_origin)
    app.add_exception_handler(WalletError, _wallet)
    app.add_exception_handler(ChargingError, _charging)
    app.add_exception_handler(TokenError, _charging)  # 409: e.g. a card taken
    app.add_exception_handler(PileRequestError, _charging)  # 409: not reservable


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": ".".join(
                str(p)
                for p in e["loc"]
                if p not in _LOCATIONS and not isinstance(p, int)
            ),
            "message": e["msg"],
        }
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "Invalid request", detail, errors=errors)


_TAKEN = {"login": "Login taken", "vin": "VIN taken"}


async def _invalid_input(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInputError)
    taken = isinstance(exc, LoginTakenError | VinTakenError)
    said = {}
    if exc.said is not None:
        said = {"code": exc.said.code, "params": dict(exc.said.params)}
    return problem(
        409 if taken else 422,
        _TAKEN.get(exc.field, "Invalid request") if taken else "Invalid request",
        str(exc),
        errors=[{"field": exc.field, "message": exc.message}],
        **said,
    )


async def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    return problem(404, "Not found", str(exc))


async def _wallet(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, InsufficientFunds):
        return problem(402, "Insufficient funds", str(exc))
    if isinstance(exc, WebhookSignatureError):
        return problem(400, "Bad webhook signature", str(exc))
    if isinstance(exc, LedgerContentionError):
        return problem(503, "Busy, retry", str(exc))
    if isinstance(exc, NoPaymentProviderError):
        return problem(503, "No payment provider", str(exc))
    if isinstance(exc, NotFoundError):
        return problem(404, "Not found", str(exc))
    return problem(409, "Conflict", str(exc))


async def _charging(_request: Request, exc: Exception) -> JSONResponse:
    return problem(409, "Conflict", str(exc))


async def _unauthenticated(_request: Request, exc: Exception) -> JSONResponse:
    response = problem(401, "Not authenticated", str(exc))
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _cross_origin(_request: Request, exc: Exception) -> JSONResponse:
    return problem(403, "Cross-origin request refused", str(exc))


async def _partner(_request: Request, exc: Exception) -> JSONResponse:
    kind = "refused us" if isinstance(exc, HandshakeError) else "did not answer"
    return problem(502, f"Partner {kind}", str(exc))


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem(exc.status_code, "HTTP error", str(exc.detail))
