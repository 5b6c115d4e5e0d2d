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


def rank(
    options: Sequence[Option],
    objective: Objective,
    limit: int,
    value_of_time: Decimal = VALUE_OF_TIME_PER_HOUR,
) -> tuple[Option, ...]:
    """The best ``limit`` options, each with its explanation.

    ``time`` and ``cost`` order strictly by that measure. ``balanced`` keeps
    only options no other evaluated option beats on both time and cost, then
    orders them by cost + time * value of time.
    """
    pool = pareto_front(options) if objective is Objective.BALANCED else options
    ranked = sorted(pool, key=lambda o: sort_key(o, objective, value_of_time))
    top = ranked[:limit]
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
    """One sentence: why this option ranks where it does."""
    if index == 0:
        lead = _LEADS[objective]
    else:
        dt = option.total_minutes - best.total_minutes
        dc = option.cost - best.cost
        lead = f"#{index + 1}: {_signed_minutes(dt)} and {_signed_money(dc)} vs #1"
    return f"{lead}: {_facts(option)}"


def _facts(option: Option) -> str:
    away = f"{option.drive_minutes:.0f} min away"
    if option.detour_km is not None:
        away = f"{option.detour_km:.1f} km detour"
    if option.kind is OptionKind.SWAP:
        stay = (
            f"{option.batteries_in_stock} batteries in stock, "
            f"{option.queue_length} in queue, "
            f"{option.charge_minutes:.0f}-min swap to {option.final_soc:.0f} %"
        )
    else:
        queue = (
            "free pile now"
            if option.free_piles and option.wait_minutes < 1
            else f"~{option.wait_minutes:.0f} min expected wait"
        )
        stay = f"{queue}, {option.charge_minutes:.0f} min to {option.final_soc:.0f} %"
    return f"{away}, {stay}, ¥{option.cost.amount} in {option.total_minutes:.0f} min"


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
