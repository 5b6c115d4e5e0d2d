"""The driver's web app: templates, static files and message catalogues."""

from pathlib import Path

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster

from evroam.web.i18n import LOCALES, PageLocale, choose_locale, page_locale

WEB_DIR = Path(__file__).parent
TEMPLATE_DIR = WEB_DIR / "templates"
VENDOR_DIR = WEB_DIR / "static" / "vendor"


def static_dirs() -> dict[str, Path]:
    """Directories to serve under ``/static/<key>/``: ours, Leaflet, markercluster."""
    return {
        "evroam": WEB_DIR / "static",
        "leaflet": Path(xstatic.pkg.leaflet.BASE_DIR),
        "markercluster": Path(xstatic.pkg.leaflet_markercluster.BASE_DIR),
    }


__all__ = [
    "LOCALES",
    "TEMPLATE_DIR",
    "VENDOR_DIR",
    "WEB_DIR",
    "PageLocale",
    "choose_locale",
    "page_locale",
    "static_dirs",
]
