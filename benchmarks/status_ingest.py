"""Status ingestion benchmark: durable pile status updates per second, by batch size.

Loads the reference scenario (29,000 piles) into a fresh database, then feeds
N ``PileStatusReport``s through ``StatusService.ingest`` in batches: random
piles, increasing times, ~2 % exact duplicates and ~3 % stale reports (older
than what the hub holds, must be ignored). After each run the stored statuses
must equal the last report per pile ("verified").

    python benchmarks/status_ingest.py
    python benchmarks/status_ingest.py --postgres postgresql://postgres@127.0.0.1/postgres

With ``--postgres`` (a server URL; its database is only used to connect) a
throw-away database is created and dropped afterwards. Prints one table;
nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from result_file import row, save_result
from sqlalchemy import text

from evroam.bootstrap import Services, build_services
from evroam.catalogue.model import PileStatus
from evroam.config import Settings
from evroam.scenario.generator import reference_scenario
from evroam.shared.ids import PileId
from evroam.status.model import PileStatusReport
from evroam.storage.database import DatabaseAccess

STATUSES = [s for s in PileStatus if s is not PileStatus.UNKNOWN]
DUPLICATE_SHARE = 0.02
STALE_SHARE = 0.03


@dataclass(frozen=True, slots=True)
class RunResult:
    engine: str
    batch: int
    reports: int
    seconds: float
    changed: int
    verified: bool

    @property
    def per_s(self) -> float:
        return self.reports / self.seconds


def load_scenario(services: Services, seed: int) -> list[PileId]:
    scenario = reference_scenario(seed)
    services.catalogue.import_network(
        scenario.operators, scenario.tariffs, scenario.iter_stations()
    )
    with services.engine.connect() as conn:
        return [PileId(r[0]) for r in conn.execute(text("SELECT id FROM piles"))]


def make_reports(
    pile_ids: list[PileId], n: int, start: datetime, rng: random.Random
) -> tuple[list[PileStatusReport], dict[PileId, PileStatusReport]]:
    """``n`` reports, 1 ms apart, and the last (newest) report per pile."""
    reports: list[PileStatusReport] = []
    latest: dict[PileId, PileStatusReport] = {}
    for i in range(n):
        draw = rng.random()
        if reports and draw < DUPLICATE_SHARE:
            reports.append(rng.choice(reports[-2000:]))
            continue
        if reports and draw < DUPLICATE_SHARE + STALE_SHARE:
            held = rng.choice(reports[-2000:])  # older than what the hub holds
            reports.append(
                PileStatusReport(
                    held.pile_id,
                    rng.choice(STATUSES),
                    held.observed_at - timedelta(seconds=1),
                )
            )
            continue
        pile = rng.choice(pile_ids)
        report = PileStatusReport(
            pile, rng.choice(STATUSES), start + timedelta(milliseconds=i)
        )
        reports.append(report)
        latest[pile] = report
    return reports, latest


async def feed(services: Services, reports: list[PileStatusReport], size: int) -> int:
    changed = 0
    for at in range(0, len(reports), size):
        changed += len(await services.status.ingest(reports[at : at + size]))
    return changed


def stored(services: Services) -> dict[str, tuple[str, datetime | None]]:
    with services.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, status, status_at FROM piles")).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def matches(
    before: dict[str, tuple[str, datetime | None]],
    after: dict[str, tuple[str, datetime | None]],
    latest: dict[PileId, PileStatusReport],
) -> bool:
    """Every reported pile holds its newest report; every other pile is unchanged."""
    for pile_id, (status, _) in after.items():
        report = latest.get(PileId(pile_id))
        expected = before[pile_id][0] if report is None else report.status.value
        if status != expected:
            return False
    return True


async def run_engine(
    name: str, url: str, args: argparse.Namespace, rng: random.Random
) -> list[RunResult]:
    services = build_services(Settings(database_url=url), access=DatabaseAccess.UPGRADE)
    try:
        pile_ids = load_scenario(services, args.seed)
        results = []
        for run, size in enumerate(args.batches):
            start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=run)
            reports, latest = make_reports(pile_ids, args.n, start, rng)
            before = stored(services)
            t0 = time.perf_counter()
            changed = await feed(services, reports, size)
            seconds = time.perf_counter() - t0
            ok = matches(before, stored(services), latest)
            results.append(RunResult(name, size, len(reports), seconds, changed, ok))
        return results
    finally:
        services.close()


def create_pg_database(server_url: str) -> tuple[str, str]:
    """A throw-away database on the server; returns (its URL, its name)."""
    name = f"evroam_bench_status_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = server_url.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def drop_pg_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run_all(args: argparse.Namespace) -> list[RunResult]:
    rng = random.Random(args.seed)
    results: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="evroam-ingest-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'status.db'}"
        results += await run_engine("SQLite (WAL, file)", url, args, rng)
    if args.postgres:
        pg_url, name = create_pg_database(args.postgres)
        try:
            results += await run_engine("PostgreSQL", pg_url, args, rng)
        finally:
            drop_pg_database(args.postgres, name)
    return results


def print_table(results: list[RunResult], target: float) -> None:
    print(
        f"\n| {'engine':20} | batch | reports | seconds | updates/s "
        "| changed | stored = last report |"
    )
    print(f"| {'-' * 20} | ----: | ------: | ------: | --------: | ------: | :--: |")
    for r in results:
        print(
            f"| {r.engine:20} | {r.batch:5,} | {r.reports:7,} | {r.seconds:7.2f} "
            f"| {r.per_s:9,.0f} | {r.changed:7,} "
            f"| {'verified' if r.verified else 'MISMATCH'} |"
        )
    sqlite = [r.per_s for r in results if r.engine.startswith("SQLite")]
    verdict = "meets" if sqlite and min(sqlite) >= target else "BELOW"
    print(f"\ntarget >= {target:,.0f} updates/s on SQLite: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="reports per run")
    parser.add_argument(
        "--batches",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[500, 1000, 5000],
    )
    parser.add_argument("--postgres", default=None, help="postgresql://… server URL")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--target", type=float, default=20_000)
    args = parser.parse_args()
    results = asyncio.run(run_all(args))
    print_table(results, args.target)
    save_result(
        "status_ingest",
        [row(WHAT, summary(results), "`status_ingest.py`")],
        {"runs": [{**asdict(r), "per_s": r.per_s} for r in results]},
    )


WHAT = "durable status ingestion, batched (≥ 20,000/s on SQLite; Postgres reported)"


def summary(results: list[RunResult]) -> str:
    parts = []
    for engine, label in (("SQLite", "SQLite"), ("Postgre", "PostgreSQL")):
        rates = [r.per_s / 1000 for r in results if r.engine.startswith(engine)]
        if rates:
            parts.append(f"{label} {min(rates):.1f} k–{max(rates):.1f} k/s")  # noqa: RUF001
    return "; ".join(parts)


if __name__ == "__main__":
    main()
