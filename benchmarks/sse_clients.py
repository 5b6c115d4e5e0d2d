"""1,000 SSE clients on one hub worker: how late do live status events arrive?

The issue 12 workload: ``evroam serve`` (one worker) with the Redis bus
(``--bus``; a namespace of its own), clients from a second process, each
subscribed to ``GET /api/v1/events?bbox=`` for a phone's view at zoom 13 (plus a
quarter on each side, as map.js asks) centred on a random station of the
reference scenario; a publisher puts ~44 status changes a second at random piles
across the country on the hub's Redis stream, each stamped with the time it was
published. Each client notes, for every event it gets, now minus that stamp: the
delivery latency through Redis, the worker's fan-out and its bbox filter.

    python benchmarks/sse_clients.py --clients 1000 --seconds 60
    python benchmarks/sse_clients.py --clients 500 --seconds 30 --no-save

Prints a table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from result_file import row, save_result

sys.path.insert(0, str(Path(__file__).parents[1]))

EVENTS_PER_S = 44
PHONE = (390, 844 - 112)  # the map's part of a 390x844 screen
ZOOM = 13
REDIS = "redis://127.0.0.1:6379/0"
TARGET_P99_S = 1.0


def phone_bbox(lat: float, lon: float, pad: float = 0.25) -> str:
    deg_per_px = 360.0 / (256 * 2**ZOOM)
    half_w = PHONE[0] / 2 * deg_per_px * (1 + 2 * pad)
    half_h = PHONE[1] / 2 * deg_per_px * math.cos(math.radians(lat)) * (1 + 2 * pad)
    return (
        f"{lon - half_w:.5f},{lat - half_h:.5f},{lon + half_w:.5f},{lat + half_h:.5f}"
    )


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# ---------- the clients' process ----------


async def one_client(
    host: str, port: int, bbox: str, out: dict[str, Any], stop: asyncio.Event
) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        out["failed"] += 1
        return
    writer.write(
        f"GET /api/v1/events?bbox={bbox} HTTP/1.1\r\nHost: {host}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    try:
        while not stop.is_set():
            line = await reader.readline()
            if not line:
                break
            if line.startswith(b": connected"):
                out["connected"] += 1
            elif line.startswith(b"data: "):
                now = time.time()
                sent = datetime.fromisoformat(json.loads(line[6:])["observed_at"])
                out["latencies"].append(now - sent.timestamp())
    except (ConnectionError, asyncio.IncompleteReadError):
        out["dropped"] += 1
    finally:
        writer.close()


async def run_clients(boxes: list[str], port: int) -> dict[str, Any]:
    out: dict[str, Any] = {"connected": 0, "failed": 0, "dropped": 0, "latencies": []}
    stop = asyncio.Event()
    tasks = []
    for box in boxes:
        tasks.append(asyncio.create_task(one_client("127.0.0.1", port, box, out, stop)))
        await asyncio.sleep(0.002)  # no SYN storm
    for _ in range(600):  # up to 2 minutes for every stream to say it is connected
        if out["connected"] + out["failed"] >= len(boxes):
            break
        await asyncio.sleep(0.2)
    print(f"ready {out['connected']} {out['failed']}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return out


# ---------- the driver: hub, publisher, figures ----------


async def publish(url: str, stream: str, piles: list[Any], seconds: float) -> int:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    rng = random.Random(12)
    statuses = ["available", "charging", "occupied"]
    sent = 0
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        station_id, pile_id, lat, lon = rng.choice(piles)
        wire = {
            "station_id": station_id, "pile_id": pile_id,
            "status": rng.choice(statuses),
            "observed_at": datetime.now(UTC).isoformat(), "lat": lat, "lon": lon,
        }  # fmt: skip
        await client.xadd(stream, {"e": json.dumps(wire)}, maxlen=100_000)
        sent += 1
        await asyncio.sleep(max(0.0, start + sent / EVENTS_PER_S - time.monotonic()))
    await client.aclose()
    return sent


def measure(clients: int, seconds: float) -> dict[str, Any]:
    from tests.e2e.processes import Hub
    from tests.hub_keys import install_test_secrets

    from evroam.messaging.redis_streams import stream_name
    from evroam.scenario import reference_scenario

    install_test_secrets()
    folder = Path(tempfile.mkdtemp())
    namespace = f"bench-sse-{os.getpid()}"
    stations = list(reference_scenario(7).iter_stations())
    piles = [(s.id, p.id, s.lat, s.lon) for s in stations for p in s.piles]
    rng = random.Random(7)
    boxes = [phone_bbox(s.lat, s.lon) for s in rng.choices(stations, k=clients)]
    (folder / "boxes.json").write_text(json.dumps(boxes))
    hub = Hub(folder / "hub.db", env={"EVROAM_BUS_NAMESPACE": namespace}, bus_url=REDIS)
    hub.start()
    try:
        reader = subprocess.Popen(
            [sys.executable, __file__, "--role", "clients", "--port", str(hub.port),
             "--boxes", str(folder / "boxes.json"), "--out", str(folder / "out.json")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert reader.stdin is not None
        assert reader.stdout is not None
        ready = reader.stdout.readline().split()
        print(f"clients connected: {ready[1]} (failed {ready[2]})")
        time.sleep(2)
        sent = asyncio.run(publish(REDIS, stream_name(namespace), piles, seconds))
        time.sleep(5)  # the last events' way through
        reader.stdin.write("\n")
        reader.stdin.flush()
        reader.wait(timeout=120)
        out = json.loads((folder / "out.json").read_text())
    finally:
        hub.stop()
    latencies = out["latencies"]
    return {
        "clients": clients,
        "connected": int(ready[1]),
        "seconds": seconds,
        "published": sent,
        "delivered": len(latencies),
        "dropped_streams": out["dropped"],
        "p50_s": round(percentile(latencies, 50), 3) if latencies else None,
        "p99_s": round(percentile(latencies, 99), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="driver", choices=("driver", "clients"))
    parser.add_argument("--clients", type=int, nargs="+", default=[1000])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--port", type=int)
    parser.add_argument("--boxes")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.role == "clients":
        boxes = json.loads(Path(args.boxes).read_text())
        out = asyncio.run(run_clients(boxes, args.port))
        Path(args.out).write_text(json.dumps(out))
        return
    results = [measure(n, args.seconds) for n in args.clients]
    print("| clients | connected | published | delivered | p50 | p99 | max | load |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['clients']:,} | {r['connected']:,} | {r['published']:,} | "
            f"{r['delivered']:,} | {r['p50_s']} s | {r['p99_s']} s | {r['max_s']} s | "
            f"{r['load_average']:.1f} |"
        )
    if args.no_save:
        return
    measured = "; ".join(
        f"{r['clients']:,} clients: p50 {r['p50_s']} s, p99 {r['p99_s']} s "
        f"({r['delivered']:,} deliveries)"
        for r in results
    )
    save_result(
        "sse_clients",
        [
            row(
                "live events to SSE clients on one worker via Redis, each on a "
                f"zoom-13 phone bbox, ~{EVENTS_PER_S} changes/s (p99 ≤ 1 s)",
                f"{measured}; machine shared, load {results[-1]['load_average']:.0f}",
                "`benchmarks/sse_clients.py`",
            )
        ],
        {"runs": results},
    )


if __name__ == "__main__":
    main()
