"""How far a pile can be trusted to charge: a score from its recent history (ADR 0040).

Over the last ``WINDOW_DAYS`` days, a pile loses points for every fault it
reported, for the share of its observed time it was off line or faulted, for
every remote start that failed there (the partner refused it or never started)
and for every driver's report that it was broken:

    score = 100 - 100 x offline share - 10 x faults - 8 x failed starts
            - 5 x broken reports          (clamped to 0..100)

A pile under ``LOW_BELOW`` is *low*: the recommender ranks stations whose only
usable piles are low after every other station, and says why. A pile without
history scores 100.
"""

from __future__ import annotations

from dataclasses import dataclass

WINDOW_DAYS = 30
LOW_BELOW = 60
FAULT_POINTS = 10
FAILED_START_POINTS = 8
REPORT_POINTS = 5


@dataclass(frozen=True, slots=True)
class PileTrack:
    """What one pile did in the window."""

    faults: int = 0
    offline_share: float = 0.0  # of the time its status was known
    failed_starts: int = 0
    broken_reports: int = 0

    @property
    def score(self) -> int:
        raw = (
            100.0
            - 100.0 * min(max(self.offline_share, 0.0), 1.0)
            - FAULT_POINTS * self.faults
            - FAILED_START_POINTS * self.failed_starts
            - REPORT_POINTS * self.broken_reports
        )
        return round(min(max(raw, 0.0), 100.0))

    @property
    def is_low(self) -> bool:
        return self.score < LOW_BELOW

    def describe(self) -> str:
        """``reliability 42/100: 4 faults, off line 6 % of the time, 1 failed
        start, 2 reports in 30 days``."""
        facts = []
        if self.faults:
            facts.append(_count(self.faults, "fault"))
        if self.offline_share >= 0.005:
            facts.append(f"off line {round(self.offline_share * 100)} % of the time")
        if self.failed_starts:
            facts.append(_count(self.failed_starts, "failed start"))
        if self.broken_reports:
            facts.append(_count(self.broken_reports, "driver report"))
        said = ", ".join(facts) or "no trouble"
        return f"reliability {self.score}/100: {said} in {WINDOW_DAYS} days"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
