"""The chance a station has a free pile when the driver gets there (ADR 0039).

What is known now (is a usable pile free?) fades into what the station's
history says of that hour of the week, at the rate piles turn over. The history
is a compact table learned from the pile status history by a job (per station
and hour of week, shrunk toward the operator's hour-of-week mean); this module
is the model: pure functions the recommender and the trip planner call per
candidate (a dictionary look-up and an exponential).

Cold start: a station without its own history uses its operator's hour-of-week
mean, then the network's; with no history at all (a fresh demo before the
first learning run) the chance is ADR 0008's: the live state fading into the
built-in daily profile of the M/M/c model.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from evroam.recommend.wait import PileState, blended_utilisation, wait_chance

HOURS_OF_WEEK = 168
PRIOR_WEIGHT_H = 4.0
"""Hours of the operator's mean added to each station cell: a cell observed
for 4 h (a month of that hour) counts as much as the prior."""
MIN_STATION_HOURS = 24.0
"""A station observed less than this (in all) has no table row of its own."""
FADE_MINUTES_DC = 20.0
FADE_MINUTES_AC = 90.0
"""How fast the live state stops telling (exp(-lead / fade)); the lead is the
drive plus the age of the status. Chosen on simulated weeks, benchmarks/
availability.py."""


class ChanceBasis(enum.StrEnum):
    """Where the historic part of a chance comes from."""

    STATION = "station"  # the station's own hour-of-week history
    OPERATOR = "operator"  # its operator's hour-of-week mean
    NETWORK = "network"  # every station's hour-of-week mean
    PROFILE = "profile"  # no history: ADR 0008's live state and daily profile


@dataclass(frozen=True, slots=True)
class HistoricShare:
    """Learned share of time a station had a free pile in one hour of week,
    and the busy share of its piles then (utilisation)."""

    free_share: float
    utilisation: float
    basis: ChanceBasis


@dataclass(frozen=True, slots=True)
class Arrival:
    """What a driver meets on arrival: the chance of a free usable pile, the
    expected wait, and where the history part came from."""

    free_chance: float
    wait_minutes: float
    basis: ChanceBasis


def hour_of_week(local: datetime) -> int:
    """0 = Monday 00:00-01:00 local time, 167 = Sunday 23:00-24:00."""
    return local.weekday() * 24 + local.hour


_Num = TypeVar("_Num")


def shrunk_share(
    free_h: _Num, observed_h: _Num, prior: _Num, weight_h: float = PRIOR_WEIGHT_H
) -> _Num:
    """(free + weight x prior) / (observed + weight): a cell with little
    history stays near the prior (works on floats and numpy arrays)."""
    return (free_h + weight_h * prior) / (observed_h + weight_h)  # type: ignore[operator,return-value]


def free_chance(
    is_free_now: bool, historic: float, lead_minutes: float, fade_minutes: float
) -> float:
    """Live state fading into the historic share over the lead time."""
    keep = math.exp(-max(lead_minutes, 0.0) / fade_minutes)
    return keep * (1.0 if is_free_now else 0.0) + (1.0 - keep) * historic


def arrival(
    state: PileState,
    share: HistoricShare | None,
    profile_utilisation: float,
    lead_minutes: float,
    service_minutes: float,
    fade_minutes: float,
) -> Arrival:
    """The chance of a free pile and the expected wait at arrival.

    With a learned ``share`` the chance is ``free_chance`` and, given no pile
    is free, the wait is the M/M/c conditional mean ``session / (c (1 - rho))``
    with rho the live busy share blended with the learned utilisation (ADR
    0008). Without one, both are ADR 0008's from ``profile_utilisation``.
    """
    if state.usable < 1:
        raise ValueError("no usable pile to wait for")
    if share is None:
        p_wait = wait_chance(state, profile_utilisation, lead_minutes, service_minutes)
        rho = blended_utilisation(state, profile_utilisation)
        basis = ChanceBasis.PROFILE
    else:
        p_free = free_chance(
            state.free > 0, share.free_share, lead_minutes, fade_minutes
        )
        p_wait = 1.0 - p_free
        rho = blended_utilisation(state, share.utilisation)
        basis = share.basis
    wait = p_wait * service_minutes / (state.usable * (1.0 - rho))
    return Arrival(round(1.0 - p_wait, 4), wait, basis)


def status_age_s(updated_at: datetime | None, now: datetime) -> int | None:
    """Seconds since a station's status last changed (its freshness)."""
    if updated_at is None:
        return None
    return max(int((now - updated_at).total_seconds()), 0)


def brier_score(forecasts: Sequence[float], outcomes: Sequence[bool]) -> float:
    """Mean squared difference between the chance and what happened (0 best)."""
    if len(forecasts) != len(outcomes):
        raise ValueError("one outcome per forecast")
    if not forecasts:
        raise ValueError("no forecasts to score")
    total = sum(
        (p - (1.0 if hit else 0.0)) ** 2
        for p, hit in zip(forecasts, outcomes, strict=True)
    )
    return total / len(forecasts)
