"""Network analytics for the platform operator under /api/v1/admin/analytics."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from evroam.analytics.kanon import DEFAULT_K
from evroam.analytics.network import DEFAULT_TIME_ZONE, Grouping
from evroam.api.deps import ServicesDep
from evroam.api.problem import ADMIN_RESPONSES
from evroam.api.routes.admin import require_admin

router = APIRouter(
    prefix="/api/v1/admin/analytics",
    tags=["analytics"],
    dependencies=[Depends(require_admin)],
    responses=ADMIN_RESPONSES,
)

Report = Literal["utilisation", "occupancy", "hotspots", "underserved", "coverage"]
Audience = Literal["admin", "partner"]
Days = Annotated[int, Query(ge=1, le=366, description="window: the last N days")]
Top = Annotated[int, Query(ge=1, le=500)]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _utilisation(services: ServicesDep, by: Grouping, days: int) -> dict[str, Any]:
    window = services.analytics.window(days)
    rows = services.analytics.utilisation(by, days)
    items = [{**dataclasses.asdict(r), "share": round(r.share, 6)} for r in rows]
    return {"by": by.value, "window_hours": window.hours, "items": items}


def _occupancy(services: ServicesDep, days: int) -> dict[str, Any]:
    heatmap = services.analytics.occupancy(days)
    return {
        "time_zone": heatmap.time_zone,
        "weekdays": WEEKDAYS,
        "shares": [[round(v, 6) for v in day] for day in heatmap.shares],
    }


def _hotspots(
    services: ServicesDep, days: int, top: int, audience: Audience, k: int
) -> dict[str, Any]:
    if audience == "admin":
        spots = services.analytics.hotspots(days, top)
        return {"audience": audience, "items": [dataclasses.asdict(s) for s in spots]}
    shared = services.analytics.shared_hotspots(days, top, k)
    return {
        "audience": audience,
        "k": shared.k,
        "suppressed_cells": shared.suppressed_cells,
        "suppressed_sessions": shared.suppressed_sessions,
        "items": [dataclasses.asdict(s) for s in shared.spots],
    }


def _underserved(services: ServicesDep, days: int, top: int) -> dict[str, Any]:
    areas = services.analytics.underserved(days, top)
    return {"items": [dataclasses.asdict(a) for a in areas]}


def _coverage(services: ServicesDep) -> dict[str, Any]:
    found, areas = services.analytics.coverage()
    covered = set(found.swap_covered)
    return {
        "service_areas": found.areas,
        "swap_covered": len(found.swap_covered),
        "swap_share": round(found.swap_share, 4),
        "dc_fast_covered": len(found.dc_fast_covered),
        "dc_fast_share": round(found.dc_fast_share, 4),
        "without_swap": [a.id for a in areas if a.id not in covered],
    }


@router.get("/utilisation", summary="Share of pile-hours busy per station/partner/city")
def get_utilisation(
    services: ServicesDep, by: Grouping = Grouping.STATION, days: Days = 30
) -> dict[str, Any]:
    return _utilisation(services, by, days)


@router.get(
    "/occupancy", summary=f"Busy share by weekday and hour ({DEFAULT_TIME_ZONE})"
)
def get_occupancy(services: ServicesDep, days: Days = 28) -> dict[str, Any]:
    return _occupancy(services, days)


@router.get("/hotspots", summary="Demand hot spots (grid cells by kWh)")
def get_hotspots(
    services: ServicesDep,
    days: Days = 30,
    top: Top = 20,
    audience: Audience = "admin",
    k: Annotated[int, Query(ge=2, le=1000)] = DEFAULT_K,
) -> dict[str, Any]:
    return _hotspots(services, days, top, audience, k)


@router.get("/coverage", summary="Expressway service areas with swap / DC-fast")
def get_coverage(services: ServicesDep) -> dict[str, Any]:
    return _coverage(services)


@router.get("/underserved", summary="Demand cells ranked by unmet demand")
def get_underserved(
    services: ServicesDep, days: Days = 30, top: Top = 20
) -> dict[str, Any]:
    return _underserved(services, days, top)


def _table(
    services: ServicesDep, report: Report, audience: Audience
) -> list[dict[str, Any]]:
    """One report as flat rows (partner audience: k-anonymous hot spots only)."""
    if audience == "partner" and report != "hotspots":
        raise HTTPException(422, "only hot spots are shared with partners")
    if report == "utilisation":
        rows: list[dict[str, Any]] = _utilisation(services, Grouping.STATION, 30)[
            "items"
        ]
    elif report == "occupancy":
        shares = _occupancy(services, 28)["shares"]
        rows = [
            {"weekday": WEEKDAYS[d], "hour": h, "share": shares[d][h]}
            for d in range(7)
            for h in range(24)
        ]
    elif report == "hotspots":
        rows = _hotspots(services, 30, 500, audience, DEFAULT_K)["items"]
    elif report == "underserved":
        rows = _underserved(services, 30, 500)["items"]
    else:
        summary = _coverage(services)
        rows = [{k: v for k, v in summary.items() if k != "without_swap"}]
    return rows


@router.get("/export.csv", summary="A report as CSV", response_class=Response)
def export_csv(
    services: ServicesDep, report: Report, audience: Audience = "admin"
) -> Response:
    rows = _table(services, report, audience)
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{report}.csv"'},
    )


@router.get("/export.parquet", summary="A report as Parquet", response_class=Response)
def export_parquet(
    services: ServicesDep, report: Report, audience: Audience = "admin"
) -> Response:
    try:
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as missing:  # pragma: no cover - depends on the install
        raise HTTPException(501, "Parquet export needs pyarrow") from missing
    rows = _table(services, report, audience)
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink)
    return Response(
        sink.getvalue(),
        media_type="application/vnd.apache.parquet",
        headers={"Content-Disposition": f'attachment; filename="{report}.parquet"'},
    )
