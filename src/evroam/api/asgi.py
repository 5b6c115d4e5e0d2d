"""ASGI entry for ``uvicorn --factory evroam.api.asgi:app_from_environment``."""

from __future__ import annotations

from fastapi import FastAPI

from evroam.api.app import create_app
from evroam.config import Settings


def app_from_environment() -> FastAPI:
    """The app configured by ``EVROAM_*`` variables and the data directory's
    secrets file (each worker of ``evroam serve`` reads the same)."""
    settings = Settings()
    settings.check_secrets()
    return create_app(settings)
