"""Settings from the environment (``EVROAM_*``); built by callers, never a global."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVROAM_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/evroam.db",
        description="sqlite:///path.db (embedded default) or postgresql://… (PostGIS)",
    )
    bus_url: str | None = Field(
        default=None, description="redis://… for Redis Streams; unset: in-process bus"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    tiles_url: str | None = Field(
        default=None, description="Optional map tile URL template; none in tests"
    )
    status_ttl_s: int = Field(
        default=900, description="A pile not heard from this long shows unknown"
    )
