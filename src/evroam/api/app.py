"""The ASGI application factory: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from evroam import __version__
from evroam.api.problem import install_problem_handlers
from evroam.api.routes import events, health, operators, stations
from evroam.api.routes.web import mount_web
from evroam.bootstrap import Services, build_services
from evroam.config import Settings


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """Build the app; services are built in the lifespan unless given (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        app.state.services = services or build_services(settings)
        try:
            yield
        finally:
            if owned:
                app.state.services.close()

    app = FastAPI(
        title="evroam",
        version=__version__,
        summary="One map, one account and one bill across EV charging networks.",
        lifespan=lifespan,
    )
    if services is not None:
        app.state.services = services
    install_problem_handlers(app)
    for module in (health, operators, stations, events):
        app.include_router(module.router)
    mount_web(app, settings.tiles_url)
    return app
