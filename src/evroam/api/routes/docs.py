"""Swagger UI at ``/docs`` and ReDoc at ``/redoc``, served offline (ADR 0017).

Their scripts and styles come from the ``fastapi-offline`` package on PyPI (its
``static/`` folder: Swagger UI 5 and the ReDoc 2 standalone bundle), mounted
under ``/static/apidocs``, so neither page needs a CDN.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/static/apidocs"
SWAGGER_OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def assets_dir() -> Path:
    """The packaged Swagger UI and ReDoc files."""
    return Path(str(files("fastapi_offline").joinpath("static")))


def mount_docs(app: FastAPI) -> None:
    """Add ``/docs``, ``/redoc`` and their assets (create the app with
    ``docs_url=None, redoc_url=None`` so FastAPI's CDN pages are not added)."""
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="static-apidocs")

    def urls(request: Request) -> tuple[str, str]:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return f"{root}{app.openapi_url}", f"{root}{ASSETS_URL}"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        openapi, assets = urls(request)
        return get_swagger_ui_html(
            openapi_url=openapi,
            title=f"{app.title} API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            oauth2_redirect_url=SWAGGER_OAUTH2_REDIRECT,
        )

    @app.get(SWAGGER_OAUTH2_REDIRECT, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        openapi, assets = urls(request)
        return get_redoc_html(
            openapi_url=openapi,
            title=f"{app.title} API",
            redoc_js_url=f"{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False,
        )
