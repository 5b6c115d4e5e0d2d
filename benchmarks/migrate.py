"""Schema upgrade benchmark: a reference-scenario database at revision 0001 with
100,000 ledger postings, upgraded to head; its time, and rows lost (must be 0).

The database starts from the committed baseline (tests/fixtures/baseline/), gets
the reference scenario's stations and piles (29,000 piles) and, as the baseline's
code wrote them, 2,000 drivers with 24 top-ups and a pending hold each (100,000
postings), sessions, receipts and partners whose secrets are still in clear.
Then ``evroam db upgrade``'s code runs (stamp 0001, upgrade to head: seal the
partner secrets) and every row of every table is compared:

    python benchmarks/migrate.py                        # SQLite in a temporary dir
    python benchmarks/migrate.py --postgres postgresql://postgres@127.0.0.1/test

Prints one table and writes benchmarks/results/migrate.json (machine, date,
commit, figures). Nothing here is a test.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from result_file import row, save_result
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.baseline_fill: the baseline's rows

from tests.baseline_fill import column_names, fill, snapshot  # noqa: E402

from evroam.catalogue.service import CatalogueService  # noqa: E402
from evroam.hub_secrets import new_data_key  # noqa: E402
from evroam.scenario.generator import reference_scenario  # noqa: E402
from evroam.shared.clock import SystemClock  # noqa: E402
from evroam.storage import migration  # noqa: E402
from evroam.storage.engine import create_database_engine  # noqa: E402
from evroam.storage.station_repository import SqlStationRepository  # noqa: E402

BASELINE = ROOT / "tests" / "fixtures" / "baseline"
DRIVERS, TOP_UPS = 2_000, 24  # (24 top-ups + 1 hold) x 2 postings x 2,000 = 100,000


@contextmanager
def sqlite_baseline() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="evroam-migrate-") as tmp:
        target = Path(tmp) / "baseline.db"
        shutil.copy(BASELINE / "baseline.sqlite", target)
        yield f"sqlite:///{target}"


@contextmanager
def postgres_baseline(admin_url: str) -> Iterator[str]:
    import psycopg

    name = f"evroam_migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute((BASELINE / "baseline.pg.sql").read_text())  # type: ignore[arg-type]
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load(url: str) -> None:
    """The reference scenario's network, then the baseline's wallets and partners."""
    engine = create_database_engine(url)
    try:
        scenario = reference_scenario(7)
        CatalogueService(SqlStationRepository(engine), SystemClock()).import_network(
            scenario.operators, scenario.tariffs, scenario.iter_stations()
        )
        with engine.begin() as conn:
            fill(conn, drivers=DRIVERS, top_ups_per_driver=TOP_UPS)
    finally:
        engine.dispose()


def measure(name: str, url: str) -> dict[str, Any]:
    load(url)
    engine = create_database_engine(url)
    try:
        with engine.connect() as conn:
            before = snapshot(conn)
            baseline_columns = column_names(conn)
        started = time.perf_counter()
        done = migration.upgrade(engine, url, new_data_key())
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            after = snapshot(conn, columns=baseline_columns)
    finally:
        engine.dispose()
    lost = sum(
        len(set(rows) - set(after.get(table, [])))
        for table, rows in before.items()
        if table != "partners"  # sealed by the upgrade: counted apart
    ) + max(0, len(before["partners"]) - len(after["partners"]))
    return {
        "engine": name,
        "from": done.before,
        "to": done.after,
        "stations": len(before["stations"]),
        "piles": len(before["piles"]),
        "ledger_postings": len(before["ledger_postings"]),
        "rows_before": sum(len(r) for r in before.values()),
        "rows_after": sum(len(r) for r in after.values()),
        "rows_lost": lost,
        "upgrade_s": round(seconds, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="admin URL; a scratch database is made")
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    with sqlite_baseline() as url:
        runs.append(measure("sqlite", url))
    if args.postgres:
        with postgres_baseline(args.postgres) as url:
            runs.append(measure("postgresql", url))
    table = Table(
        title="schema upgrade 0001 → head: reference scenario + 100,000 postings"
    )
    columns = {
        "engine": "engine",
        "piles": "piles",
        "ledger_postings": "postings",
        "rows_before": "rows",
        "rows_lost": "lost",
        "upgrade_s": "upgrade s",
    }
    for header in columns.values():
        table.add_column(header)
    for run in runs:
        table.add_row(
            *(
                f"{run[c]:,}" if isinstance(run[c], int) else str(run[c])
                for c in columns
            )
        )
    Console().print(table)
    measured = "; ".join(
        f"{r['engine']} {r['upgrade_s']} s, {r['rows_lost']} of {r['rows_before']:,}"
        " rows lost"
        for r in runs
    )
    what = "schema upgrade of a reference database with 100,000 ledger postings"
    save_result("migrate", [row(what, measured, "`migrate.py`")], {"runs": runs})


if __name__ == "__main__":
    main()
