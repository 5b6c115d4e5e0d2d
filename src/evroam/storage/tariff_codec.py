"""JSON codec of the canonical tariff (``pricing.elements.ElementTariff``).

The shape follows OCPI 2.2.1's Tariff object field by field (numbers as
strings, so every Decimal comes back exact), with our ``evroam`` object on an
element and ``months`` in it, as on the wire (ADR 0022). Stored in
``tariff_versions.body``.
"""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal
from typing import Any

from evroam.pricing.elements import (
    NO_EXTENSION,
    Dimension,
    ElementTariff,
    Extension,
    PriceBound,
    PriceComponent,
    Reservation,
    Restrictions,
    TariffElement,
)

_DECIMALS = (
    "min_kwh",
    "max_kwh",
    "min_current",
    "max_current",
    "min_power",
    "max_power",
)
_FIELD = {  # OCPI name -> our Restrictions attribute, where they differ
    "min_current": "min_current_a",
    "max_current": "max_current_a",
    "min_power": "min_power_kw",
    "max_power": "max_power_kw",
    "min_duration": "min_duration_s",
    "max_duration": "max_duration_s",
}


def element_tariff_to_json(tariff: ElementTariff) -> str:
    body: dict[str, Any] = {
        "id": tariff.id,
        "currency": tariff.currency,
        "elements": [_element(e) for e in tariff.elements],
    }
    for name in ("min_price", "max_price"):
        bound: PriceBound | None = getattr(tariff, name)
        if bound is not None:
            body[name] = {
                "excl_vat": str(bound.excl_vat),
                "incl_vat": None if bound.incl_vat is None else str(bound.incl_vat),
            }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def element_tariff_from_json(text: str) -> ElementTariff:
    body = json.loads(text)
    return ElementTariff(
        id=body["id"],
        currency=body["currency"],
        elements=tuple(_read_element(e) for e in body["elements"]),
        min_price=_read_bound(body.get("min_price")),
        max_price=_read_bound(body.get("max_price")),
    )


def _element(element: TariffElement) -> dict[str, Any]:
    out: dict[str, Any] = {
        "price_components": [
            {
                "type": c.dimension.value,
                "price": str(c.price),
                "step_size": c.step_size,
                "vat": None if c.vat_percent is None else str(c.vat_percent),
            }
            for c in element.components
        ]
    }
    r = element.restrictions
    months: list[int] = []
    if r is not None:
        out["restrictions"] = _restrictions(r)
        months = sorted(r.months)
    ext = element.extension
    evroam = {
        "service_price": None if ext.service_price is None else str(ext.service_price),
        "period": ext.period,
        "months": months or None,
        "free_minutes": ext.free_minutes or None,
        "daily_cap": None if ext.daily_cap is None else str(ext.daily_cap),
        "is_idle_fee": ext.is_idle_fee or None,
        "idle_cap": None if ext.idle_cap is None else str(ext.idle_cap),
    }
    kept = {k: v for k, v in evroam.items() if v is not None}
    if kept:
        out["evroam"] = kept
    return out


def _restrictions(r: Restrictions) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start_time": None if r.start_time is None else r.start_time.isoformat(),
        "end_time": None if r.end_time is None else r.end_time.isoformat(),
        "start_date": None if r.start_date is None else r.start_date.isoformat(),
        "end_date": None if r.end_date is None else r.end_date.isoformat(),
        "min_duration": r.min_duration_s,
        "max_duration": r.max_duration_s,
        "day_of_week": sorted(r.days_of_week) or None,
        "reservation": None if r.reservation is None else r.reservation.value,
    }
    for name in _DECIMALS:
        value = getattr(r, _FIELD.get(name, name))
        out[name] = None if value is None else str(value)
    return {k: v for k, v in out.items() if v is not None}


def _read_element(body: dict[str, Any]) -> TariffElement:
    components = tuple(
        PriceComponent(
            Dimension(c["type"]),
            Decimal(c["price"]),
            int(c["step_size"]),
            None if c.get("vat") is None else Decimal(c["vat"]),
        )
        for c in body["price_components"]
    )
    ext = body.get("evroam") or {}
    months = frozenset(ext.get("months") or ())
    restrictions = body.get("restrictions")
    return TariffElement(
        components,
        None if restrictions is None else _read_restrictions(restrictions, months),
        _read_extension(ext),
    )


def _read_restrictions(body: dict[str, Any], months: frozenset[int]) -> Restrictions:
    def at(name: str) -> time | None:
        return None if body.get(name) is None else time.fromisoformat(body[name])

    def day(name: str) -> date | None:
        return None if body.get(name) is None else date.fromisoformat(body[name])

    numbers = {
        _FIELD.get(name, name): None if body.get(name) is None else Decimal(body[name])
        for name in _DECIMALS
    }
    reservation = body.get("reservation")
    return Restrictions(
        start_time=at("start_time"),
        end_time=at("end_time"),
        start_date=day("start_date"),
        end_date=day("end_date"),
        min_duration_s=body.get("min_duration"),
        max_duration_s=body.get("max_duration"),
        days_of_week=frozenset(body.get("day_of_week") or ()),
        reservation=None if reservation is None else Reservation(reservation),
        months=months,
        **numbers,
    )


def _read_extension(body: dict[str, Any]) -> Extension:
    if not body or set(body) == {"months"}:
        return NO_EXTENSION

    def number(name: str) -> Decimal | None:
        return None if body.get(name) is None else Decimal(body[name])

    return Extension(
        service_price=number("service_price"),
        period=body.get("period"),
        free_minutes=int(body.get("free_minutes") or 0),
        daily_cap=number("daily_cap"),
        is_idle_fee=bool(body.get("is_idle_fee")),
        idle_cap=number("idle_cap"),
    )


def _read_bound(body: dict[str, Any] | None) -> PriceBound | None:
    if body is None:
        return None
    incl = body.get("incl_vat")
    return PriceBound(
        Decimal(body["excl_vat"]), None if incl is None else Decimal(incl)
    )
