"""Live-stream bytes per minute for one phone viewing Shanghai at zoom 13.

One hub in-process (uvicorn on a loopback port) over the reference scenario; a
publisher pushes ~44 pile status changes a second at random piles across the
country onto the hub's bus (the issue's workload); one client reads
``GET /api/v1/events`` for ``--seconds``: first as the page did before issue 12
(no bbox: every change in the country), then as it does now (the bbox of a
390x844 view at zoom 13 on Shanghai, padded a quarter each side, as map.js asks).

    python benchmarks/live_bytes.py --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from result_file import row, save_result

sys.path.insert(0, str(Path(__file__).parents[1]))

from tests.browser.live_server import _Server
from tests.hub_keys import install_test_secrets

from evroam.api.app import create_app
from evroam.bootstrap import build_services
from evroam.catalogue.model import PileStatus
from evroam.config import Settings
from evroam.scenario import reference_scenario
from evroam.status.model import PileStatusChanged
from evroam.storage.database import DatabaseAccess

EVENTS_PER_S = 44
SHANGHAI = (31.2304, 121.4737)
PHONE = (390, 844)


def phone_bbox(zoom: int = 13, pad: float = 0.25) -> str:
    """The bbox map.js subscribes with: the view plus ``pad`` of it on each side."""
    deg_per_px = 360.0 / (256 * 2**zoom)
    half_w = PHONE[0] / 2 * deg_per_px * (1 + 2 * pad)
    half_h = PHONE[1] / 2 * deg_per_px * math.cos(math.radians(SHANGHAI[0]))
    half_h *= 1 + 2 * pad
    lat, lon = SHANGHAI
    return f"{lon - half_w},{lat - half_h},{lon + half_w},{lat + half_h}"


def read_stream(url: str, seconds: float, counted: dict[str, int]) -> None:
    deadline = time.monotonic() + seconds
    with httpx.stream("GET", url, timeout=seconds + 10) as response:
        for chunk in response.iter_raw():
            counted["bytes"] += len(chunk)
            counted["events"] += chunk.count(b"event: pile_status")
            if time.monotonic() > deadline:
                break


async def publish(services, piles, stop: threading.Event) -> int:
    rng = random.Random(12)
    sent = 0
    statuses = [PileStatus.AVAILABLE, PileStatus.CHARGING, PileStatus.OCCUPIED]
    while not stop.is_set():
        station_id, pile_id, lat, lon = rng.choice(piles)
        event = PileStatusChanged(
            station_id, pile_id, rng.choice(statuses), datetime.now(UTC), lat, lon
        )
        await services.bus.publish([event])
        sent += 1
        await asyncio.sleep(1 / EVENTS_PER_S)
    return sent


def measure(base: str, services, piles, bbox: str | None, seconds: float) -> dict:
    counted = {"bytes": 0, "events": 0}
    url = base + "/api/v1/events" + (f"?bbox={bbox}" if bbox else "")
    stop = threading.Event()
    reader = threading.Thread(target=read_stream, args=(url, seconds, counted))
    reader.start()
    time.sleep(0.5)
    loop = asyncio.new_event_loop()
    publisher = threading.Thread(
        target=lambda: counted.__setitem__(
            "sent", loop.run_until_complete(publish(services, piles, stop))
        )
    )
    publisher.start()
    reader.join()
    stop.set()
    publisher.join()
    per_minute = 60.0 / seconds
    return {
        "bytes_per_minute": round(counted["bytes"] * per_minute),
        "events_per_minute": round(counted["events"] * per_minute),
        "published_per_minute": round(counted["sent"] * per_minute),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    install_test_secrets()  # a throwaway hub: its own secrets file
    folder = Path(tempfile.mkdtemp())
    settings = Settings(
        database_url=f"sqlite:///{folder / 'hub.db'}", maintenance_interval_s=0
    )
    services = build_services(settings, access=DatabaseAccess.UPGRADE)
    scenario = reference_scenario(7)
    stations = list(scenario.iter_stations())
    services.catalogue.import_network(scenario.operators, scenario.tariffs, stations)
    piles = [(s.id, p.id, s.lat, s.lon) for s in stations for p in s.piles]
    bbox = phone_bbox()
    with _Server(create_app(settings, services)) as server:
        before = measure(server.base_url, services, piles, None, args.seconds)
        after = measure(server.base_url, services, piles, bbox, args.seconds)
    services.close()
    print("| stream | bytes/min | events/min | published/min |")
    print("| --- | ---: | ---: | ---: |")
    for name, f in (("before: whole country", before), ("after: phone bbox", after)):
        print(
            f"| {name} | {f['bytes_per_minute']:,} | {f['events_per_minute']:,}"
            f" | {f['published_per_minute']:,} |"
        )
    save_result(
        "live_bytes",
        [
            row(
                "live stream for one phone on Shanghai at zoom 13, ~44 changes/s "
                "nationwide",
                f"{before['bytes_per_minute'] / 1000:,.0f} kB/min before (no bbox), "
                f"{after['bytes_per_minute'] / 1000:,.1f} kB/min after (view bbox)",
                "`benchmarks/live_bytes.py`",
            )
        ],
        {"before": before, "after": after, "bbox": bbox, "seconds": args.seconds},
    )


if __name__ == "__main__":
    main()
