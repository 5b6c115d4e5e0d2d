"""Server plumbing shared by our OCPI routers: envelope, auth, versions, credentials.

Errors are rendered inside the router (by its route class), so an app mounting
it needs no exception handlers. HTTP statuses follow the Status codes section:
a request that reached the OCPI layer gets HTTP 200 with an OCPI error code,
except an unknown object (404), a missing or unknown token (401), JSON that
does not parse (400), and a credentials call out of turn (405).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from evroam.protocols.ocpi_2_2_1.datatypes import format_datetime
from evroam.protocols.ocpi_2_2_1.enums import VERSION, InterfaceRole, ModuleId
from evroam.protocols.ocpi_2_2_1.errors import (
    ClientApiUnusableError,
    InvalidParametersError,
    MethodNotAllowedError,
    OcpiError,
    OcpiServerError,
    UnauthorizedError,
)
from evroam.protocols.ocpi_2_2_1.message_ids import (
    CORRELATION_ID,
    REQUEST_ID,
    correlated,
    incoming_ids,
    log_exchange,
)
from evroam.protocols.ocpi_2_2_1.models import (
    Credentials,
    CredentialsRole,
    Endpoint,
    Version,
    VersionDetails,
)
from evroam.protocols.ocpi_2_2_1.tokens import Peer, TokenStore, token_candidates
from evroam.shared.clock import Clock

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


class EndpointFetcher(Protocol):
    """Reads a peer's 2.2.1 endpoints from its versions URL (``OcpiClient``
    has one: ``OcpiClient.fetch_endpoints``)."""

    def __call__(
        self, versions_url: str, token: str
    ) -> Awaitable[tuple[str, tuple[Endpoint, ...]]]: ...


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Where we are reachable and who we are.

    ``public_url`` is the absolute base the peer reaches us at (no trailing
    slash); ``prefix`` is where the router is mounted, e.g. ``/ocpi``.
    """

    public_url: str
    roles: tuple[CredentialsRole, ...]
    prefix: str = "/ocpi"
    max_page_limit: int = 100

    @property
    def versions_url(self) -> str:
        return f"{self.public_url}{self.prefix}/versions"

    @property
    def version_url(self) -> str:
        return f"{self.public_url}{self.prefix}/{VERSION}"

    def module_url(self, module: str) -> str:
        return f"{self.version_url}/{module}"


@dataclass(frozen=True, slots=True)
class ServerContext:
    config: ServerConfig
    tokens: TokenStore
    clock: Clock
    new_token: Callable[[], str]
    fetch_endpoints: EndpointFetcher | None
    modules: tuple[tuple[str, InterfaceRole], ...]
    peer_role: InterfaceRole  # the role of the peer's endpoints we keep


# --- responses -------------------------------------------------------------------


def ocpi_response(
    clock: Clock,
    data: Any = None,
    *,
    status_code: int = 1000,
    message: str | None = None,
    http_status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {}
    if data is not None:
        body["data"] = _jsonable(data)
    body["status_code"] = status_code
    if message:
        body["status_message"] = message
    body["timestamp"] = format_datetime(clock.now())
    return JSONResponse(body, status_code=http_status, headers=dict(headers or {}))


def paginated_response(
    clock: Clock,
    request: Request,
    items: Sequence[Any],
    total: int,
    offset: int,
    limit: int,
) -> JSONResponse:
    """Transport and format, Pagination: Link (next), X-Total-Count, X-Limit."""
    headers = {"X-Total-Count": str(total), "X-Limit": str(limit)}
    if items and offset + len(items) < total:
        next_url = request.url.include_query_params(
            offset=offset + len(items), limit=limit
        )
        headers["Link"] = f'<{next_url}>; rel="next"'
    return ocpi_response(clock, list(items), headers=headers)


def _jsonable(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json", exclude_none=True)
    if isinstance(data, list | tuple):
        return [_jsonable(item) for item in data]
    return data


def route_class_for(clock: Clock) -> type[APIRoute]:
    """A route class that renders every failure as an OCPI response."""

    class OcpiRoute(APIRoute):
        def get_route_handler(
            self,
        ) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                request_id, correlation_id = incoming_ids(request.headers)
                with correlated(correlation_id):
                    response = await _answer(handler, request, clock)
                # Transport and format, Unique message IDs: echo both.
                response.headers[REQUEST_ID] = request_id
                response.headers[CORRELATION_ID] = correlation_id
                log_exchange(
                    "<-",
                    request.method,
                    request.url.path,
                    response.status_code,
                    response.headers,
                )
                return response

            return guarded

    return OcpiRoute


async def _answer(
    handler: Callable[[Request], Coroutine[Any, Any, Response]],
    request: Request,
    clock: Clock,
) -> Response:
    try:
        return await handler(request)
    except OcpiError as exc:
        return _error_response(clock, exc)
    except RequestValidationError as exc:
        bad = InvalidParametersError(_summary(exc.errors()), http_status=400)
        return _error_response(clock, bad)
    except Exception:  # last resort: still answer in OCPI's format
        log.exception("OCPI handler failed")
        return _error_response(clock, OcpiServerError("internal error"))


def _error_response(clock: Clock, exc: OcpiError) -> JSONResponse:
    return ocpi_response(
        clock,
        status_code=exc.status_code,
        message=exc.message,
        http_status=exc.http_status,
    )


def _summary(errors: Sequence[Any]) -> str:
    parts = []
    for err in errors[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def read_body(request: Request, model: type[M]) -> M:
    """The request body as ``model``: 400 if not JSON, OCPI 2001 if not valid."""
    try:
        raw = await request.json()
    except ValueError as exc:
        raise InvalidParametersError("body is not JSON", http_status=400) from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InvalidParametersError(_summary(exc.errors())) from exc


# --- authentication --------------------------------------------------------------


def authenticate(
    request: Request, tokens: TokenStore, *, allow_token_a: bool = False
) -> Peer:
    """The peer behind the Authorization header, or ``UnauthorizedError`` (401).

    Transport and format, Authorization header: a TOKEN_A is accepted only on
    the versions and credentials modules.
    """
    for token in token_candidates(request.headers.get("Authorization")):
        peer = tokens.find_by_token(token)
        if peer is not None and (peer.is_registered or allow_token_a):
            return peer
    raise UnauthorizedError("missing or unknown credentials token")


# --- versions and credentials modules ---------------------------------------------


def add_versions_routes(router: APIRouter, ctx: ServerContext) -> None:
    config = ctx.config

    @router.get("/versions")
    async def get_versions(request: Request) -> Response:
        authenticate(request, ctx.tokens, allow_token_a=True)
        return ocpi_response(
            ctx.clock, [Version(version=VERSION, url=config.version_url)]
        )

    @router.get(f"/{VERSION}")
    async def get_version_details(request: Request) -> Response:
        authenticate(request, ctx.tokens, allow_token_a=True)
        endpoints = [
            Endpoint(identifier=module, role=role, url=config.module_url(module))
            for module, role in ctx.modules
        ]
        details = VersionDetails(version=VERSION, endpoints=endpoints)
        return ocpi_response(ctx.clock, details)


def add_credentials_routes(router: APIRouter, ctx: ServerContext) -> None:
    """Credentials module: GET, POST (register), PUT (update), DELETE (unregister)."""
    path = f"/{VERSION}/{ModuleId.CREDENTIALS}"

    @router.get(path)
    async def get_credentials(request: Request) -> Response:
        peer = authenticate(request, ctx.tokens, allow_token_a=True)
        return ocpi_response(ctx.clock, _our_credentials(ctx, peer.incoming_token))

    @router.post(path)
    async def post_credentials(request: Request) -> Response:
        peer = authenticate(request, ctx.tokens, allow_token_a=True)
        if peer.is_registered:
            raise MethodNotAllowedError("already registered: use PUT to update")
        theirs = await read_body(request, Credentials)
        return ocpi_response(ctx.clock, await _register(ctx, peer, theirs))

    @router.put(path)
    async def put_credentials(request: Request) -> Response:
        peer = authenticate(request, ctx.tokens, allow_token_a=True)
        if not peer.is_registered:
            raise MethodNotAllowedError("not registered: use POST to register")
        theirs = await read_body(request, Credentials)
        return ocpi_response(ctx.clock, await _register(ctx, peer, theirs))

    @router.delete(path)
    async def delete_credentials(request: Request) -> Response:
        peer = authenticate(request, ctx.tokens, allow_token_a=True)
        if not peer.is_registered:
            raise MethodNotAllowedError("not registered")
        ctx.tokens.remove(peer.key)
        return ocpi_response(ctx.clock)


def _our_credentials(ctx: ServerContext, token: str) -> Credentials:
    return Credentials(
        token=token, url=ctx.config.versions_url, roles=list(ctx.config.roles)
    )


async def _register(ctx: ServerContext, peer: Peer, theirs: Credentials) -> Credentials:
    """Fetch the peer's endpoints with its token, then issue a fresh token C."""
    endpoints: dict[str, str] = {}
    if ctx.fetch_endpoints is not None:
        try:
            _, found = await ctx.fetch_endpoints(theirs.url, theirs.token)
        except OcpiError as exc:
            raise ClientApiUnusableError(f"cannot read your endpoints: {exc}") from exc
        for ep in sorted(found, key=lambda e: e.role is ctx.peer_role):
            endpoints[ep.identifier] = ep.url
    token_c = ctx.new_token()
    ctx.tokens.save(
        peer.registered(
            incoming_token=token_c,
            outgoing_token=theirs.token,
            versions_url=theirs.url,
            endpoints=endpoints,
            roles=tuple(theirs.roles),
        )
    )
    return _our_credentials(ctx, token_c)
