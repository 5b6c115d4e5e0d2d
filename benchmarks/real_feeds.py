"""Real CPO feeds: Locations imported or refused per feed, and objects valid.

Reads each captured feed in ``tests/fixtures/ocpi-real/`` with the hub's
lenient reader (ADR 0028) and counts imported / refused Locations; then checks
every imported Location (as read, quirks coerced) against the independent
model set ``ocpi-types`` (a test extra). Prints a table; nothing here is a test.

    python benchmarks/real_feeds.py
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ocpi_types import v2_2_1 as spec
from result_file import row, save_result

from evroam.protocols.ocpi_2_2_1.lenient import Defaults, read_locations

FEEDS = Path(__file__).parents[1] / "tests" / "fixtures" / "ocpi-real"


def main() -> None:
    rows, figures = [], {}
    print("| feed | locations | imported | refused | warnings | valid (ocpi-types) |")
    print("| --- | --- | --- | --- | --- | --- |")
    total_checked = total_valid = 0
    began = time.perf_counter()
    for path in sorted(FEEDS.glob("*.json")):
        body = json.loads(path.read_text())
        reading = read_locations(body, Defaults("CN", "XXX"))
        imported, refused = reading.counts
        valid = 0
        for location in reading.locations:
            try:
                spec.Location.from_dict(
                    location.model_dump(mode="json", exclude_none=True)
                )
                valid += 1
            except (AssertionError, ValueError, TypeError):
                pass
        total_checked += imported
        total_valid += valid
        name = path.stem.removeprefix("ocpi_")
        share = f"{valid}/{imported}"
        print(
            f"| {name} | {imported + refused} | {imported} | {refused} "
            f"| {len(reading.warnings)} | {share} |"
        )
        figures[name] = {
            "locations": imported + refused,
            "imported": imported,
            "refused": refused,
            "warnings": len(reading.warnings),
            "valid": valid,
        }
        rows.append(f"{name.split('locations-')[-1]} {imported}/{refused}")
    seconds = time.perf_counter() - began
    percent = 100 * total_valid / total_checked if total_checked else 0.0
    print(f"\n{total_valid}/{total_checked} imported Locations valid ({percent:.1f} %)")
    save_result(
        "real_feeds",
        [
            row(
                "Real CPO feeds onboarded, imported/refused per feed "
                "(every refusal with a reason)",
                ", ".join(rows),
                "benchmarks/real_feeds.py",
            ),
            row(
                "Imported real Locations valid against an independent model set "
                "(ocpi-types)",
                f"{percent:.1f} % ({total_valid}/{total_checked}), read in "
                f"{seconds:.1f} s",
                "benchmarks/real_feeds.py",
            ),
        ],
        {"feeds": figures, "valid_percent": round(percent, 2)},
    )


if __name__ == "__main__":
    main()
