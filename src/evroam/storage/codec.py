"""JSON codecs for value objects stored as text (tariffs, connectors)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from evroam.catalogue.model import Connector, ConnectorStandard, PowerType
from evroam.pricing.tariff import IdleFee, PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.shared.ids import TariffId
from evroam.shared.money import unit_price


def tariff_to_json(tariff: Tariff) -> str:
    body: dict[str, Any] = {
        "currency": tariff.currency,
        "default": tariff.default_kind.value,
        "prices": [
            [p.kind.value, str(p.electricity_per_kwh), str(p.service_per_kwh)]
            for p in tariff.prices
        ],
        "windows": [
            [w.start.isoformat("minutes"), w.end.isoformat("minutes"), w.kind.value]
            + ([sorted(w.months)] if w.months else [])
            for w in tariff.windows
        ],
    }
    if tariff.idle is not None:
        idle = tariff.idle
        body["idle"] = {
            "grace_minutes": idle.grace_minutes,
            "per_minute": str(idle.per_minute),
            "cap": None if idle.cap is None else str(idle.cap),
        }
    return json.dumps(body, separators=(",", ":"))


def tariff_from_json(tariff_id: str, text: str) -> Tariff:
    body = json.loads(text)
    return Tariff(
        id=TariffId(tariff_id),
        prices=tuple(
            PeriodPrice(PeriodKind(kind), Decimal(elec), Decimal(service))
            for kind, elec, service in body["prices"]
        ),
        windows=tuple(_window(item) for item in body["windows"]),
        default_kind=PeriodKind(body["default"]),
        currency=body["currency"],
        idle=idle_fee_from_json(body.get("idle")),
    )


def idle_fee_from_json(body: dict[str, Any] | None) -> IdleFee | None:
    """``{"grace_minutes": 15, "per_minute": "0.50", "cap": "30.00"}``; cap optional."""
    if body is None:
        return None
    cap = body.get("cap")
    return IdleFee(
        grace_minutes=int(body.get("grace_minutes", 0)),
        per_minute=unit_price(str(body["per_minute"])),
        cap=None if cap is None else Decimal(str(cap)),
    )


def _window(item: list[Any]) -> TouWindow:
    months = frozenset(item[3]) if len(item) > 3 else frozenset()
    return TouWindow(
        time.fromisoformat(item[0]),
        time.fromisoformat(item[1]),
        PeriodKind(item[2]),
        months,
    )


def connectors_to_json(connectors: tuple[Connector, ...]) -> str:
    return json.dumps(
        [[c.standard.value, c.max_power_kw, c.power_type.value] for c in connectors],
        separators=(",", ":"),
    )


def connectors_from_json(text: str) -> tuple[Connector, ...]:
    return tuple(
        Connector(ConnectorStandard(std), float(kw), PowerType(pt))
        for std, kw, pt in json.loads(text)
    )


def aware_utc(value: datetime | None) -> datetime | None:
    """Datetimes come back naive from SQLite; they were stored as UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
