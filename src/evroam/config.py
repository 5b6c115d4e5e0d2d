"""Settings from the environment (``EVROAM_*``); built by callers, never a global."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from evroam.storage.database import DEFAULT_DATABASE_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVROAM_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="sqlite:///path.db (embedded default) or postgresql://… (PostGIS)",
    )
    bus_url: str | None = Field(
        default=None, description="redis://… for Redis Streams; unset: in-process bus"
    )
    bus_namespace: str = Field(
        default="evroam",
        pattern=r"^[A-Za-z0-9_.-]{1,64}$",
        description="Prefix of this hub's Redis keys; unique per hub on one Redis",
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
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where partners reach this hub (OCPI versions URL is built on it)",
    )
    tcec_operator_id: str = Field(
        default="MA0EVROAM", description="Our OperatorID towards T/CEC partners"
    )
    token_key: str = Field(
        default="evroam-development-key-change-me",
        description="Signs T/CEC bearer tokens; the same in every worker",
    )
    admin_token: str = Field(
        default="evroam-admin-dev-token",
        description="Bearer token for /api/v1/admin/* (change it in production)",
    )
    maintenance_interval_s: float = Field(
        default=5.0,
        description="How often silent piles expire and partners are checked",
    )
    partner_check_interval_s: float = Field(
        default=30.0, description="How often partners are pinged (resync when back)"
    )
    reconcile_interval_s: float = Field(
        default=300.0,
        description="How often live status is re-read from partners (0: never)",
    )
    webhook_secret: str = Field(
        default="evroam-sandbox-webhook-secret",
        description="Signs payment-provider webhooks (HMAC-SHA256)",
    )
    discount_brand: str = Field(
        default="Xiaomi", description="Brand whose owners get the reference discount"
    )
    discount_percent: int = Field(
        default=10, ge=0, le=100, description="Off electricity + service, first year"
    )
    routing_url: str | None = Field(
        default=None,
        description="OSRM server for road distances (unset: great-circle estimate)",
    )
    http_timeout_s: float = Field(default=20.0, description="Timeout of partner calls")
