"""Quote benchmark: in-process latency of pricing one charge (TOU and OCPI paths).

    python benchmarks/quote.py [--runs 5000]

Prints one markdown table (p50/p99 in ms); the target is p50 <= 1 ms.
Nothing here is a test.
"""

from __future__ import annotations

import argparse
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
from evroam.gateways.ocpi.pricing_mapping import element_tariff_from_ocpi
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
from evroam.protocols.ocpi_2_2_1.models import Tariff as OcpiTariff
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


def _our_tou_as_elements() -> ElementTariff:
    def energy(price: str, start: int, end: int) -> TariffElement:
        window = Restrictions(start_time=clock_time(start), end_time=clock_time(end))
        return TariffElement(
            (PriceComponent(Dimension.ENERGY, Decimal(price)),), window
        )

    parking = PriceComponent(Dimension.PARKING_TIME, Decimal(5), 900)
    return ElementTariff(
        "bench",
        "CNY",
        (
            energy("0.71", 23, 7),
            energy("1.82", 10, 15),
            energy("1.82", 18, 21),
            TariffElement((PriceComponent(Dimension.ENERGY, Decimal("1.25")),)),
            TariffElement((parking,), Restrictions(min_duration_s=3600)),
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
    cases: list[tuple[str, Callable[[], object]]] = [
        (
            "TOU quote_charge (4 periods, parking, discount)",
            lambda: quote_charge(TOU, PARKING, session, ZONE, DISCOUNTS),
        ),
        (
            "OCPI price_session (5 elements)",
            lambda: price_session(_ELEMENTS, session, ZONE),
        ),
    ]
    if spec_file.exists():
        spec = element_tariff_from_ocpi(
            OcpiTariff.model_validate_json(spec_file.read_text())
        )
        cases.append(
            (
                "OCPI price_session (spec tariff_4_complex)",
                lambda: price_session(spec, session, ZONE),
            )
        )
    print("| path | runs | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |")
    timings = {}
    for name, run in cases:
        p50, p99 = _timed(run, runs)
        timings[name] = {"runs": runs, "p50_ms": p50, "p99_ms": p99}
        print(f"| {name} | {runs} | {p50:.3f} | {p99:.3f} |")
    ocpi = [t["p50_ms"] for name, t in timings.items() if name.startswith("OCPI")]
    tou = next(t["p50_ms"] for name, t in timings.items() if name.startswith("TOU"))
    measured = (
        f"{tou:.2f} ms (time-of-use), {min(ocpi):.2f}–{max(ocpi):.2f} ms (OCPI tariffs)"  # noqa: RUF001
    )
    save_result("quote", [row("quote p50 (≤ 1 ms)", measured, "`quote.py`")], timings)


_ELEMENTS = _our_tou_as_elements()

if __name__ == "__main__":
    main()
