"""What is priced: a charge session's energy timeline and the parking after it."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise

from evroam.pricing.errors import InvalidSessionError

WH = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class EnergySample:
    """Cumulative energy delivered since the session started, read at ``at``."""

    at: datetime
    energy_kwh: Decimal

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise InvalidSessionError("energy", "sample times must be timezone-aware")
        object.__setattr__(self, "at", self.at.astimezone(UTC))


def _seconds(delta: timedelta) -> Decimal:
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(
        delta.microseconds
    ) / Decimal(1_000_000)


@dataclass(frozen=True, slots=True)
class ChargeSession:
    """A charge from ``started_at`` to ``ended_at`` (charging time), then
    ``parking_minutes`` more at the bay, still connected but no longer charging
    (what OCPI calls PARKING_TIME). Between samples the energy grows linearly;
    before the first sample it grows from 0 at ``started_at``, after the last it
    stays flat until ``ended_at``.
    """

    started_at: datetime
    ended_at: datetime
    energy: tuple[EnergySample, ...]
    parking_minutes: int = 0
    max_power_kw: float | None = None

    def __post_init__(self) -> None:
        for name, value in (
            ("started_at", self.started_at),
            ("ended_at", self.ended_at),
        ):
            if value.tzinfo is None:
                raise InvalidSessionError(name, "must be timezone-aware")
            # arithmetic on zoned datetimes is wall-clock arithmetic: keep UTC
            object.__setattr__(self, name, value.astimezone(UTC))
        if self.ended_at < self.started_at:
            raise InvalidSessionError("ended_at", "is before started_at")
        if self.parking_minutes < 0:
            raise InvalidSessionError("parking_minutes", "must not be negative")
        self._check_samples()

    def _check_samples(self) -> None:
        previous: EnergySample | None = None
        for sample in self.energy:
            if not self.started_at <= sample.at <= self.ended_at:
                raise InvalidSessionError("energy", "a sample lies outside the session")
            if not sample.energy_kwh.is_finite() or sample.energy_kwh < 0:
                raise InvalidSessionError("energy", "kWh must be finite and >= 0")
            if previous is not None and (
                sample.at <= previous.at or sample.energy_kwh < previous.energy_kwh
            ):
                raise InvalidSessionError(
                    "energy", "samples must rise in time and never lose kWh"
                )
            previous = sample

    @classmethod
    def flat(
        cls,
        start: datetime,
        end: datetime,
        kwh: Decimal,
        parking_minutes: int = 0,
        max_power_kw: float | None = None,
    ) -> ChargeSession:
        """A constant-power charge of ``kwh`` from ``start`` to ``end``."""
        if not kwh.is_finite() or kwh < 0:
            raise InvalidSessionError("kwh", "must be finite and >= 0")
        samples: tuple[EnergySample, ...] = (
            EnergySample(start, Decimal(0)),
            EnergySample(end, kwh),
        )
        if end == start:
            samples = (EnergySample(end, kwh),)
        return cls(start, end, samples, parking_minutes, max_power_kw)

    @property
    def total_kwh(self) -> Decimal:
        return self.energy[-1].energy_kwh if self.energy else Decimal(0)

    @property
    def parked_until(self) -> datetime:
        return self.ended_at + timedelta(minutes=self.parking_minutes)

    def timeline(self) -> tuple[EnergySample, ...]:
        """Samples with the implicit start (0 kWh) and end points added."""
        points = list(self.energy)
        if not points or points[0].at > self.started_at:
            points.insert(0, EnergySample(self.started_at, Decimal(0)))
        if points[-1].at < self.ended_at:
            points.append(EnergySample(self.ended_at, points[-1].energy_kwh))
        return tuple(points)


def energy_at(timeline: tuple[EnergySample, ...], moment: datetime) -> Decimal:
    """Cumulative kWh at ``moment``: a sample's own value, else linear between
    samples, rounded to the Wh (so sums of differences stay exact)."""
    times = [s.at for s in timeline]
    index = bisect_right(times, moment)
    if index == 0:
        return timeline[0].energy_kwh
    before = timeline[index - 1]
    if before.at == moment or index == len(timeline):
        return before.energy_kwh
    after = timeline[index]
    share = _seconds(moment - before.at) / _seconds(after.at - before.at)
    value = before.energy_kwh + (after.energy_kwh - before.energy_kwh) * share
    return value.quantize(WH, rounding=ROUND_HALF_EVEN)


def moment_of_energy(
    timeline: tuple[EnergySample, ...], kwh: Decimal
) -> datetime | None:
    """The first moment the cumulative energy reaches ``kwh`` (None: never)."""
    for before, after in pairwise(timeline):
        if before.energy_kwh < kwh <= after.energy_kwh:
            share = (kwh - before.energy_kwh) / (after.energy_kwh - before.energy_kwh)
            span = _seconds(after.at - before.at) * share
            return before.at + timedelta(seconds=float(span))
    return None


def seconds_between(start: datetime, end: datetime) -> Decimal:
    """Exact seconds from ``start`` to ``end`` as a Decimal."""
    return _seconds(end - start)
