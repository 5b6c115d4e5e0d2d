"""Read-only SQL over the hub database for the live (small-data) network reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, and_, or_, select

from evroam.analytics.coverage import SiteFacts
from evroam.analytics.network import (
    DC_FAST_KW,
    BusySpan,
    DemandPoint,
    PileRef,
    SupplyPoint,
    Window,
    busy_hours_by_pile,
)
from evroam.catalogue.model import ConnectorStandard
from evroam.storage.charging_tables import charging_sessions
from evroam.storage.codec import aware_utc
from evroam.storage.tables import piles, stations

_DC_MASK = (
    ConnectorStandard.GBT_DC.bit
    | ConnectorStandard.CCS2.bit
    | ConnectorStandard.CHADEMO.bit
    | ConnectorStandard.NACS.bit
)


class SqlAnalyticsRepository:
    """Busy spans come from charge sessions (start to end, or to ``now`` if open):
    the hub keeps live pile status, not its history."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def pile_refs(self) -> list[PileRef]:
        query = select(
            piles.c.id, stations.c.id, stations.c.operator_id, stations.c.city
        ).join(stations, piles.c.station_sid == stations.c.sid)
        with self._engine.connect() as conn:
            return [PileRef(*row) for row in conn.execute(query)]

    def busy_spans(self, window: Window, now: datetime) -> list[BusySpan]:
        s = charging_sessions.c
        query = select(s.pile_id, s.started_at, s.ended_at).where(
            s.started_at.is_not(None),
            s.started_at < window.end_at,
            or_(s.ended_at.is_(None), s.ended_at > window.start_at),
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        spans = []
        for pile_id, started_at, ended_at in rows:
            start = aware_utc(started_at)
            end = aware_utc(ended_at) or now
            if start is not None and end > start:
                spans.append(BusySpan(pile_id, start, end))
        return spans

    def demand(self, window: Window) -> list[DemandPoint]:
        s = charging_sessions.c
        query = (
            select(stations.c.lat, stations.c.lon, s.kwh, s.account_id)
            .join(stations, stations.c.id == s.station_id)
            .where(
                and_(
                    s.started_at.is_not(None),
                    s.started_at >= window.start_at,
                    s.started_at < window.end_at,
                )
            )
        )
        with self._engine.connect() as conn:
            return [
                DemandPoint(lat, lon, float(kwh), account)
                for lat, lon, kwh, account in conn.execute(query)
            ]

    def supply(self, window: Window, now: datetime) -> list[SupplyPoint]:
        """DC-fast piles (≥ 60 kW) with their busy share over ``window``."""
        query = (
            select(piles.c.id, stations.c.lat, stations.c.lon, piles.c.max_power_kw)
            .join(stations, piles.c.station_sid == stations.c.sid)
            .where(
                piles.c.max_power_kw >= DC_FAST_KW,
                stations.c.connector_mask.op("&")(_DC_MASK) != 0,
            )
        )
        busy = busy_hours_by_pile(self.busy_spans(window, now), window)
        with self._engine.connect() as conn:
            return [
                SupplyPoint(lat, lon, power, busy.get(pid, 0.0) / window.hours)
                for pid, lat, lon, power in conn.execute(query)
            ]

    def sites(self) -> list[SiteFacts]:
        st = stations.c
        query = select(st.lat, st.lon, st.is_swap, st.max_power_kw, st.connector_mask)
        with self._engine.connect() as conn:
            return [
                SiteFacts(lat, lon, bool(swap), power if mask & _DC_MASK else 0.0)
                for lat, lon, swap, power, mask in conn.execute(query)
            ]
