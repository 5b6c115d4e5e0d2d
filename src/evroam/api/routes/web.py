"""The driver's map page at ``/`` and its static assets under ``/static/``."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from evroam import __version__
from evroam.web import TEMPLATE_DIR, static_dirs

CONNECTOR_LABELS = (
    ("gbt_dc", "GB/T DC"),
    ("gbt_ac", "GB/T AC"),
    ("ccs2", "CCS2"),
    ("type2", "Type 2"),
    ("chademo", "CHAdeMO"),
    ("nacs", "NACS"),
    ("swap", "Battery swap"),
)
POWER_STEPS_KW = (7, 22, 60, 120, 180)


def build_web_router(
    tiles_url: str | None = None, tiles_attribution: str = ""
) -> APIRouter:
    """Serve the map page at ``GET /``.

    With no ``tiles_url`` the page draws a plain background, so it needs no network;
    pass e.g. ``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` to show a base map.
    """
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
    )
    template = environment.get_template("map.html")
    router = APIRouter(tags=["web"])

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def map_page(request: Request) -> HTMLResponse:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        page = template.render(
            static=f"{root}/static",
            api=f"{root}/api/v1",
            version=__version__,
            tiles_url=tiles_url or "",
            tiles_attribution=tiles_attribution,
            connectors=CONNECTOR_LABELS,
            power_steps=POWER_STEPS_KW,
        )
        return HTMLResponse(page)

    return router


def mount_web(
    app: FastAPI, tiles_url: str | None = None, tiles_attribution: str = ""
) -> None:
    """Add the map page and mount ``/static/{evroam,leaflet,markercluster}``."""
    app.include_router(build_web_router(tiles_url, tiles_attribution))
    for key, directory in static_dirs().items():
        app.mount(
            f"/static/{key}",
            StaticFiles(directory=directory),
            name=f"static-{key}",
        )
