"""No stop a driver would laugh at: the rules a trip plan's stops obey (ADR 0031).

- No stop within ``near_start_km`` of the start when the car leaves with at
  least ``near_start_soc`` percent.
- No stop entered above ``max_arrival_soc`` percent unless its leg needs it:
  the drive after the stop uses more than the car had on arrival (above the
  floor), so it could not have gone on without stopping.
- Every stop adds at least ``trip_search.MIN_STOP_GAIN`` points (the search
  itself enforces that).

The search enforces caps on arrival SoC exactly; "unless its leg needs it"
depends on the next leg, which the search does not know when it sets a label,
so ``solve_sensibly`` solves without caps, caps every stop of the plan entered
above the limit that its leg did not need, and solves again, until no such
stop is left (or capping one would leave no plan: then it was needed). The
result obeys the rules; it is the optimum of the capped model, which may be a
little slower than the best plan the rules allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from evroam.recommend.trip_search import (
    NoFeasibleTripError,
    Schedule,
    TripInstance,
    solve,
)

_NEVER = -1.0  # an arrival cap below any SoC: the stop is not offered
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class SillyStopRules:
    near_start_km: float = 30.0
    near_start_soc: float = 50.0
    max_arrival_soc: float = 60.0
    max_relaxations: int = 8


SILLY_STOP_RULES = SillyStopRules()


def solve_sensibly(
    instance: TripInstance,
    from_start_km: Sequence[float],
    rules: SillyStopRules = SILLY_STOP_RULES,
) -> Schedule | None:
    """The best plan under the rules (None if there is none at all).

    ``from_start_km[k]`` is the road distance from the start to stop ``k + 1``.
    The near-start rule is lifted last, and only if nothing else works.
    """
    near = [
        instance.start_soc >= rules.near_start_soc and km < rules.near_start_km
        for km in from_start_km
    ]
    for keep_near_rule in (True, False):
        excluded = [n and keep_near_rule for n in near]
        found = _with_caps(instance, excluded, rules)
        if found is not None:
            return found
    return None


def _with_caps(
    instance: TripInstance, excluded: list[bool], rules: SillyStopRules
) -> Schedule | None:
    capped = [False] * len(instance.stops)
    best = _solve(instance, excluded, capped, rules)
    for _ in range(rules.max_relaxations):
        if best is None:
            return None
        idle = _unneeded_high_arrivals(instance, best, rules)
        if not idle:
            return best
        for node in idle:
            capped[node - 1] = True
        tighter = _solve(instance, excluded, capped, rules)
        if tighter is None:
            return best  # capping leaves no plan: those stops are needed after all
        best = tighter
    return best


def _solve(
    instance: TripInstance,
    excluded: list[bool],
    capped: list[bool],
    rules: SillyStopRules,
) -> Schedule | None:
    stops = tuple(
        replace(
            stop,
            arrival_cap=_NEVER
            if out
            else (rules.max_arrival_soc if cap else stop.arrival_cap),
        )
        for stop, out, cap in zip(instance.stops, excluded, capped, strict=True)
    )
    try:
        return solve(replace(instance, stops=stops))
    except NoFeasibleTripError:
        return None


def _unneeded_high_arrivals(
    instance: TripInstance, schedule: Schedule, rules: SillyStopRules
) -> list[int]:
    """Stops entered above the cap whose next leg the car could have driven
    without stopping."""
    idle = []
    nodes = schedule.nodes
    for k, stop in enumerate(schedule.stops):
        if stop.arrival_soc <= rules.max_arrival_soc + _EPS:
            continue
        used = instance.soc_used(nodes[k + 1], nodes[k + 2])
        if used <= stop.arrival_soc - instance.min_arrival_soc + _EPS:
            idle.append(stop.node)
    return idle
