"""The driver's map page: its template and static assets, served by the API."""

from pathlib import Path

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster

WEB_DIR = Path(__file__).parent
TEMPLATE_DIR = WEB_DIR / "templates"


def static_dirs() -> dict[str, Path]:
    """Directories to serve under ``/static/<key>/``: ours, Leaflet, markercluster."""
    return {
        "evroam": WEB_DIR / "static",
        "leaflet": Path(xstatic.pkg.leaflet.BASE_DIR),
        "markercluster": Path(xstatic.pkg.leaflet_markercluster.BASE_DIR),
    }
