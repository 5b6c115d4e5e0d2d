"""Settings from the environment (``EVROAM_*``); built by callers, never a global."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from evroam.hub_secrets import SECRET_NAMES, check_secrets, read_secrets
from evroam.storage.database import DEFAULT_DATABASE_URL

DEFAULT_DATA_DIR = Path("var")


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
        default=None,
        description="Base map tile URL template ({z}/{x}/{y}); unset: offline map",
    )
    tiles_attribution: str = Field(
        default="", description="Credit line the tile source requires (shown on map)"
    )
    tiles_crs: Literal["wgs84", "gcj02"] = Field(
        default="wgs84", description="gcj02 for mainland-China tile sources (Amap)"
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
    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        description="Holds secrets.json (0600), read after the environment",
    )
    token_key: str = Field(
        default="",
        description="Signs T/CEC bearer tokens; the same in every worker (secret)",
    )
    admin_token: str = Field(
        default="", description="Bearer token for /api/v1/admin/* (secret)"
    )
    data_key: str = Field(
        default="",
        description="Fernet key that encrypts partner secrets at rest (secret)",
    )
    password_scrypt_p: int = Field(
        default=5,
        ge=1,
        le=16,
        description="scrypt parallelism of new password hashes (N=2^14, r=8; ADR 0036)",
    )
    payment_provider: Literal["sandbox"] | None = Field(
        default=None,
        description="sandbox: the built-in test provider (demo); unset: no top-ups",
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
        default="",
        description="Signs payment-provider webhooks (HMAC-SHA256) (secret)",
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
    use_case_threads: int = Field(
        default=64,
        ge=1,
        description="Use cases running at once per worker, each in a thread of its own",
    )
    loop_guard: bool = Field(
        default=False,
        description="Raise when database or ledger work runs on the event loop (tests)",
    )
    history_database_days: int = Field(
        default=8,
        ge=1,
        description="Days of pile status history kept in the database (ADR 0024)",
    )
    history_archive_days: int = Field(
        default=400,
        ge=1,
        description="Days of pile status history kept in the Parquet archive",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003 - not used
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then ``DATA_DIR/secrets.json``."""
        assert isinstance(init_settings, InitSettingsSource)
        return (
            init_settings,
            env_settings,
            SecretsFileSource(settings_cls, init_settings.init_kwargs),
        )

    def check_secrets(self) -> None:
        """Raise ``SecretsError`` (one line) if a secret is empty or public."""
        check_secrets({n: getattr(self, n) for n in SECRET_NAMES}, self.data_dir)


class SecretsFileSource(PydanticBaseSettingsSource):
    """The secrets in ``secrets.json`` under the data directory (ADR 0015)."""

    def __init__(
        self, settings_cls: type[BaseSettings], init_kwargs: dict[str, Any]
    ) -> None:
        super().__init__(settings_cls)
        self._data_dir = Path(
            init_kwargs.get("data_dir")
            or os.environ.get("EVROAM_DATA_DIR")
            or DEFAULT_DATA_DIR
        )

    def get_field_value(
        self,
        field: FieldInfo,  # noqa: ARG002 - part of the interface
        field_name: str,
    ) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ reads the whole file at once

    def __call__(self) -> dict[str, Any]:
        return read_secrets(self._data_dir)
