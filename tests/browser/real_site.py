"""The real hub app over the reference scenario's Shanghai stations, on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evroam.api.app import create_app
from evroam.bootstrap import Services, build_services
from evroam.config import Settings
from evroam.scenario import reference_scenario
from evroam.storage.database import DatabaseAccess
from tests.fakes import FixedClock

from .live_server import _Server

NOON_IN_SHANGHAI = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
SHANGHAI_BOX = (120.8, 30.9, 121.9, 31.6)  # minlon, minlat, maxlon, maxlat
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@dataclass(frozen=True, slots=True)
class RealSite:
    base_url: str
    services: Services


def in_box(lat: float, lon: float) -> bool:
    west, south, east, north = SHANGHAI_BOX
    return west <= lon <= east and south <= lat <= north


def import_shanghai(services: Services) -> None:
    """The reference scenario's stations in and around Shanghai."""
    scenario = reference_scenario(7)
    services.catalogue.import_network(
        scenario.operators,
        scenario.tariffs,
        (s for s in scenario.iter_stations() if in_box(s.lat, s.lon)),
    )


def serve_real_site(
    folder: Path,
    network: Callable[[Services], None] = import_shanghai,
    **settings: object,
) -> Iterator[RealSite]:
    """``settings`` are Settings fields (e.g. ``tiles_url``, ``payment_provider``);
    ``network`` fills the catalogue (the reference scenario's Shanghai by default)."""
    db = folder / "hub.db"
    config = Settings(
        database_url=f"sqlite:///{db}",
        maintenance_interval_s=0,
        **settings,  # type: ignore[arg-type]
    )
    services = build_services(
        config, FixedClock(NOON_IN_SHANGHAI), access=DatabaseAccess.UPGRADE
    )
    network(services)
    with _Server(create_app(config, services)) as server:
        yield RealSite(server.base_url, services)
    services.close()
