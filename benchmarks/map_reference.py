"""Page to first stations drawn, in Debian chromium, on the reference scenario.

One hub in-process (uvicorn on a loopback port) over the whole reference
scenario (6,975 stations); headless chromium opens the page cold (a new browser
context each time: no cache, no service worker) at a phone's 390x844 and a
desktop's 1440x900, on the whole country (server clusters) and on Shanghai at
zoom 13 (station markers). The figure is the page's own clock
(``performance.now()``, from navigation start) when the first cluster or marker
is attached to the map.

    python benchmarks/map_reference.py --loads 10

Prints a table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from result_file import row, save_result

sys.path.insert(0, str(Path(__file__).parents[1]))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.live_server import _Server
from tests.fakes import FixedClock
from tests.hub_keys import install_test_secrets

from evroam.api.app import create_app
from evroam.bootstrap import build_services
from evroam.config import Settings
from evroam.scenario import reference_scenario
from evroam.storage.database import DatabaseAccess

VIEWS = {"country": "/#5/34.0/108.0", "Shanghai z13": "/#13/31.2304/121.4737"}
SIZES = {"390x844": (390, 844), "1440x900": (1440, 900)}
FIRST_STATIONS = """
window.__firstStations = null;
new MutationObserver((changes, observer) => {
  if (document.querySelector('.station-marker, .server-cluster')) {
    window.__firstStations = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
TARGET_S = 1.0


def load_once(browser: Any, url: str, size: tuple[int, int]) -> float:
    phone = size[0] < 700
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        has_touch=phone, is_mobile=phone, service_workers="block",
    )  # fmt: skip
    page = context.new_page()
    page.add_init_script(FIRST_STATIONS)
    page.goto(url)
    page.wait_for_function("window.__firstStations !== null", timeout=30_000)
    seconds = float(page.evaluate("window.__firstStations")) / 1000
    context.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    install_test_secrets()  # a throwaway hub: its own secrets file
    folder = Path(tempfile.mkdtemp())
    settings = Settings(
        database_url=f"sqlite:///{folder / 'hub.db'}", maintenance_interval_s=0
    )
    services = build_services(
        settings,
        FixedClock(datetime(2026, 11, 26, 4, tzinfo=UTC)),
        access=DatabaseAccess.UPGRADE,
    )
    scenario = reference_scenario(7)
    services.catalogue.import_network(
        scenario.operators, scenario.tariffs, scenario.iter_stations()
    )
    figures: dict[str, dict[str, float]] = {}
    with _Server(create_app(settings, services)) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        for view, path in VIEWS.items():
            for size_name, size in SIZES.items():
                load_once(browser, server.base_url + path, size)  # warm the hub
                times = [
                    load_once(browser, server.base_url + path, size)
                    for _ in range(args.loads)
                ]
                figures[f"{view} {size_name}"] = {
                    "median_s": round(statistics.median(times), 3),
                    "max_s": round(max(times), 3),
                }
        browser.close()
    services.close()
    load = os.getloadavg()[0]
    print(f"| view | median | max | ({args.loads} cold loads each, load {load:.1f}) |")
    print("| --- | ---: | ---: | --- |")
    for name, f in figures.items():
        print(f"| {name} | {f['median_s']} s | {f['max_s']} s | |")
    if args.no_save:
        return
    worst = max(f["median_s"] for f in figures.values())
    measured = ", ".join(f"{name} {f['median_s']:.2f} s" for name, f in figures.items())
    save_result(
        "map_reference",
        [
            row(
                "page to first stations drawn, reference scenario (6,975 stations), "
                "headless chromium, cold (≤ 1 s)",
                f"median of {args.loads} loads: {measured} (worst median "
                f"{worst:.2f} s; machine shared, load {load:.0f})",
                "`benchmarks/map_reference.py`",
            )
        ],
        {"loads": args.loads, "views": figures, "load_average": load},
    )


if __name__ == "__main__":
    main()
