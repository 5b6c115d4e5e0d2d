"""The hub's services as a command opens them: one database, checked first."""

from __future__ import annotations

from evroam.bootstrap import Services, build_services
from evroam.config import Settings
from evroam.storage.database import (
    DatabaseAccess,
    DatabaseMissingError,
    fill_hint,
    shown,
)


def open_hub(
    db: str,
    access: DatabaseAccess = DatabaseAccess.READ,
    needs_stations: bool = False,
) -> Services:
    """Services over the database ``db``; a command that searches stations
    refuses (one line) a database that has none instead of answering nothing."""
    services = build_services(Settings(database_url=db), access=access)
    if needs_stations and not any(
        o.stations for o in services.catalogue.list_operators()
    ):
        services.close()
        raise DatabaseMissingError(
            f"no stations in {shown(db)}: fill it with {fill_hint(db)}"
        )
    return services
