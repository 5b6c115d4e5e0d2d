"""The ASGI application factory: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from evroam import __version__
from evroam.api.json_body import JsonBodyRequired
from evroam.api.partner_dispatch import PartnerDispatch
from evroam.api.problem import (
    PROBLEM_RESPONSES,
    UNSUPPORTED_MEDIA_TYPE,
    install_problem_handlers,
    problem_schemas,
)
from evroam.api.routes import (
    accounts,
    admin,
    analytics,
    auth,
    charging_events,
    dashboard,
    events,
    health,
    me,
    money,
    operators,
    pile_reports,
    places,
    quotes,
    recommend,
    reservations,
    settlements,
    stations,
    tokens,
    trips,
)
from evroam.api.routes.docs import mount_docs
from evroam.api.routes.web import TileSource, mount_web
from evroam.api.serving import Serving
from evroam.bootstrap import Services, build_partner_routers, build_services
from evroam.config import Settings
from evroam.partners.watch import FeedWatcher

GZIP_MINIMUM_BYTES = 1024


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """Build the app over ``services`` (built from ``settings`` unless given)."""
    owned = services is None
    running = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        watcher = FeedWatcher(
            running.partners,
            running.leases,
            running.clock,
            settings.maintenance_interval_s,
            settings.partner_check_interval_s,
            settings.reconcile_interval_s,
            chores=(
                running.charging.chase_starts,
                running.charging.chase_silent,
                running.wallet.release_expired_holds,
                running.history_keeper.chore,
                running.availability_learner.chore,
                running.token_pusher.push_changes,
                running.pile_requests.expire,
            ),
            offload=running.boundary.run,
        )
        task = (
            asyncio.create_task(watcher.run_forever())
            if settings.maintenance_interval_s > 0
            else None
        )
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            live = getattr(_app.state, "live", None)
            if live is not None:  # this worker's reader of the bus (ADR 0046)
                await live.aclose()
            if owned:  # off the loop: use cases still running may need it
                await asyncio.to_thread(running.close)

    app = FastAPI(
        title="evroam",
        version=__version__,
        summary="One map, one account and one bill across EV charging networks.",
        lifespan=lifespan,
        responses=PROBLEM_RESPONSES,
        docs_url=None,  # served offline by routes.docs
        redoc_url=None,
    )
    app.state.services = running
    index = running.partner_index
    if index is not None:
        index.keep_fresh()  # read here, at start: lookups on the loop never read

    async def partners_fresh() -> None:
        if index is not None:
            await running.boundary.run(index.keep_fresh)

    app.add_middleware(
        PartnerDispatch, partner_app=_partner_app(running), before=partners_fresh
    )
    app.add_middleware(JsonBodyRequired)
    # Starlette leaves text/event-stream alone (never buffered); ADR 0035.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.add_middleware(Serving)  # outermost: the loop guard's scope (ADR 0020)
    install_problem_handlers(app)
    _document_problem_schema(app)
    for module in (
        health,
        operators,
        places,
        stations,
        events,
        auth,
        accounts,
        me,
        tokens,
        reservations,
        pile_reports,
        money,
        charging_events,
        quotes,
        recommend,
        trips,
        admin,
        analytics,
        dashboard,
        settlements,
    ):
        app.include_router(module.router)
    if running.payments is not None:
        app.include_router(money.sandbox_router)
    mount_docs(app)
    mount_web(
        app,
        TileSource(
            settings.tiles_url or "", settings.tiles_attribution, settings.tiles_crs
        ),
    )
    return app


def _partner_app(services: Services) -> FastAPI:
    """The OCPI and T/CEC endpoints, apart (``PartnerDispatch``)."""
    partner_app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    install_problem_handlers(partner_app)
    for router in build_partner_routers(services):
        partner_app.include_router(router, include_in_schema=False)
    return partner_app


def _document_problem_schema(app: FastAPI) -> None:
    """Register the Problem schema and drop FastAPI's default JSON 422 body."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in problem_schemas().items():
            components[name] = definition
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    if status in ("404", "422"):
                        response["content"] = dict(
                            PROBLEM_RESPONSES[int(status)]["content"]
                        )
                if "requestBody" in operation:
                    operation["responses"].setdefault("415", UNSUPPORTED_MEDIA_TYPE)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
