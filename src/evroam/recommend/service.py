"""Recommend where to charge or swap: reachable stations, evaluated and ranked.

Two stages keep the work bounded. Screening prices the nearest candidates from
their list summaries (best pile power, all free piles, today's unit price),
which is optimistic; the best screened ones are then evaluated exactly from
the station's piles and tariff (usable connectors, online piles, the pricing
engine over time-of-use boundaries) until the next screened option cannot
beat the ranking any more or the detail budget is spent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from evroam.catalogue.errors import StationNotFoundError
from evroam.catalogue.model import (
    ConnectorStandard,
    PowerType,
    Station,
    StatusCategory,
)
from evroam.catalogue.search import MAX_RADIUS_M, NearQuery, StationFilter, StationHit
from evroam.catalogue.service import StationDetail
from evroam.pricing.discount import DiscountContext, DiscountRule
from evroam.pricing.elements import ElementTariff
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession
from evroam.recommend.availability import (
    FADE_MINUTES_AC,
    FADE_MINUTES_DC,
    arrival,
    hour_of_week,
    status_age_s,
)
from evroam.recommend.ports import (
    AvailabilityHistory,
    Leg,
    OccupancyHistory,
    PileReliability,
    RoadDistance,
    StationSource,
)
from evroam.recommend.reliability import PileTrack
from evroam.recommend.request import Recommendation, RecommendRequest
from evroam.recommend.scoring import (
    VALUE_OF_TIME_PER_HOUR,
    Objective,
    Option,
    OptionKind,
    rank,
    sort_key,
)
from evroam.recommend.vehicle import VehicleModel, charge_minutes, energy_kwh
from evroam.recommend.vehicles import all_vehicles
from evroam.recommend.wait import (
    AC_SESSION_MINUTES,
    DC_SESSION_MINUTES,
    DailyProfileHistory,
    PileState,
    swap_wait_minutes,
)
from evroam.shared.clock import Clock
from evroam.shared.geo import GeoPoint, distance_m
from evroam.shared.ids import OperatorId, StationId
from evroam.shared.money import Money

_DC = frozenset(
    {
        ConnectorStandard.GBT_DC,
        ConnectorStandard.CCS2,
        ConnectorStandard.CHADEMO,
        ConnectorStandard.NACS,
    }
)
_ONLINE = (StatusCategory.FREE, StatusCategory.BUSY)
_KWH = Decimal("0.001")
# Station details read per round trip while evaluating (most answers need 5-8).
_READ_AHEAD = 4
_Cost = Callable[[Decimal, datetime, datetime], tuple[Money, Money]]


@dataclass(frozen=True, slots=True)
class _Reached:
    """A candidate the car reaches with its reserve."""

    hit: StationHit
    leg: Leg
    detour_km: float | None
    added_minutes: float  # what the stop adds to the trip: drive or detour
    arrival_soc: float


@dataclass(frozen=True, slots=True)
class _Plug:
    power_kw: float
    power_type: PowerType
    usable: int
    free: int


class RecommendService:
    def __init__(
        self,
        stations: StationSource,
        roads: RoadDistance,
        clock: Clock,
        discounts: Sequence[DiscountRule] = (),
        history: OccupancyHistory | None = None,
        *,
        nearest: int = 60,
        detail_budget: int = 16,
        value_of_time_per_hour: Decimal = VALUE_OF_TIME_PER_HOUR,
        availability: AvailabilityHistory | None = None,
        reliability: PileReliability | None = None,
    ) -> None:
        self._stations = stations
        self._roads = roads
        self._clock = clock
        self._discounts = tuple(discounts)
        self._history = history or DailyProfileHistory()
        self._nearest = nearest
        self._budget = detail_budget
        self._vot = value_of_time_per_hour
        self._availability = availability
        self._reliability = reliability

    def list_vehicles(self) -> tuple[VehicleModel, ...]:
        return all_vehicles()

    def recommend(self, request: RecommendRequest) -> Recommendation:
        """The best places to charge or swap, ranked by ``request.objective``."""
        now = self._clock.now()
        vehicle = request.vehicle
        reach_km = vehicle.range_km(
            request.soc_percent - request.min_arrival_soc_percent
        )
        reached = self._reachable(request, self._candidates(request, reach_km))
        screened = [
            (option, r)
            for r in reached
            if (option := self._screen(request, r, now)) is not None
        ]
        screened.sort(key=lambda pair: self._key(pair[0], request.objective))
        evaluated = self._evaluate(request, screened, now)
        options = rank(evaluated, request.objective, request.limit, self._vot)
        return Recommendation(options, tuple(evaluated), reach_km)

    # -- candidates ----------------------------------------------------------------
    def _candidates(
        self, request: RecommendRequest, reach_km: float
    ) -> list[StationHit]:
        radius_m = min(reach_km * 1000.0, MAX_RADIUS_M)
        vehicle = request.vehicle
        plugs = vehicle.connectors - {ConnectorStandard.SWAP}
        centres = [request.position]
        if request.destination is not None:
            centres.append(_toward(request.position, request.destination, reach_km))
        charge = StationFilter(connectors=plugs, operator_ids=request.operator_ids)
        queries = [
            NearQuery(centre, radius_m, charge, limit=max(self._nearest, 1))
            for centre in centres
        ]
        swap_ops = frozenset(vehicle.swap_operator_ids)
        if request.operator_ids:
            swap_ops &= request.operator_ids
        if swap_ops:
            swap = StationFilter(
                connectors=frozenset({ConnectorStandard.SWAP}),
                operator_ids=frozenset(OperatorId(o) for o in swap_ops),
            )
            limit = max(self._nearest // 3, 1)
            queries.append(NearQuery(request.position, radius_m, swap, limit=limit))
        hits: dict[str, StationHit] = {}
        for page in self._stations.find_stations_near_many(queries):
            for hit in page.items:
                hits.setdefault(hit.summary.id, hit)
        return list(hits.values())

    def _reachable(
        self, request: RecommendRequest, hits: list[StationHit]
    ) -> list[_Reached]:
        points = [GeoPoint(h.summary.lat, h.summary.lon) for h in hits]
        legs = self._roads.route_many(request.position, points)
        onward: Sequence[Leg | None] = [None] * len(hits)
        direct: Leg | None = None
        if request.destination is not None:
            onward = self._roads.route_many(request.destination, points)
            direct = self._roads.route(request.position, request.destination)
        out: list[_Reached] = []
        for hit, leg, rest in zip(hits, legs, onward, strict=True):
            arrival = request.soc_percent - request.vehicle.soc_used(leg.distance_km)
            if arrival < request.min_arrival_soc_percent:
                continue  # never beyond the reserve
            detour_km, added = None, leg.minutes
            if rest is not None and direct is not None:
                detour_km = max(
                    leg.distance_km + rest.distance_km - direct.distance_km, 0.0
                )
                added = max(leg.minutes + rest.minutes - direct.minutes, 0.0)
            limit_km = leg.distance_km if detour_km is None else detour_km
            if request.max_detour_km is not None and limit_km > request.max_detour_km:
                continue
            out.append(_Reached(hit, leg, detour_km, added, arrival))
        return out

    # -- screening and exact evaluation ------------------------------------------------
    def _key(
        self, option: Option, objective: Objective
    ) -> tuple[Decimal, Decimal, Decimal, str, str]:
        return sort_key(option, objective, self._vot)

    def _screen(
        self, request: RecommendRequest, r: _Reached, now: datetime
    ) -> Option | None:
        s = r.hit.summary
        price = r.hit.price_now.total_per_kwh

        def rough_cost(kwh: Decimal, *_: datetime) -> tuple[Money, Money]:
            money = Money(kwh * price)
            return money, money

        if s.is_swap:
            return self._swap_option(request, r, now, rough_cost)
        online = s.piles.free + s.piles.busy
        if online == 0:
            return None
        usable = s.connectors & request.vehicle.connectors
        kind = PowerType.DC if usable & _DC else PowerType.AC
        plug = _Plug(s.max_power_kw, kind, online, s.piles.free)
        return self._charge_option(request, r, now, plug, rough_cost)

    def _evaluate(
        self,
        request: RecommendRequest,
        screened: list[tuple[Option, _Reached]],
        now: datetime,
    ) -> list[Option]:
        exact: list[Option] = []
        keys: list[tuple[Decimal, Decimal, Decimal, str, str]] = []
        details: dict[StationId, StationDetail] = {}
        for at, (rough, r) in enumerate(screened):
            if len(exact) >= self._budget:
                break
            key = self._key(rough, request.objective)
            if len(keys) >= request.limit and key > sorted(keys)[request.limit - 1]:
                break  # screening is optimistic: nothing further can rank higher
            if r.hit.summary.id not in details:  # read the next few at once
                ahead = [h.hit.summary.id for _, h in screened[at : at + _READ_AHEAD]]
                for fetched in self._stations.get_stations(ahead):
                    details[fetched.station.id] = fetched
            detail = details.get(r.hit.summary.id)
            if detail is None:
                raise StationNotFoundError(r.hit.summary.id)
            option = self._exact(request, r, now, detail)
            if option is not None:
                exact.append(option)
                keys.append(self._key(option, request.objective))
        return exact

    def _exact(
        self,
        request: RecommendRequest,
        r: _Reached,
        now: datetime,
        detail: StationDetail,
    ) -> Option | None:
        station = detail.station
        cost = self._pricer(request, station, detail.priced)
        if station.is_swap:
            swap_online = any(
                p.status.category in _ONLINE
                and any(c.standard is ConnectorStandard.SWAP for c in p.connectors)
                for p in station.piles
            )
            if not swap_online:
                return None
            return self._swap_option(request, r, now, cost)
        low = self._low_piles(station)
        plug = _best_plug(station, request.vehicle, frozenset(low))
        if plug is not None or not low:
            if plug is None:
                return None
            return self._charge_option(request, r, now, plug, cost)
        plug = _best_plug(station, request.vehicle)  # only low piles are left
        option = (
            None if plug is None else self._charge_option(request, r, now, plug, cost)
        )
        if option is None:
            return None
        best = max(low.values(), key=lambda t: t.score)
        return replace(option, reliability=best.score, reliability_note=best.describe())

    def _low_piles(self, station: Station) -> dict[str, PileTrack]:
        """The station's piles with a low reliability score (ADR 0040)."""
        if self._reliability is None:
            return {}
        tracks = {p.id: self._reliability.track(p.id) for p in station.piles}
        return {pid: t for pid, t in tracks.items() if t is not None and t.is_low}

    # -- building options ---------------------------------------------------------
    def _charge_option(
        self,
        request: RecommendRequest,
        r: _Reached,
        now: datetime,
        plug: _Plug,
        cost: _Cost,
    ) -> Option | None:
        vehicle, s = request.vehicle, r.hit.summary
        target = request.target_soc_percent
        if r.arrival_soc >= target or plug.power_kw <= 0:
            return None
        arrival_at = now + timedelta(minutes=r.leg.minutes)
        local = arrival_at.astimezone(ZoneInfo(s.time_zone))
        is_dc = plug.power_type is PowerType.DC
        share = (
            None
            if self._availability is None
            else self._availability.share(s.id, s.operator_id, hour_of_week(local))
        )
        outlook = arrival(
            PileState(plug.usable, plug.free),
            share,
            self._history.expected_utilisation(s.id, local),
            r.leg.minutes,
            DC_SESSION_MINUTES if is_dc else AC_SESSION_MINUTES,
            FADE_MINUTES_DC if is_dc else FADE_MINUTES_AC,
        )
        wait = outlook.wait_minutes
        minutes = charge_minutes(
            vehicle, r.arrival_soc, target, plug.power_kw, plug.power_type
        )
        kwh = Decimal(str(energy_kwh(vehicle, r.arrival_soc, target))).quantize(_KWH)
        start = arrival_at + timedelta(minutes=wait)
        paid, partner = cost(kwh, start, start + timedelta(minutes=minutes))
        option = _option(
            OptionKind.CHARGE, r, arrival_at, wait, minutes, target, kwh, plug, paid,
            partner, r.added_minutes + wait + minutes,
        )  # fmt: skip
        return replace(
            option,
            free_chance=outlook.free_chance,
            free_chance_basis=outlook.basis.value,
            status_age_s=status_age_s(s.updated_at, now),
        )

    def _swap_option(
        self, request: RecommendRequest, r: _Reached, now: datetime, cost: _Cost
    ) -> Option | None:
        bay = r.hit.summary.swap
        if bay is None or bay.batteries_in_stock <= bay.queue_length:
            return None  # the cars ahead would take the last packs
        arrival_at = now + timedelta(minutes=r.leg.minutes)
        wait = swap_wait_minutes(bay.queue_length, bay.swap_minutes)
        kwh = Decimal(str(energy_kwh(request.vehicle, r.arrival_soc, 100.0)))
        kwh = kwh.quantize(_KWH)
        start = arrival_at + timedelta(minutes=wait)
        paid, partner = cost(kwh, start, start + timedelta(minutes=bay.swap_minutes))
        plug = _Plug(0.0, PowerType.DC, 1, 0 if bay.queue_length else 1)
        option = _option(
            OptionKind.SWAP, r, arrival_at, wait, float(bay.swap_minutes), 100.0, kwh,
            plug, paid, partner, r.added_minutes + wait + bay.swap_minutes,
        )  # fmt: skip
        option = _with_swap(option, bay.batteries_in_stock, bay.queue_length)
        return replace(option, status_age_s=status_age_s(r.hit.summary.updated_at, now))

    def _pricer(
        self, request: RecommendRequest, station: Station, tariff: ElementTariff
    ) -> _Cost:
        car = request.discount_car()

        def priced(kwh: Decimal, start: datetime, end: datetime) -> tuple[Money, Money]:
            session = ChargeSession.flat(start, end, kwh)
            if car is None:
                bill = quote_charge(tariff, station.parking, session, station.time_zone)
            else:
                context = DiscountContext(
                    car.brand,
                    car.delivery_date,
                    station.operator_id,
                    start,
                    station.time_zone,
                )
                bill = quote_charge(
                    tariff,
                    station.parking,
                    session,
                    station.time_zone,
                    self._discounts,
                    context=context,
                )
            return bill.driver_total, bill.partner_total

        return priced


def _best_plug(
    station: Station, vehicle: VehicleModel, avoid: frozenset[str] = frozenset()
) -> _Plug | None:
    """Online piles with a connector the car takes (but those to ``avoid``);
    the quickest power wins."""
    usable = free = 0
    best: tuple[float, PowerType] | None = None
    for pile in station.piles:
        category = pile.status.category
        fits = [c for c in pile.connectors if c.standard in vehicle.connectors]
        if category not in _ONLINE or not fits or pile.id in avoid:
            continue
        usable += 1
        free += category is StatusCategory.FREE
        for c in fits:
            power = min(c.max_power_kw, _car_limit(vehicle, c.power_type))
            if best is None or (c.power_type, power) > (best[1], best[0]):
                best = (power, c.power_type)
    if best is None:
        return None
    return _Plug(best[0], best[1], usable, free)


def _car_limit(vehicle: VehicleModel, power_type: PowerType) -> float:
    return vehicle.max_dc_kw if power_type is PowerType.DC else vehicle.max_ac_kw


def _option(
    kind: OptionKind,
    r: _Reached,
    arrival_at: datetime,
    wait: float,
    minutes: float,
    final_soc: float,
    kwh: Decimal,
    plug: _Plug,
    paid: Money,
    partner: Money,
    total: float,
) -> Option:
    s = r.hit.summary
    return Option(
        kind=kind,
        station_id=s.id,
        station_name=s.name,
        operator_id=s.operator_id,
        lat=s.lat,
        lon=s.lon,
        drive_km=round(r.leg.distance_km, 2),
        drive_minutes=round(r.leg.minutes, 1),
        detour_km=None if r.detour_km is None else round(r.detour_km, 2),
        arrival_soc=round(r.arrival_soc, 1),
        arrival_at=arrival_at,
        wait_minutes=round(wait, 1),
        charge_minutes=round(minutes, 1),
        final_soc=final_soc,
        energy_kwh=kwh,
        power_kw=plug.power_kw,
        free_piles=plug.free,
        usable_piles=plug.usable,
        price_now_per_kwh=r.hit.price_now.total_per_kwh,
        partner_cost=partner,
        cost=paid,
        total_minutes=round(total, 1),
    )


def _with_swap(option: Option, stock: int, queue: int) -> Option:
    return replace(option, batteries_in_stock=stock, queue_length=queue)


def _toward(origin: GeoPoint, destination: GeoPoint, reach_km: float) -> GeoPoint:
    """A point on the way, half the car's reach out (or the destination)."""
    straight_km = (
        distance_m(origin.lat, origin.lon, destination.lat, destination.lon) / 1000.0
    )
    share = 1.0 if straight_km == 0 else min(1.0, reach_km * 0.5 / straight_km)
    return GeoPoint(
        origin.lat + (destination.lat - origin.lat) * share,
        origin.lon + (destination.lon - origin.lon) * share,
    )
