"""The driver's web app at ``/``, its manifest and service worker, and ``/static/``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Cookie, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from evroam import __version__
from evroam.web import TEMPLATE_DIR, WEB_DIR, choose_locale, page_locale, static_dirs
from evroam.web.i18n import LOCALE_COOKIE

POWER_STEPS_KW = (7, 22, 60, 120, 180)
LANGUAGES = (("zh-CN", "中文"), ("en", "English"))
YEAR_S = 365 * 24 * 3600


@dataclass(frozen=True, slots=True)
class TileSource:
    """A raster tile source for the base map (``EVROAM_TILES_*``; docs/map.md).

    With no ``url`` the page draws the offline map (Natural Earth land and the
    scenario's schematic); ``crs`` is ``wgs84`` (OSM and most) or ``gcj02``
    (maps published in mainland China, e.g. Amap), which the page offsets.
    """

    url: str = ""
    attribution: str = ""
    crs: str = "wgs84"


def build_web_router(tiles: TileSource | None = None) -> APIRouter:
    """Serve the app at ``GET /`` in the driver's language (zh-CN or en)."""
    source = tiles or TileSource()
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    template = environment.get_template("map.html")
    router = APIRouter(tags=["web"])

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def map_page(
        request: Request,
        lang: Annotated[str | None, Query(max_length=20)] = None,
        cookie: Annotated[str | None, Cookie(alias=LOCALE_COOKIE)] = None,
    ) -> HTMLResponse:
        tag = choose_locale(lang, cookie, request.headers.get("accept-language"))
        locale = page_locale(tag)
        root = str(request.scope.get("root_path", "")).rstrip("/")
        environment.install_gettext_callables(  # type: ignore[attr-defined]
            locale.gettext, locale.ngettext, newstyle=True
        )
        page = template.render(
            root=root,
            static=f"{root}/static",
            api=f"{root}/api/v1",
            version=__version__,
            locale=locale,
            catalogue=locale.as_json(),
            languages=LANGUAGES,
            tiles_url=source.url,
            tiles_attribution=source.attribution,
            tiles_crs=source.crs,
            power_steps=POWER_STEPS_KW,
        )
        response = HTMLResponse(
            page, headers={"Content-Language": tag, "Vary": "Accept-Language, Cookie"}
        )
        if lang:
            response.set_cookie(
                LOCALE_COOKIE, tag, max_age=YEAR_S, samesite="strict", path="/"
            )
        return response

    @router.get("/manifest.webmanifest", include_in_schema=False)
    def manifest(request: Request) -> JSONResponse:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        body = {
            "name": "evroam",
            "short_name": "evroam",
            "description": "One map, account and bill across EV charging networks",
            "start_url": f"{root}/",
            "scope": f"{root}/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1a56db",
            "icons": [
                {
                    "src": f"{root}/static/evroam/icon.svg",
                    "sizes": "any",
                    "type": "image/svg+xml",
                    "purpose": "any maskable",
                }
            ],
        }
        return JSONResponse(body, media_type="application/manifest+json")

    @router.get("/sw.js", include_in_schema=False)
    def service_worker() -> Response:
        # Served from / so its scope is the whole app; the shell list is versioned.
        text = (WEB_DIR / "static" / "sw.js").read_text(encoding="utf-8")
        return Response(
            text.replace("__VERSION__", __version__),
            media_type="text/javascript",
            headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
        )

    return router


def mount_web(app: FastAPI, tiles: TileSource | None = None) -> None:
    """Add the app page and mount ``/static/{evroam,leaflet,markercluster}``."""
    app.include_router(build_web_router(tiles))
    for key, directory in static_dirs().items():
        app.mount(
            f"/static/{key}",
            StaticFiles(directory=directory),
            name=f"static-{key}",
        )
