"""Composition root: the one place that picks concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from evroam.catalogue.service import CatalogueService
from evroam.config import Settings
from evroam.shared.clock import Clock, SystemClock
from evroam.status.bus import InProcessEventBus
from evroam.status.ports import EventBus
from evroam.status.service import StatusService
from evroam.storage.engine import create_database_engine, create_schema
from evroam.storage.station_repository import SqlStationRepository
from evroam.storage.status_repository import SqlStatusStore


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    engine: Engine
    clock: Clock
    stations: SqlStationRepository
    catalogue: CatalogueService
    status: StatusService
    bus: EventBus

    def ping_database(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Wire storage, bus and use-cases for ``settings``; creates the schema."""
    clock = clock or SystemClock()
    engine = create_database_engine(settings.database_url)
    create_schema(engine)
    stations = SqlStationRepository(engine)
    bus = _build_bus(settings)
    return Services(
        settings=settings,
        engine=engine,
        clock=clock,
        stations=stations,
        catalogue=CatalogueService(stations, clock),
        status=StatusService(SqlStatusStore(engine), bus, clock),
        bus=bus,
    )


def _build_bus(settings: Settings) -> EventBus:
    if settings.bus_url:
        from evroam.messaging.redis_streams import RedisStreamsEventBus

        return RedisStreamsEventBus(settings.bus_url)
    return InProcessEventBus()
