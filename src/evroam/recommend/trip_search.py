"""Charging stops along a route: exact label-setting search on a state-of-charge grid.

The model (ADR 0009): node 0 is the origin, nodes 1..n the candidate stops in
route order, node n+1 the destination. A plan visits stops in route order (an
expressway is never driven backwards). At a charging stop the car leaves at a
grid level (multiples of ``soc_step`` plus ``target_soc_max``) above its arrival
state of charge; at a swap stop it leaves full. Arrival at every stop and at
the destination is at least ``min_arrival_soc``.

States are (stop, departure level). Because a leg's cost splits into a part
that depends on the arrival SoC and a part that depends on the departure level
(charge time F(d) - F(a), energy d - a), each stop is solved with one sort and
a prefix minimum over every label that reaches it; stops are settled in route
order, so every label is final when it is set. ``solve_exhaustively`` is the
brute force the tests and the benchmark compare against.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from evroam.catalogue.model import PowerType
from evroam.recommend.vehicle import VehicleModel, charge_minutes
from evroam.shared.errors import InvalidInputError
from evroam.shared.message import Message

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MINUTE_VALUE_YUAN = 0.001  # cost objective: a minute weighs 0.1 fen (ties -> faster)
MIN_STOP_GAIN = 10.0
"""A stop raises the state of charge by at least this many points (ADR 0031)."""
_EPS = 1e-9


class TripObjective(enum.StrEnum):
    TIME = "time"
    COST = "cost"


class NoFeasibleTripError(InvalidInputError):
    """No sequence of stops keeps the arrival SoC at or above the floor."""

    def __init__(self, message: str, said: Message | None = None) -> None:
        super().__init__("soc", message, said)


@dataclass(frozen=True, slots=True)
class StopOption:
    """A place the search may stop at, as the model sees it."""

    power_kw: float
    wait_minutes: float
    price_per_kwh: float  # yuan, for the cost objective
    is_swap: bool = False
    swap_fee: float = 0.0  # yuan per swap on top of the energy
    swap_minutes: float = 3.0
    overhead_minutes: float = 0.0  # pulling in, plugging in, paying
    is_ac: bool = False  # an AC pile: the car's on-board charger, flat power
    arrival_cap: float = 100.0  # never entered above this SoC (ADR 0031)


@dataclass(frozen=True, slots=True, eq=False)
class TripInstance:
    """Node 0 origin, 1..n ``stops`` in route order, n+1 destination.

    ``leg_km[i, j]`` and ``leg_minutes[i, j]`` (for ``i < j``) are the road from
    node i to node j; ``inf`` where no road is modelled.
    """

    vehicle: VehicleModel
    stops: tuple[StopOption, ...]
    leg_km: FloatArray
    leg_minutes: FloatArray
    start_soc: float
    min_arrival_soc: float = 10.0
    target_soc_max: float = 90.0
    soc_step: float = 5.0
    objective: TripObjective = TripObjective.TIME
    min_gain: float = MIN_STOP_GAIN

    def __post_init__(self) -> None:
        size = len(self.stops) + 2
        if self.leg_km.shape != (size, size) or self.leg_minutes.shape != (size, size):
            raise InvalidInputError("legs", f"need {size}x{size} matrices")
        if not 0 < self.soc_step <= 50:
            raise InvalidInputError("soc_step", "must be in (0, 50]")
        if not 0 <= self.min_arrival_soc < self.target_soc_max <= 100:
            raise InvalidInputError(
                "target_soc_max", "needs 0 <= min_arrival_soc < target_soc_max <= 100"
            )
        if not self.min_arrival_soc <= self.start_soc <= 100:
            raise InvalidInputError(
                "soc", "must be between min_arrival_soc and 100 at departure"
            )

    @property
    def destination(self) -> int:
        return len(self.stops) + 1

    def soc_used(self, i: int, j: int) -> float:
        return self.vehicle.soc_used(float(self.leg_km[i, j]))


@dataclass(frozen=True, slots=True)
class ScheduledStop:
    node: int
    arrival_soc: float
    departure_soc: float
    wait_minutes: float
    charge_minutes: float  # swap: the swap itself
    energy_kwh: float
    model_cost: float  # yuan, at the model's unit price
    overhead_minutes: float = 0.0

    @property
    def minutes(self) -> float:
        """Time lost at the stop: overhead, wait and charge (or swap)."""
        return self.overhead_minutes + self.wait_minutes + self.charge_minutes


@dataclass(frozen=True, slots=True)
class Schedule:
    stops: tuple[ScheduledStop, ...]
    arrival_soc: float
    drive_minutes: float
    total_minutes: float
    model_cost: float
    objective_value: float
    nodes: tuple[int, ...] = field(default=())  # 0, stops..., destination


def departure_levels(instance: TripInstance) -> FloatArray:
    """Grid levels a charging stop may end at: step multiples and the target."""
    step, top = instance.soc_step, instance.target_soc_max
    count = math.floor(top / step + _EPS)
    grid = [step * k for k in range(1, count + 1) if step * k < top - _EPS]
    levels = [s for s in grid if s > instance.min_arrival_soc + _EPS]
    return np.array([*levels, top], dtype=np.float64)


@functools.lru_cache(maxsize=512)
def charge_table(
    vehicle: VehicleModel, power_kw: float, is_ac: bool = False
) -> FloatArray:
    """Minutes to charge from 0 % to s % for s = 0..100 (the car's DC curve capped
    by the pile, or its on-board charger at an AC pile); the model interpolates
    linearly between whole percents."""
    kind = PowerType.AC if is_ac else PowerType.DC
    steps = [charge_minutes(vehicle, s, s + 1, power_kw, kind) for s in range(100)]
    return np.concatenate(([0.0], np.cumsum(steps)))


def _table(instance: TripInstance, j: int) -> FloatArray:
    stop = instance.stops[j - 1]
    return charge_table(instance.vehicle, stop.power_kw, stop.is_ac)


def stop_outcome(
    instance: TripInstance, j: int, arrival: float, departure: float
) -> ScheduledStop:
    """What stopping at node ``j`` takes: minutes, kWh and the model's money."""
    stop = instance.stops[j - 1]
    kwh = instance.vehicle.usable_battery_kwh * (departure - arrival) / 100.0
    if stop.is_swap:
        minutes = stop.swap_minutes
        money = stop.swap_fee + stop.price_per_kwh * kwh
    else:
        table = _table(instance, j)
        minutes = float(np.interp(departure, _PERCENTS, table)) - float(
            np.interp(arrival, _PERCENTS, table)
        )
        money = stop.price_per_kwh * kwh
    return ScheduledStop(
        j,
        arrival,
        departure,
        stop.wait_minutes,
        minutes,
        kwh,
        money,
        stop.overhead_minutes,
    )


_PERCENTS = np.arange(101, dtype=np.float64)


def evaluate(instance: TripInstance, visits: tuple[tuple[int, float], ...]) -> Schedule:
    """The schedule of visiting ``(node, departure SoC)`` in order, then arriving."""
    soc, here = instance.start_soc, 0
    drive = 0.0
    stops: list[ScheduledStop] = []
    for node, departure in visits:
        drive += float(instance.leg_minutes[here, node])
        arrival = soc - instance.soc_used(here, node)
        stops.append(stop_outcome(instance, node, arrival, departure))
        soc, here = departure, node
    end = instance.destination
    drive += float(instance.leg_minutes[here, end])
    arrival_soc = soc - instance.soc_used(here, end)
    total = drive + sum(s.minutes for s in stops)
    money = sum(s.model_cost for s in stops)
    value = total
    if instance.objective is TripObjective.COST:
        value = money + MINUTE_VALUE_YUAN * total
    nodes = (0, *(node for node, _ in visits), end)
    return Schedule(tuple(stops), arrival_soc, drive, total, money, value, nodes)


def is_feasible(instance: TripInstance, schedule: Schedule) -> bool:
    """Never below the floor; every stop entered at or under its cap and adding
    at least ``min_gain`` points."""
    floor = instance.min_arrival_soc - _EPS
    return schedule.arrival_soc >= floor and all(
        s.arrival_soc >= floor
        and s.arrival_soc <= instance.stops[s.node - 1].arrival_cap + _EPS
        and s.departure_soc - s.arrival_soc >= instance.min_gain - _EPS
        for s in schedule.stops
    )


# -- label-setting search ------------------------------------------------------------


@dataclass(slots=True)
class _Labels:
    """Labels of one node: departure SoC, best value, and where each came from."""

    departure: FloatArray
    value: FloatArray
    from_node: IntArray
    from_label: IntArray


def solve(instance: TripInstance) -> Schedule:
    """The optimal schedule of the discretised model (raises when none exists)."""
    labels = [
        _Labels(
            np.array([instance.start_soc]),
            np.zeros(1),
            np.array([-1], dtype=np.int64),
            np.array([-1], dtype=np.int64),
        )
    ]
    for j in range(1, instance.destination):
        labels.append(_settle_stop(instance, labels, j))
    end = instance.destination
    reach = _arrivals(instance, labels, end)
    if reach is None:
        raise NoFeasibleTripError(_why_infeasible(instance))
    arrival, base, src_node, src_label = reach
    del arrival
    best = int(np.argmin(base))
    visits = _walk_back(labels, int(src_node[best]), int(src_label[best]))
    return evaluate(instance, visits)


def _drive_weight(instance: TripInstance, i: int, j: int) -> float:
    minutes = float(instance.leg_minutes[i, j])
    if instance.objective is TripObjective.COST:
        return MINUTE_VALUE_YUAN * minutes
    return minutes


def _arrivals(
    instance: TripInstance, labels: list[_Labels], j: int
) -> tuple[FloatArray, FloatArray, IntArray, IntArray] | None:
    """Every finite label of an earlier node that reaches ``j`` above the floor:
    (arrival SoC, value + drive weight, source node, source label)."""
    parts: list[tuple[FloatArray, FloatArray, IntArray, IntArray]] = []
    floor = instance.min_arrival_soc - _EPS
    cap = _arrival_cap(instance, j)
    for i, node in enumerate(labels):
        if not math.isfinite(float(instance.leg_km[i, j])):
            continue
        arrival = node.departure - instance.soc_used(i, j)
        ok = (arrival >= floor) & (arrival <= cap) & np.isfinite(node.value)
        if not ok.any():
            continue
        index = np.nonzero(ok)[0]
        parts.append(
            (
                arrival[index],
                node.value[index] + _drive_weight(instance, i, j),
                np.full(index.size, i, dtype=np.int64),
                index.astype(np.int64),
            )
        )
    if not parts:
        return None
    a, b, n, k = (np.concatenate(column) for column in zip(*parts, strict=True))
    return a, b, n, k


def _arrival_cap(instance: TripInstance, j: int) -> float:
    if j == instance.destination:
        return math.inf
    return instance.stops[j - 1].arrival_cap + _EPS


def _split_costs(
    instance: TripInstance, j: int, arrival: FloatArray, levels: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Edge cost = g(arrival) + h(level): return (g over arrivals, h over levels)."""
    stop = instance.stops[j - 1]
    per_soc = stop.price_per_kwh * instance.vehicle.usable_battery_kwh / 100.0
    if stop.is_swap:
        minutes_g, minutes_h = np.zeros_like(arrival), np.full_like(levels, 0.0)
        minutes_h += stop.overhead_minutes + stop.wait_minutes + stop.swap_minutes
        fee = stop.swap_fee
    else:
        table = _table(instance, j)
        minutes_g = -np.interp(arrival, _PERCENTS, table)
        fixed = stop.overhead_minutes + stop.wait_minutes
        minutes_h = fixed + np.interp(levels, _PERCENTS, table)
        fee = 0.0
    if instance.objective is TripObjective.TIME:
        return minutes_g, minutes_h
    g = -per_soc * arrival + MINUTE_VALUE_YUAN * minutes_g
    h = fee + per_soc * levels + MINUTE_VALUE_YUAN * minutes_h
    return g, h


def _settle_stop(instance: TripInstance, labels: list[_Labels], j: int) -> _Labels:
    stop = instance.stops[j - 1]
    levels = np.array([100.0]) if stop.is_swap else departure_levels(instance)
    empty = _Labels(
        levels,
        np.full(levels.size, np.inf),
        np.full(levels.size, -1, dtype=np.int64),
        np.full(levels.size, -1, dtype=np.int64),
    )
    reach = _arrivals(instance, labels, j)
    if reach is None:
        return empty
    arrival, base, src_node, src_label = reach
    g, h = _split_costs(instance, j, arrival, levels)
    order = np.argsort(arrival, kind="stable")
    total = (base + g)[order]
    prefix = np.minimum.accumulate(total)
    # position of the best prefix element (first minimum) for each prefix length
    where = _argmin_prefix(total)
    # a level takes the arrivals at least ``min_gain`` points below it
    reach_up = levels - instance.min_gain + _EPS
    count = np.searchsorted(arrival[order], reach_up, side="right")
    has = count > 0
    take = order[where[np.maximum(count - 1, 0)]]
    value = np.where(has, prefix[np.maximum(count - 1, 0)] + h, np.inf)
    return _Labels(
        levels,
        value,
        np.where(has, src_node[take], -1),
        np.where(has, src_label[take], -1),
    )


def _argmin_prefix(values: FloatArray) -> IntArray:
    """For each i, the index of the first minimum of ``values[: i + 1]``."""
    running = np.minimum.accumulate(values)
    is_new = np.concatenate(([True], running[1:] < running[:-1]))
    positions = np.where(is_new, np.arange(values.size), 0)
    return np.maximum.accumulate(positions).astype(np.int64)


def _walk_back(
    labels: list[_Labels], node: int, label: int
) -> tuple[tuple[int, float], ...]:
    visits: list[tuple[int, float]] = []
    while node > 0:
        current = labels[node]
        visits.append((node, float(current.departure[label])))
        node, label = int(current.from_node[label]), int(current.from_label[label])
    return tuple(reversed(visits))


def _why_infeasible(instance: TripInstance) -> str:
    full_range = instance.vehicle.range_km(
        instance.target_soc_max - instance.min_arrival_soc
    )
    return (
        "no sequence of stops keeps the arrival state of charge at or above "
        f"{instance.min_arrival_soc:g} %: a gap between usable stations is longer "
        f"than the car covers between charges (about {full_range:.0f} km)"
    )


# -- brute force ---------------------------------------------------------------------


def solve_exhaustively(instance: TripInstance) -> Schedule:
    """Try every stop sequence in route order and every departure level: the
    reference the search is tested against (small instances only)."""
    best: Schedule | None = None
    for visits in _all_visits(instance, 0, instance.start_soc):
        schedule = evaluate(instance, visits)
        if is_feasible(instance, schedule) and (
            best is None or schedule.objective_value < best.objective_value
        ):
            best = schedule
    if best is None:
        raise NoFeasibleTripError(_why_infeasible(instance))
    return best


def _all_visits(
    instance: TripInstance, here: int, soc: float
) -> Iterator[tuple[tuple[int, float], ...]]:
    """Every continuation from ``here`` leaving with ``soc`` that never arrives
    below the floor before the destination (the destination is checked later)."""
    yield ()
    floor = instance.min_arrival_soc - _EPS
    for node in range(here + 1, instance.destination):
        if not math.isfinite(float(instance.leg_km[here, node])):
            continue
        arrival = soc - instance.soc_used(here, node)
        stop = instance.stops[node - 1]
        if arrival < floor or arrival > stop.arrival_cap + _EPS:
            continue
        levels = [100.0] if stop.is_swap else list(departure_levels(instance))
        for level in levels:
            if level >= arrival + instance.min_gain - _EPS:
                for rest in _all_visits(instance, node, float(level)):
                    yield ((node, float(level)), *rest)
