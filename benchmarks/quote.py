"""Quote benchmark: in-process latency of pricing one charge through the one engine.

    python benchmarks/quote.py [--runs 5000]

Prints one markdown table (p50/p99 in ms); the target is p50 <= 1 ms.
Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from result_file import row, save_result

from evroam.catalogue.model import ParkingRule
from evroam.gateways.ocpi.pricing_mapping import read_ocpi_tariff
from evroam.pricing.discount import brand_first_year
from evroam.pricing.elements import (
    Dimension,
    ElementTariff,
    PriceComponent,
    Restrictions,
    TariffElement,
)
from evroam.pricing.periods import price_session
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession, EnergySample
from evroam.pricing.tariff import PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.shared.ids import TariffId
from evroam.shared.money import Money

ZONE = "Asia/Shanghai"
SPEC = Path(__file__).parents[1] / "tests/fixtures/ocpi-2.2.1-examples"

TOU = Tariff(
    TariffId("bench"),
    (
        PeriodPrice(PeriodKind.SHARP, Decimal("1.3000"), Decimal("0.8000")),
        PeriodPrice(PeriodKind.PEAK, Decimal("1.0200"), Decimal("0.8000")),
        PeriodPrice(PeriodKind.FLAT, Decimal("0.6500"), Decimal("0.6000")),
        PeriodPrice(PeriodKind.VALLEY, Decimal("0.3100"), Decimal("0.4000")),
    ),
    (
        TouWindow(clock_time(11), clock_time(13), PeriodKind.SHARP, frozenset({7, 8})),
        TouWindow(clock_time(23), clock_time(7), PeriodKind.VALLEY),
        TouWindow(clock_time(10), clock_time(15), PeriodKind.PEAK),
        TouWindow(clock_time(18), clock_time(21), PeriodKind.PEAK),
    ),
)
PARKING = ParkingRule(60, Money.of("5.00"), Money.of("30.00"))
DISCOUNTS = [brand_first_year()]


def _four_elements() -> ElementTariff:
    """A 4-element tariff with restrictions: fast charging on weekdays by day,
    the first 20 kWh cheaper, charging time after the first hour, a default."""
    weekdays = frozenset(range(1, 6))
    fast_by_day = Restrictions(
        start_time=clock_time(8),
        end_time=clock_time(22),
        days_of_week=weekdays,
        min_power_kw=Decimal(60),
    )
    return ElementTariff(
        "bench-4",
        "CNY",
        (
            TariffElement(
                (PriceComponent(Dimension.ENERGY, Decimal("1.60")),), fast_by_day
            ),
            TariffElement(
                (PriceComponent(Dimension.ENERGY, Decimal("1.10")),),
                Restrictions(max_kwh=Decimal(20)),
            ),
            TariffElement(
                (PriceComponent(Dimension.TIME, Decimal("3.00"), 600),),
                Restrictions(min_duration_s=3600),
            ),
            TariffElement(
                (
                    PriceComponent(Dimension.ENERGY, Decimal("1.30")),
                    PriceComponent(Dimension.PARKING_TIME, Decimal("4.00"), 900),
                )
            ),
        ),
    )


def _session() -> ChargeSession:
    """A 100-minute charge across 23:00 with a sample every 10 minutes."""
    start = datetime(2026, 7, 15, 22, 10, tzinfo=ZoneInfo(ZONE))
    samples = tuple(
        EnergySample(start + timedelta(minutes=10 * i), Decimal(i) * Decimal("9.5"))
        for i in range(11)
    )
    return ChargeSession(start, samples[-1].at, samples, parking_minutes=75)


def _timed(run: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(min(200, runs)):
        run()
    laps = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        laps.append((time.perf_counter() - began) * 1000)
    cuts = statistics.quantiles(laps, n=100)
    return statistics.median(laps), cuts[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5000)
    runs = parser.parse_args().runs
    session = _session()
    spec_file = SPEC / "tariff_4_complex.json"
    four = _four_elements()
    cases: list[tuple[str, Callable[[], object]]] = [
        (
            "quote, 4-element tariff with restrictions (parking, discount)",
            lambda: quote_charge(four, PARKING, session, ZONE, DISCOUNTS),
        ),
        (
            "quote, time-of-use tariff built as elements (4 periods, parking, discount)",
            lambda: quote_charge(TOU, PARKING, session, ZONE, DISCOUNTS),
        ),
    ]
    if spec_file.exists():
        spec = read_ocpi_tariff(json.loads(spec_file.read_text()))
        cases.append(
            (
                "engine only, spec tariff_4_complex (price_session)",
                lambda: price_session(spec, session, ZONE),
            )
        )
    print("| path | runs | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |")
    timings = {}
    for name, run in cases:
        p50, p99 = _timed(run, runs)
        timings[name] = {"runs": runs, "p50_ms": p50, "p99_ms": p99}
        print(f"| {name} | {runs} | {p50:.3f} | {p99:.3f} |")
    four_p50 = timings[cases[0][0]]["p50_ms"]
    tou_p50 = timings[cases[1][0]]["p50_ms"]
    measured = (
        f"p50 {four_p50:.2f} ms (time-of-use built as elements: {tou_p50:.2f} ms)"
    )
    what = "quote through the canonical engine, 4-element tariff with restrictions (p50 ≤ 1 ms)"
    save_result("quote", [row(what, measured, "`quote.py`")], timings)


if __name__ == "__main__":
    main()
