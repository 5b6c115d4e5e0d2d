"""ASGI entry for ``uvicorn --factory evroam.api.asgi:app_from_environment``."""

from __future__ import annotations

from fastapi import FastAPI

from evroam.api.app import create_app
from evroam.config import Settings


def app_from_environment() -> FastAPI:
    """The app configured by ``EVROAM_*`` variables (used by multi-worker serve)."""
    return create_app(Settings())
