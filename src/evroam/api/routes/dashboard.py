"""The operator's analytics dashboard page at ``/admin/dashboard``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from evroam import __version__
from evroam.web import TEMPLATE_DIR

router = APIRouter(tags=["web"])


@router.get("/admin/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(request: Request) -> HTMLResponse:
    """The page is public; its data needs the admin token typed into it."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html"])
    )
    root = str(request.scope.get("root_path", "")).rstrip("/")
    page = environment.get_template("dashboard.html").render(
        static=f"{root}/static",
        api=f"{root}/api/v1/admin/analytics",
        version=__version__,
    )
    return HTMLResponse(page)
