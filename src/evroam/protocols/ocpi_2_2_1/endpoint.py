"""FastAPI routers for OCPI 2.2.1: the hub's eMSP side and the simulator's CPO side.

Both are factories taking their collaborators (token store, callbacks, data
source), so the hub and the partner simulator mount the same code::

    app.include_router(build_emsp_router(config=..., tokens=..., locations=...))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from fastapi import APIRouter, Query, Request, Response

from evroam.protocols.ocpi_2_2_1.datatypes import utc_or_none
from evroam.protocols.ocpi_2_2_1.enums import VERSION, InterfaceRole, ModuleId
from evroam.protocols.ocpi_2_2_1.errors import (
    InvalidParametersError,
    UnknownLocationError,
)
from evroam.protocols.ocpi_2_2_1.models import (
    EVSE,
    Connector,
    ConnectorPatch,
    EvsePatch,
    Location,
    LocationPatch,
    OcpiModel,
    Tariff,
)
from evroam.protocols.ocpi_2_2_1.server import (
    EndpointFetcher,
    ServerConfig,
    ServerContext,
    add_credentials_routes,
    add_versions_routes,
    authenticate,
    ocpi_response,
    paginated_response,
    read_body,
    route_class_for,
)
from evroam.protocols.ocpi_2_2_1.tokens import Peer, TokenStore, new_token
from evroam.shared.clock import Clock, SystemClock


class LocationReceiver(Protocol):
    """What the hub does with Locations pushed by a CPO (eMSP Receiver interface).

    ``operator_key`` is the key of the peer whose token made the call. Methods
    that update a part of a Location raise ``UnknownLocationError`` when the
    Location (or EVSE) is not known.
    """

    async def on_location(self, operator_key: str, location: Location) -> None: ...

    async def on_evse(
        self, operator_key: str, location_id: str, evse: EVSE
    ) -> None: ...

    async def on_connector(
        self, operator_key: str, location_id: str, evse_uid: str, connector: Connector
    ) -> None: ...

    async def on_location_patch(
        self, operator_key: str, location_id: str, patch: LocationPatch
    ) -> None: ...

    async def on_evse_patch(
        self, operator_key: str, location_id: str, evse_uid: str, patch: EvsePatch
    ) -> None: ...

    async def on_connector_patch(
        self,
        operator_key: str,
        location_id: str,
        evse_uid: str,
        connector_id: str,
        patch: ConnectorPatch,
    ) -> None: ...

    async def find_location(
        self, operator_key: str, location_id: str
    ) -> Location | None: ...


class CpoDataSource(Protocol):
    """What the CPO side serves (Sender interfaces). ``list_*`` return one page
    and the total count matching the date filters (from inclusive, to exclusive)."""

    async def list_locations(
        self,
        date_from: datetime | None,
        date_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Location], int]: ...

    async def list_tariffs(
        self,
        date_from: datetime | None,
        date_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Tariff], int]: ...

    async def find_location(self, location_id: str) -> Location | None: ...


def _router(ctx: ServerContext) -> APIRouter:
    router = APIRouter(
        prefix=ctx.config.prefix,
        tags=["ocpi"],
        route_class=route_class_for(ctx.clock),
    )
    add_versions_routes(router, ctx)
    add_credentials_routes(router, ctx)
    return router


def build_emsp_router(
    *,
    config: ServerConfig,
    tokens: TokenStore,
    locations: LocationReceiver,
    fetch_endpoints: EndpointFetcher | None = None,
    clock: Clock | None = None,
    token_factory: Callable[[], str] = new_token,
    extra_modules: tuple[tuple[str, InterfaceRole], ...] = (),
) -> APIRouter:
    """The hub's eMSP endpoints: versions, credentials, Locations receiver.

    ``extra_modules`` are listed in the version details for modules whose
    routers are mounted separately (Sessions, CDRs, Commands, Tokens).
    """
    ctx = ServerContext(
        config=config,
        tokens=tokens,
        clock=clock or SystemClock(),
        new_token=token_factory,
        fetch_endpoints=fetch_endpoints,
        modules=(
            (ModuleId.CREDENTIALS, InterfaceRole.SENDER),
            (ModuleId.LOCATIONS, InterfaceRole.RECEIVER),
            *extra_modules,
        ),
        peer_role=InterfaceRole.SENDER,
    )
    router = _router(ctx)
    _add_location_receiver(router, ctx, locations)
    return router


def _owned_peer(request: Request, ctx: ServerContext, cc: str, party: str) -> Peer:
    peer = authenticate(request, ctx.tokens)
    # Transport and format, Client Owned Object Push: a country/party the peer
    # did not declare in its credentials roles may be answered with 404.
    if peer.roles and not peer.owns(cc, party):
        raise UnknownLocationError(f"{cc}/{party} is not one of your parties")
    return peer


def _same_owner(obj: Location, cc: str, party: str, location_id: str) -> None:
    if (obj.country_code.upper(), obj.party_id.upper(), obj.id) != (
        cc.upper(),
        party.upper(),
        location_id,
    ):
        raise InvalidParametersError("the object's ids differ from the URL's")


def _same_id(found: str, in_url: str) -> None:
    if found != in_url:
        raise InvalidParametersError(f"object id {found!r} differs from URL {in_url!r}")


def _add_location_receiver(
    router: APIRouter, ctx: ServerContext, receiver: LocationReceiver
) -> None:
    base = f"/{VERSION}/{ModuleId.LOCATIONS}/{{country_code}}/{{party_id}}"
    loc, evse, conn = (
        f"{base}/{{location_id}}",
        f"{base}/{{location_id}}/{{evse_uid}}",
        f"{base}/{{location_id}}/{{evse_uid}}/{{connector_id}}",
    )
    clock = ctx.clock

    @router.put(loc)
    async def put_location(
        request: Request, country_code: str, party_id: str, location_id: str
    ) -> Response:
        peer = _owned_peer(request, ctx, country_code, party_id)
        location = await read_body(request, Location)
        _same_owner(location, country_code, party_id, location_id)
        await receiver.on_location(peer.key, location)
        return ocpi_response(clock)

    @router.put(evse)
    async def put_evse(
        request: Request,
        country_code: str,
        party_id: str,
        location_id: str,
        evse_uid: str,
    ) -> Response:
        peer = _owned_peer(request, ctx, country_code, party_id)
        body = await read_body(request, EVSE)
        _same_id(body.uid, evse_uid)
        await receiver.on_evse(peer.key, location_id, body)
        return ocpi_response(clock)

    @router.put(conn)
    async def put_connector(
        request: Request,
        country_code: str,
        party_id: str,
        location_id: str,
        evse_uid: str,
        connector_id: str,
    ) -> Response:
        peer = _owned_peer(request, ctx, country_code, party_id)
        body = await read_body(request, Connector)
        _same_id(body.id, connector_id)
        await receiver.on_connector(peer.key, location_id, evse_uid, body)
        return ocpi_response(clock)

    @router.patch(loc)
    async def patch_location(
        request: Request, country_code: str, party_id: str, location_id: str
    ) -> Response:
        peer = _owned_peer(request, ctx, country_code, party_id)
        patch = await read_body(request, LocationPatch)
        await receiver.on_location_patch(peer.key, location_id, patch)
        return ocpi_response(clock)

    @router.patch(evse)
    async def patch_evse(
        request: Request,
        country_code: str,
        party_id: str,
        location_id: str,
        evse_uid: str,
    ) -> Response:
        peer = _owned_peer(request, ctx, country_code, party_id)
        patch = await read_body(request, EvsePatch)
        await receiver.on_evse_patch(peer.key, location_id, evse_uid, patch)
        return ocpi_response(clock)

    @router.patch(conn)
    async def patch_connector(
        request: Request,
        country_code: str,
        party_id: str,
        location_id: str,
        evse_uid: str,
        connector_id: str,
    ) -> Response:
        peer = _owned_peer(request, ctx, country_code, party_id)
        patch = await read_body(request, ConnectorPatch)
        await receiver.on_connector_patch(
            peer.key, location_id, evse_uid, connector_id, patch
        )
        return ocpi_response(clock)

    @router.get(loc)
    async def get_location(
        request: Request, country_code: str, party_id: str, location_id: str
    ) -> Response:
        peer = _owned_peer(request, ctx, country_code, party_id)
        found = await receiver.find_location(peer.key, location_id)
        if found is None:
            raise UnknownLocationError(f"no location {location_id!r}")
        return ocpi_response(clock, found)


# --- CPO side ------------------------------------------------------------------------


def build_cpo_router(
    *,
    config: ServerConfig,
    tokens: TokenStore,
    source: CpoDataSource,
    fetch_endpoints: EndpointFetcher | None = None,
    clock: Clock | None = None,
    token_factory: Callable[[], str] = new_token,
    extra_modules: tuple[tuple[str, InterfaceRole], ...] = (),
) -> APIRouter:
    """A CPO's endpoints: versions, credentials, Locations and Tariffs senders
    (plus ``extra_modules`` mounted separately, e.g. Commands, CDRs)."""
    ctx = ServerContext(
        config=config,
        tokens=tokens,
        clock=clock or SystemClock(),
        new_token=token_factory,
        fetch_endpoints=fetch_endpoints,
        modules=(
            (ModuleId.CREDENTIALS, InterfaceRole.SENDER),
            (ModuleId.LOCATIONS, InterfaceRole.SENDER),
            (ModuleId.TARIFFS, InterfaceRole.SENDER),
            *extra_modules,
        ),
        peer_role=InterfaceRole.RECEIVER,
    )
    router = _router(ctx)
    _add_senders(router, ctx, source)
    return router


def _paginated(
    ctx: ServerContext,
    request: Request,
    items: Sequence[OcpiModel],
    total: int,
    offset: int,
    limit: int,
) -> Response:
    return paginated_response(ctx.clock, request, items, total, offset, limit)


def _add_senders(router: APIRouter, ctx: ServerContext, source: CpoDataSource) -> None:
    max_limit = ctx.config.max_page_limit
    locations = f"/{VERSION}/{ModuleId.LOCATIONS}"

    @router.get(locations)
    async def list_locations(
        request: Request,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        offset: int = Query(0, ge=0),
        limit: int = Query(max_limit, ge=1),
    ) -> Response:
        authenticate(request, ctx.tokens)
        limit = min(limit, max_limit)
        items, total = await source.list_locations(
            utc_or_none(date_from), utc_or_none(date_to), offset, limit
        )
        return _paginated(ctx, request, items, total, offset, limit)

    @router.get(f"/{VERSION}/{ModuleId.TARIFFS}")
    async def list_tariffs(
        request: Request,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        offset: int = Query(0, ge=0),
        limit: int = Query(max_limit, ge=1),
    ) -> Response:
        authenticate(request, ctx.tokens)
        limit = min(limit, max_limit)
        items, total = await source.list_tariffs(
            utc_or_none(date_from), utc_or_none(date_to), offset, limit
        )
        return _paginated(ctx, request, items, total, offset, limit)

    @router.get(f"{locations}/{{location_id}}")
    @router.get(f"{locations}/{{location_id}}/{{evse_uid}}")
    @router.get(f"{locations}/{{location_id}}/{{evse_uid}}/{{connector_id}}")
    async def get_location_object(
        request: Request,
        location_id: str,
        evse_uid: str | None = None,
        connector_id: str | None = None,
    ) -> Response:
        authenticate(request, ctx.tokens)
        found = await source.find_location(location_id)
        if found is None:
            raise UnknownLocationError(f"no location {location_id!r}")
        return ocpi_response(ctx.clock, _part(found, evse_uid, connector_id))


def _part(
    location: Location, evse_uid: str | None, connector_id: str | None
) -> Location | EVSE | Connector:
    """GET Object: the Location, one of its EVSEs, or one of that EVSE's Connectors."""
    if evse_uid is None:
        return location
    evse = next((e for e in location.evses or () if e.uid == evse_uid), None)
    if evse is None:
        raise UnknownLocationError(f"no EVSE {evse_uid!r} at {location.id!r}")
    if connector_id is None:
        return evse
    conn = next((c for c in evse.connectors if c.id == connector_id), None)
    if conn is None:
        raise UnknownLocationError(f"no connector {connector_id!r} on {evse_uid!r}")
    return conn
