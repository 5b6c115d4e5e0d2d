"""The operator's analytics dashboard page at ``/admin/dashboard``, in zh-CN or en."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from evroam import __version__
from evroam.web import TEMPLATE_DIR, choose_locale, page_locale
from evroam.web.i18n import LOCALE_COOKIE

router = APIRouter(tags=["web"])
LANGUAGES = (("zh-CN", "中文"), ("en", "English"))


@router.get("/admin/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(
    request: Request,
    lang: Annotated[str | None, Query(max_length=20)] = None,
    cookie: Annotated[str | None, Cookie(alias=LOCALE_COOKIE)] = None,
) -> HTMLResponse:
    """The page is public; its data needs the admin token typed into it. Its
    language is chosen as the driver's page's is (ADR 0033)."""
    tag = choose_locale(lang, cookie, request.headers.get("accept-language"))
    locale = page_locale(tag)
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        locale.gettext, locale.ngettext, newstyle=True
    )
    root = str(request.scope.get("root_path", "")).rstrip("/")
    page = environment.get_template("dashboard.html").render(
        static=f"{root}/static",
        api=f"{root}/api/v1/admin/analytics",
        version=__version__,
        locale=locale,
        catalogue=locale.as_json(),
        languages=LANGUAGES,
    )
    return HTMLResponse(
        page, headers={"Content-Language": tag, "Vary": "Accept-Language, Cookie"}
    )
