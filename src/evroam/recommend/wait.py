"""Expected wait at a station: an M/M/c queue (Erlang C) started from live status.

See docs/adr/0008-waiting-time-model.md. ``c`` is the number of online piles
the car can use; utilisation blends the live busy share with the station's
history for the arrival hour. The live state fades into the stationary one
over the drive, at the rate piles turn over (exp(-drive / mean session)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from evroam.shared.ids import StationId

LIVE_WEIGHT = 0.5
MAX_UTILISATION = 0.95
DC_SESSION_MINUTES = 45.0
AC_SESSION_MINUTES = 240.0

# Share of public piles in use by local hour: low at night, a midday and an
# evening peak (shape of published Chinese public-charging load curves).
DAILY_PROFILE = (
    0.30, 0.28, 0.25, 0.22, 0.18, 0.15, 0.15, 0.20, 0.30, 0.38, 0.42, 0.48,
    0.55, 0.55, 0.50, 0.45, 0.45, 0.50, 0.55, 0.58, 0.55, 0.48, 0.40, 0.35,
)  # fmt: skip


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival waits in an M/M/c queue with ``offered_load`` = λ/μ.

    1.0 when the queue is unstable (load ≥ servers).
    """
    if servers < 1:
        raise ValueError("a queue needs at least one server")
    if offered_load <= 0:
        return 0.0
    if offered_load >= servers:
        return 1.0
    blocking = 1.0  # Erlang B, by the stable recursion B(k) = aB / (k + aB)
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return servers * blocking / (servers - offered_load * (1.0 - blocking))


def mm_c_wait_minutes(
    servers: int, utilisation: float, service_minutes: float
) -> float:
    """Mean wait in queue W_q = C(c, a) / (c*mu - lambda), utilisation = a / c."""
    rho = min(max(utilisation, 0.0), MAX_UTILISATION)
    load = rho * servers
    return erlang_c(servers, load) * service_minutes / (servers * (1.0 - rho))


@dataclass(frozen=True, slots=True)
class PileState:
    """Usable online piles of one station for one car, now."""

    usable: int
    free: int

    @property
    def busy(self) -> int:
        return self.usable - self.free


def expected_wait_minutes(
    state: PileState,
    historic_utilisation: float,
    drive_minutes: float,
    service_minutes: float,
) -> float:
    """Expected minutes between arriving and plugging in."""
    p_wait = wait_chance(state, historic_utilisation, drive_minutes, service_minutes)
    rho = blended_utilisation(state, historic_utilisation)
    # Given that all piles are busy, M/M/c waits are exponential with mean
    # 1 / (c*mu - lambda).
    return p_wait * service_minutes / (state.usable * (1.0 - rho))


def wait_chance(
    state: PileState,
    historic_utilisation: float,
    drive_minutes: float,
    service_minutes: float,
) -> float:
    """Probability that no usable pile is free on arrival: the live state
    fading into the stationary Erlang C probability."""
    if state.usable < 1:
        raise ValueError("no usable pile to wait for")
    rho = blended_utilisation(state, historic_utilisation)
    c = state.usable
    stationary_wait_p = erlang_c(c, rho * c)
    keep = math.exp(-drive_minutes / service_minutes)
    now_wait_p = 0.0 if state.free > 0 else 1.0
    return keep * now_wait_p + (1 - keep) * stationary_wait_p


def blended_utilisation(state: PileState, historic_utilisation: float) -> float:
    live = state.busy / state.usable
    rho = min(LIVE_WEIGHT * live + (1 - LIVE_WEIGHT) * historic_utilisation, 1.0)
    return min(max(rho, 0.0), MAX_UTILISATION)


def swap_wait_minutes(queue_length: int, swap_minutes: int) -> float:
    """One swap lane: every car ahead takes one swap."""
    return float(max(queue_length, 0) * swap_minutes)


class DailyProfileHistory:
    """``OccupancyHistory`` without recorded history: one daily profile for all."""

    def expected_utilisation(self, station_id: StationId, local: datetime) -> float:
        """``local`` is already in the station's time zone."""
        del station_id  # every station shares the profile
        return DAILY_PROFILE[local.hour]
