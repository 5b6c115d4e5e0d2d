"""Pure ranking of evaluated options by time, cost or a balance of both."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from evroam.shared.ids import OperatorId, StationId
from evroam.shared.money import Money

VALUE_OF_TIME_PER_HOUR = Decimal(60)
"""¥ a driver's hour is worth under ``balanced`` (about a Shanghai hourly wage)."""


class Objective(enum.StrEnum):
    TIME = "time"
    COST = "cost"
    BALANCED = "balanced"


class OptionKind(enum.StrEnum):
    CHARGE = "charge"
    SWAP = "swap"


@dataclass(frozen=True, slots=True)
class Option:
    """One place to charge or swap, fully evaluated; minutes rounded to 0.1."""

    kind: OptionKind
    station_id: StationId
    station_name: str
    operator_id: OperatorId
    lat: float
    lon: float
    drive_km: float
    drive_minutes: float
    detour_km: float | None
    arrival_soc: float
    arrival_at: datetime
    wait_minutes: float
    charge_minutes: float
    final_soc: float
    energy_kwh: Decimal
    power_kw: float
    free_piles: int
    usable_piles: int
    price_now_per_kwh: Decimal
    partner_cost: Money
    cost: Money
    total_minutes: float
    explanation: str = ""
    batteries_in_stock: int | None = None
    queue_length: int | None = None
    free_chance: float | None = None  # a usable pile free on arrival (ADR 0039)
    free_chance_basis: str | None = None  # station, operator, network or profile
    status_age_s: int | None = None  # since the station's status last changed
    reliability: int | None = None  # set when only low-reliability piles fit
    reliability_note: str | None = None  # why, with the numbers (ADR 0040)


def score(option: Option, objective: Objective, value_of_time: Decimal) -> Decimal:
    """The number ranked on: minutes, yuan, or yuan + minutes * value of time."""
    minutes = Decimal(str(option.total_minutes))
    if objective is Objective.TIME:
        return minutes
    if objective is Objective.COST:
        return option.cost.amount
    return option.cost.amount + minutes * value_of_time / 60


def sort_key(
    option: Option, objective: Objective, value_of_time: Decimal
) -> tuple[Decimal, Decimal, Decimal, str, str]:
    """Objective first, then the other measure, then ids: a total, stable order."""
    minutes = Decimal(str(option.total_minutes))
    second = option.cost.amount if objective is Objective.TIME else minutes
    third = minutes if objective is Objective.TIME else option.cost.amount
    return (
        score(option, objective, value_of_time),
        second,
        third,
        option.station_id,
        option.kind.value,
    )


def dominates(a: Option, b: Option) -> bool:
    """``a`` is no worse than ``b`` in total time and cost, and better in one."""
    no_worse = a.total_minutes <= b.total_minutes and a.cost <= b.cost
    better = a.total_minutes < b.total_minutes or a.cost < b.cost
    return no_worse and better


def pareto_front(options: Sequence[Option]) -> list[Option]:
    """Options no other option dominates (sweep by time, then cost)."""
    ordered = sorted(options, key=lambda o: (o.total_minutes, o.cost.amount))
    front: list[Option] = []
    best_cost: Money | None = None
    for option in ordered:
        if best_cost is None or option.cost < best_cost:
            front.append(option)
            best_cost = option.cost
        elif option.cost == best_cost and front[-1].total_minutes == (
            option.total_minutes
        ):
            front.append(option)  # an exact tie is not dominated
    return front


MIN_CHOICES = 3
"""``balanced`` fills up to this many options (distinct stations) when the
options no other beats on both time and cost are fewer."""


def distinct_stations(
    options: Sequence[Option], objective: Objective, value_of_time: Decimal
) -> list[Option]:
    """The best option of each station, in ranking order."""
    ordered = sorted(options, key=lambda o: sort_key(o, objective, value_of_time))
    seen: set[StationId] = set()
    kept = []
    for option in ordered:
        if option.station_id not in seen:
            seen.add(option.station_id)
            kept.append(option)
    return kept


def rank(
    options: Sequence[Option],
    objective: Objective,
    limit: int,
    value_of_time: Decimal = VALUE_OF_TIME_PER_HOUR,
) -> tuple[Option, ...]:
    """The best ``limit`` options, one per station, each with its explanation.

    ``time`` and ``cost`` order strictly by that measure. ``balanced`` puts the
    options no other evaluated option beats on both time and cost first, ordered
    by cost + time * value of time, then, while there are fewer than
    ``MIN_CHOICES``, the next best by that score, so a driver still gets three
    places to choose from when one is best on both counts.
    """
    ordered = distinct_stations(options, objective, value_of_time)
    # Stations the car could only use through low-reliability piles come
    # after every other (ADR 0040), in the objective's order among themselves.
    low = [o for o in ordered if o.reliability_note is not None]
    ordered = [o for o in ordered if o.reliability_note is None]
    if objective is Objective.BALANCED:
        front = {id(o) for o in pareto_front(ordered)}
        best = [o for o in ordered if id(o) in front]
        rest = [o for o in ordered if id(o) not in front]
        ordered = best + rest[: max(0, min(limit, MIN_CHOICES) - len(best))]
        low = low[: max(0, min(limit, MIN_CHOICES) - len(ordered))]
    top = (ordered + low)[:limit]
    if not top:
        return ()
    return tuple(
        replace(o, explanation=explain(o, i, top[0], objective))
        for i, o in enumerate(top)
    )


_LEADS = {
    Objective.TIME: "fastest",
    Objective.COST: "cheapest",
    Objective.BALANCED: "best balance of time and cost",
}


def explain(option: Option, index: int, best: Option, objective: Objective) -> str:
    """One line: why this option ranks where it does, with its numbers."""
    if index == 0:
        lead = _LEADS[objective]
    else:
        dt = option.total_minutes - best.total_minutes
        dc = option.cost - best.cost
        lead = f"#{index + 1}: {_signed_minutes(dt)} and {_signed_money(dc)} vs #1"
    return f"{lead}: {_facts(option)}"


def _facts(option: Option) -> str:
    """Drive, wait, charge (or swap) minutes and cost, e.g. ``12 min drive, no
    wait (free pile), 31 min charge to 80 %, ¥41.20, 43 min in all``."""
    drive = f"{option.drive_minutes:.0f} min drive"
    if option.detour_km is not None:
        drive += f" ({option.detour_km:.1f} km detour)"
    if option.kind is OptionKind.SWAP:
        wait = (
            f"~{option.wait_minutes:.0f} min wait ({option.batteries_in_stock} "
            f"batteries in stock, {option.queue_length} in queue)"
        )
        stay = f"{option.charge_minutes:.0f} min swap to {option.final_soc:.0f} %"
    else:
        wait = _charge_wait(option)
        stay = (
            f"{option.charge_minutes:.0f} min charge to {option.final_soc:.0f} %"
            f" at {option.power_kw:.0f} kW"
        )
    facts = (
        f"{drive}, {wait}, {stay}, ¥{option.cost.amount}, "
        f"{option.total_minutes:.0f} min in all"
    )
    if option.reliability_note is not None:
        facts += f"; ranked below reliable piles: {option.reliability_note}"
    return facts


def _charge_wait(option: Option) -> str:
    """``no wait (free pile, 92 % chance one is free on arrival)`` or ``~6 min
    wait (41 % chance …)``."""
    notes = []
    if option.free_piles and option.wait_minutes < 1:
        notes.append("free pile")
        text = "no wait"
    else:
        text = f"~{option.wait_minutes:.0f} min wait"
    if option.free_chance is not None:
        chance = round(option.free_chance * 100)
        notes.append(f"{chance} % chance one is free on arrival")
    return f"{text} ({', '.join(notes)})" if notes else text


def _signed_minutes(delta: float) -> str:
    """``+3 min``, ``-2 min``; under half a minute either way is the same time
    (never ``-0 min``)."""
    rounded = round(delta)
    if rounded == 0:
        return "the same time"
    return f"{rounded:+d} min"


def _signed_money(delta: Money) -> str:
    sign = "+" if delta.amount >= 0 else "-"
    return f"{sign}¥{abs(delta.amount)}"
