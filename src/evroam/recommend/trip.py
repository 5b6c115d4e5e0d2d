"""Trip planning: charging and swap stops from A to B, fastest or cheapest.

``TripPlanner.plan`` gathers candidate stations along the corridor
(``trip_corridor``), builds the discretised model (``trip_search``: exact
label-setting over (stop, departure SoC) states, ADR 0009), and prices the
chosen stops with the pricing engine at the planned arrival times. When fast
chargers leave a gap it tries slower ones, then a reachability search over
every usable station near the route (``trip_reach``); stops a driver would
laugh at are ruled out (ADR 0031).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np

from evroam.catalogue.search import StationHit, StationSummary, summarise
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession
from evroam.recommend.availability import (
    FADE_MINUTES_AC,
    FADE_MINUTES_DC,
    Arrival,
    arrival,
    hour_of_week,
    status_age_s,
)
from evroam.recommend.errors import InvalidRecommendRequestError
from evroam.recommend.ports import (
    AvailabilityHistory,
    OccupancyHistory,
    RoadDistance,
    StationSource,
)
from evroam.recommend.road import GreatCircleRoads
from evroam.recommend.trip_corridor import (
    MIN_DC_KW,
    CandidateStop,
    Corridor,
    CorridorSettings,
    effective_kw,
    find_corridor,
    is_ac_only,
    progress_km,
)
from evroam.recommend.trip_reach import Gap, Window, band_points, reach
from evroam.recommend.trip_rules import (
    SILLY_STOP_RULES,
    SillyStopRules,
    solve_sensibly,
)
from evroam.recommend.trip_search import (
    NoFeasibleTripError,
    Schedule,
    ScheduledStop,
    StopOption,
    TripInstance,
    TripObjective,
)
from evroam.recommend.vehicle import VehicleModel
from evroam.recommend.vehicles import CustomVehicle, custom_vehicle, get_vehicle
from evroam.recommend.wait import (
    AC_SESSION_MINUTES,
    DC_SESSION_MINUTES,
    DailyProfileHistory,
    PileState,
    swap_wait_minutes,
)
from evroam.shared.clock import Clock
from evroam.shared.geo import GeoPoint
from evroam.shared.ids import StationId
from evroam.shared.message import Message
from evroam.shared.money import Money

__all__ = [
    "STOP_OVERHEAD_MINUTES",
    "SWAP_FEE",
    "NoFeasibleTripError",
    "StopPlan",
    "TripLeg",
    "TripObjective",
    "TripPlan",
    "TripPlanner",
    "TripRequest",
]

SWAP_FEE = Money.of("10.00")
"""Handling fee per swap on top of the energy (a modelling assumption, ADR 0009)."""
STOP_OVERHEAD_MINUTES = 5.0
"""Leaving the road, parking, plugging in and paying, at every stop (ADR 0009)."""
WH = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class TripRequest:
    """``vehicle``: a catalogue id, a driver's custom figures, or a model."""

    vehicle: str | CustomVehicle | VehicleModel
    soc_percent: float
    origin: GeoPoint
    destination: GeoPoint
    min_arrival_soc_percent: float = 10.0
    target_soc_max_percent: float = 90.0
    objective: TripObjective = TripObjective.TIME
    departs_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in (
            "soc_percent",
            "min_arrival_soc_percent",
            "target_soc_max_percent",
        ):
            if not 0 <= getattr(self, name) <= 100:
                raise InvalidRecommendRequestError(name, "must be between 0 and 100")
        if self.soc_percent < self.min_arrival_soc_percent:
            raise InvalidRecommendRequestError(
                "soc", "is already below min_arrival_soc at departure"
            )
        if self.target_soc_max_percent <= self.min_arrival_soc_percent:
            raise InvalidRecommendRequestError(
                "target_soc_max", "must be above min_arrival_soc"
            )
        if self.departs_at is not None and self.departs_at.tzinfo is None:
            raise InvalidRecommendRequestError("departs_at", "must have a time zone")


@dataclass(frozen=True, slots=True)
class StopPlan:
    station: StationSummary
    arrival_soc: float
    departure_soc: float
    arrives_at: datetime
    leaves_at: datetime
    wait_minutes: float
    charge_minutes: float  # for a swap: the swap itself
    overhead_minutes: float  # leaving the road, plugging in, paying
    energy_kwh: float
    cost: Money
    is_swap: bool
    alternatives: tuple[StationSummary, ...]
    power_kw: float = 0.0  # what the car draws there (0 for a swap)
    is_ac: bool = False
    free_chance: float | None = None  # a pile free on arrival (ADR 0039)
    free_chance_basis: str | None = None
    status_age_s: int | None = None  # since the station's status last changed


@dataclass(frozen=True, slots=True)
class TripLeg:
    start: GeoPoint
    end: GeoPoint
    distance_km: float
    drive_minutes: float
    departure_soc: float
    arrival_soc: float


@dataclass(frozen=True, slots=True)
class TripPlan:
    vehicle_id: str
    objective: TripObjective
    departs_at: datetime
    arrives_at: datetime
    legs: tuple[TripLeg, ...]
    stops: tuple[StopPlan, ...]
    total_minutes: float
    drive_minutes: float
    total_cost: Money
    total_km: float
    arrival_soc: float
    notes: tuple[Message, ...] = ()  # e.g. slower chargers used, range extender


class TripPlanner:
    """Plans trips over the live catalogue; all I/O goes through the ports."""

    def __init__(
        self,
        stations: StationSource,
        clock: Clock,
        road: RoadDistance | None = None,
        history: OccupancyHistory | None = None,
        corridor: CorridorSettings | None = None,
        soc_step: float = 5.0,
        rules: SillyStopRules = SILLY_STOP_RULES,
        availability: AvailabilityHistory | None = None,
    ) -> None:
        self._stations = stations
        self._clock = clock
        self._road: RoadDistance = road or GreatCircleRoads()
        self._history: OccupancyHistory = history or DailyProfileHistory()
        self._corridor = corridor or CorridorSettings()
        self._soc_step = soc_step
        self._rules = rules
        self._availability = availability

    def plan(self, request: TripRequest) -> TripPlan:
        """The fastest (or cheapest) feasible plan; ``NoFeasibleTripError``, naming
        the stretch no hop covers and the car's range, if none exists."""
        vehicle = _vehicle(request.vehicle)
        departs_at = request.departs_at or self._clock.now()
        origin, destination = request.origin, request.destination
        tiers = (self._corridor, self._corridor.slower())
        corridor = find_corridor(self._stations, vehicle, origin, destination, tiers[0])
        for settings in tiers:
            if settings is not tiers[0]:
                corridor = find_corridor(
                    self._stations, vehicle, origin, destination, settings
                )
            found = self._attempt(vehicle, request, corridor, departs_at)
            if found is not None:
                return found
        window = Window(
            request.soc_percent,
            request.min_arrival_soc_percent,
            request.target_soc_max_percent,
        )
        points = band_points(self._stations, vehicle, origin, destination)
        reached = reach(vehicle, points, origin, destination, window)
        if reached.path is not None:
            hits = [self._hit(p.id) for p in reached.path]
            chain = _chain_corridor(corridor, hits, origin, destination)
            found = self._attempt(vehicle, request, chain, departs_at)
            if found is not None:
                return found
        if vehicle.is_extended_range:
            return self._range_extender_plan(vehicle, request, departs_at)
        said = _gap_message(vehicle, reached.gap, window)
        raise NoFeasibleTripError(said.text, said)

    def _hit(self, station_id: StationId) -> StationHit:
        detail = self._stations.get_station(station_id)
        return StationHit(summarise(detail.station), None, detail.price_now)

    def _attempt(
        self,
        vehicle: VehicleModel,
        request: TripRequest,
        corridor: Corridor,
        departs_at: datetime,
    ) -> TripPlan | None:
        points = [
            request.origin,
            *(s.point for s in corridor.stops),
            request.destination,
        ]
        km, minutes = self._legs(vehicle, points)
        from_origin = self._road.route_many(request.origin, points[1:-1])
        options = tuple(
            self._option(vehicle, stop, leg.minutes, departs_at)
            for stop, leg in zip(corridor.stops, from_origin, strict=True)
        )
        near_start = tuple(leg.distance_km for leg in from_origin)
        instance = TripInstance(
            vehicle,
            options,
            km,
            minutes,
            request.soc_percent,
            request.min_arrival_soc_percent,
            request.target_soc_max_percent,
            self._soc_step,
            request.objective,
        )
        schedule = solve_sensibly(instance, near_start, self._rules)
        if schedule is None:
            return None
        legs = _trip_legs(request, points, (km, minutes), schedule)
        return self._plan(vehicle, request, corridor, legs, schedule, departs_at)

    # -- model building --------------------------------------------------------------
    def _legs(
        self, vehicle: VehicleModel, points: Sequence[GeoPoint]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Road legs between every ordered pair the car could drive in one go."""
        size = len(points)
        km = np.full((size, size), np.inf)
        minutes = np.full((size, size), np.inf)
        reach_km = vehicle.range_km(100.0)
        for i in range(size - 1):
            ahead = list(range(i + 1, size))
            for j, leg in zip(
                ahead,
                self._road.route_many(points[i], [points[j] for j in ahead]),
                strict=True,
            ):
                if leg.distance_km <= reach_km:
                    km[i, j], minutes[i, j] = leg.distance_km, leg.minutes
        return km, minutes

    def _option(
        self,
        vehicle: VehicleModel,
        stop: CandidateStop,
        drive_minutes: float,
        departs_at: datetime,
    ) -> StopOption:
        summary = stop.hit.summary
        price = float(stop.hit.price_now.total_per_kwh)
        if summary.swap is not None:
            return StopOption(
                power_kw=0.0,
                wait_minutes=swap_wait_minutes(
                    summary.swap.queue_length, summary.swap.swap_minutes
                ),
                price_per_kwh=price,
                is_swap=True,
                swap_fee=float(SWAP_FEE.amount),
                swap_minutes=float(summary.swap.swap_minutes),
                overhead_minutes=STOP_OVERHEAD_MINUTES,
            )
        is_ac = is_ac_only(vehicle, stop.hit)
        wait = self._arrival(
            vehicle, stop, departs_at + timedelta(minutes=drive_minutes), drive_minutes
        ).wait_minutes
        return StopOption(
            effective_kw(vehicle, stop.hit),
            wait,
            price,
            overhead_minutes=STOP_OVERHEAD_MINUTES,
            is_ac=is_ac,
        )

    def _arrival(
        self,
        vehicle: VehicleModel,
        stop: CandidateStop,
        arrives_at: datetime,
        lead_minutes: float,
    ) -> Arrival:
        """Chance of a free pile and expected wait at a charging stop (ADR 0039)."""
        summary, piles = stop.hit.summary, stop.hit.summary.piles
        local = arrives_at.astimezone(ZoneInfo(summary.time_zone))
        is_ac = is_ac_only(vehicle, stop.hit)
        share = (
            None
            if self._availability is None
            else self._availability.share(
                summary.id, summary.operator_id, hour_of_week(local)
            )
        )
        return arrival(
            PileState(max(piles.free + piles.busy + piles.unknown, 1), piles.free),
            share,
            self._history.expected_utilisation(summary.id, local),
            lead_minutes,
            AC_SESSION_MINUTES if is_ac else DC_SESSION_MINUTES,
            FADE_MINUTES_AC if is_ac else FADE_MINUTES_DC,
        )

    # -- the answer ------------------------------------------------------------------
    def _plan(
        self,
        vehicle: VehicleModel,
        request: TripRequest,
        corridor: Corridor,
        legs: tuple[TripLeg, ...],
        schedule: Schedule,
        departs_at: datetime,
    ) -> TripPlan:
        clock = departs_at
        stops: list[StopPlan] = []
        for leg, scheduled in zip(legs, schedule.stops, strict=False):
            clock += timedelta(minutes=leg.drive_minutes)
            candidate = corridor.stops[scheduled.node - 1]
            stop = self._stop_plan(vehicle, candidate, corridor, scheduled, clock)
            stops.append(stop)
            clock = stop.leaves_at
        total_cost = sum((s.cost for s in stops), Money.zero())
        return TripPlan(
            vehicle_id=vehicle.id,
            objective=request.objective,
            departs_at=departs_at,
            arrives_at=departs_at + timedelta(minutes=schedule.total_minutes),
            legs=legs,
            stops=tuple(stops),
            total_minutes=schedule.total_minutes,
            drive_minutes=schedule.drive_minutes,
            total_cost=total_cost,
            total_km=sum(leg.distance_km for leg in legs),
            arrival_soc=schedule.arrival_soc,
            notes=_slower_note(stops),
        )

    def _range_extender_plan(
        self, vehicle: VehicleModel, request: TripRequest, departs_at: datetime
    ) -> TripPlan:
        """An extended-range car always gets there: no charging plan keeps the
        battery above the floor, so it drives on, the range extender holding the
        floor once the battery is down to it (ADR 0031)."""
        leg = self._road.route(request.origin, request.destination)
        floor = request.min_arrival_soc_percent
        arrival = max(request.soc_percent - vehicle.soc_used(leg.distance_km), floor)
        electric_km = vehicle.range_km(request.soc_percent - floor)
        extender_km = max(leg.distance_km - electric_km, 0.0)
        note = Message.of(
            "trip.range_extender",
            f"{vehicle.brand} {vehicle.model} is an extended-range car: no charging "
            f"stops keep its battery above {floor:g} % on this route, so it drives "
            f"about {electric_km:.0f} km on the battery and the remaining "
            f"{extender_km:.0f} km on its range extender",
            car=f"{vehicle.brand} {vehicle.model}",
            floor=round(floor, 1),
            battery_km=round(electric_km),
            extender_km=round(extender_km),
        )
        return TripPlan(
            vehicle_id=vehicle.id,
            objective=request.objective,
            departs_at=departs_at,
            arrives_at=departs_at + timedelta(minutes=leg.minutes),
            legs=(
                TripLeg(
                    request.origin,
                    request.destination,
                    leg.distance_km,
                    leg.minutes,
                    request.soc_percent,
                    arrival,
                ),
            ),
            stops=(),
            total_minutes=leg.minutes,
            drive_minutes=leg.minutes,
            total_cost=Money.zero(),
            total_km=leg.distance_km,
            arrival_soc=arrival,
            notes=(note,),
        )

    def _stop_plan(
        self,
        vehicle: VehicleModel,
        candidate: CandidateStop,
        corridor: Corridor,
        scheduled: ScheduledStop,
        arrives_at: datetime,
    ) -> StopPlan:
        summary = candidate.hit.summary
        plugged_at = arrives_at + timedelta(
            minutes=scheduled.overhead_minutes + scheduled.wait_minutes
        )
        leaves_at = plugged_at + timedelta(minutes=scheduled.charge_minutes)
        detail = self._stations.get_station(summary.id)
        kwh = Decimal(str(scheduled.energy_kwh)).quantize(WH)
        bill = quote_charge(
            detail.priced,
            detail.station.parking,
            ChargeSession.flat(plugged_at, leaves_at, kwh),
            detail.station.time_zone,
        )
        cost = bill.driver_total + (SWAP_FEE if summary.is_swap else Money.zero())
        now = self._clock.now()
        outlook = (
            None
            if summary.is_swap
            else self._arrival(
                vehicle, candidate, arrives_at, (arrives_at - now).total_seconds() / 60
            )
        )
        return StopPlan(
            station=summary,
            arrival_soc=scheduled.arrival_soc,
            departure_soc=scheduled.departure_soc,
            arrives_at=arrives_at,
            leaves_at=leaves_at,
            wait_minutes=scheduled.wait_minutes,
            charge_minutes=scheduled.charge_minutes,
            overhead_minutes=scheduled.overhead_minutes,
            energy_kwh=scheduled.energy_kwh,
            cost=cost,
            is_swap=summary.is_swap,
            alternatives=_alternatives(candidate, corridor),
            power_kw=0.0 if summary.is_swap else effective_kw(vehicle, candidate.hit),
            is_ac=not summary.is_swap and is_ac_only(vehicle, candidate.hit),
            free_chance=None if outlook is None else outlook.free_chance,
            free_chance_basis=None if outlook is None else outlook.basis.value,
            status_age_s=status_age_s(summary.updated_at, now),
        )


def _vehicle(given: str | CustomVehicle | VehicleModel) -> VehicleModel:
    if isinstance(given, VehicleModel):
        return given
    if isinstance(given, CustomVehicle):
        return custom_vehicle(given)
    return get_vehicle(given)


def _trip_legs(
    request: TripRequest,
    points: Sequence[GeoPoint],
    legs: tuple[np.ndarray, np.ndarray],
    schedule: Schedule,
) -> tuple[TripLeg, ...]:
    km, minutes = legs
    departures = [request.soc_percent, *(s.departure_soc for s in schedule.stops)]
    arrivals = [*(s.arrival_soc for s in schedule.stops), schedule.arrival_soc]
    nodes = schedule.nodes
    return tuple(
        TripLeg(
            points[i],
            points[j],
            float(km[i, j]),
            float(minutes[i, j]),
            departures[k],
            arrivals[k],
        )
        for k, (i, j) in enumerate(itertools.pairwise(nodes))
    )


def _alternatives(
    candidate: CandidateStop, corridor: Corridor
) -> tuple[StationSummary, ...]:
    """Up to two other usable stations of the same kind near the chosen one,
    stations with a free pile first."""
    chosen = candidate.hit.summary
    same_kind: list[StationHit] = [
        h
        for h in corridor.groups[candidate.group]
        if h.summary.id != chosen.id and h.summary.is_swap == chosen.is_swap
    ]
    same_kind.sort(key=lambda h: h.summary.piles.free == 0)
    return tuple(h.summary for h in same_kind[:2])


def _slower_note(stops: Sequence[StopPlan]) -> tuple[Message, ...]:
    slow = [s for s in stops if not s.is_swap and (s.is_ac or s.power_kw < MIN_DC_KW)]
    if not slow:
        return ()
    slowest = min(s.power_kw for s in slow)
    return (
        Message.of(
            "trip.slower_chargers",
            f"fast chargers (DC {MIN_DC_KW:g} kW and up) leave a gap on this route: "
            f"{len(slow)} of the {len(stops)} stops use slower chargers (the slowest "
            f"{slowest:g} kW), so the trip is slower than on fast chargers",
            fast_kw=MIN_DC_KW,
            slow_stops=len(slow),
            stops=len(stops),
            slowest_kw=slowest,
        ),
    )


def _chain_corridor(
    corridor: Corridor,
    chain: Sequence[StationHit],
    origin: GeoPoint,
    destination: GeoPoint,
) -> Corridor:
    """The corridor's candidates plus the reachability search's chain. If the
    chain runs forwards along the route the two merge in route order; if it
    doubles back, the chain alone, in its own order, is the model."""
    base = len(corridor.groups)
    extra = [
        CandidateStop(hit, progress_km(origin, destination, _at(hit)), base + k)
        for k, hit in enumerate(chain)
    ]
    groups = (*corridor.groups, *((hit,) for hit in chain))
    if all(a.progress_km <= b.progress_km for a, b in itertools.pairwise(extra)):
        known = {c.hit.summary.id for c in corridor.stops}
        merged = [*corridor.stops, *(c for c in extra if c.hit.summary.id not in known)]
        merged.sort(key=lambda c: (c.progress_km, c.hit.summary.id))
        return Corridor(tuple(merged), groups)
    ordered = tuple(
        CandidateStop(c.hit, float(k), c.group) for k, c in enumerate(extra)
    )
    return Corridor(ordered, groups)


def _at(hit: StationHit) -> GeoPoint:
    return GeoPoint(hit.summary.lat, hit.summary.lon)


def _gap_message(vehicle: VehicleModel, gap: Gap | None, window: Window) -> Message:
    car = f"{vehicle.brand} {vehicle.model}"
    if gap is None:
        return Message.of(
            "trip.no_plan",
            f"no plan for the {car}: no sequence of stops keeps it above the floor",
            car=car,
        )
    return Message.of(
        "trip.no_plan_gap",
        f"no plan for the {car}: between {gap.from_name} (km {gap.from_km:.0f} "
        f"along the route) and {gap.to_name} (km {gap.to_km:.0f}) there is no "
        f"station it can use within reach; that stretch needs a hop of about "
        f"{gap.hop_km:.0f} km by road, and the car covers about "
        f"{gap.range_km:.0f} km between charges ({window.floor:g}-"
        f"{window.target:g} %)",
        car=car,
        from_name=gap.from_name,
        from_km=round(gap.from_km),
        to_name=gap.to_name,
        to_km=round(gap.to_km),
        hop_km=round(gap.hop_km),
        range_km=round(gap.range_km),
        floor=round(window.floor, 1),
        target=round(window.target, 1),
    )
