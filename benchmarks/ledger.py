"""Ledger benchmark: durable wallet transfers per second on SQLite and PostgreSQL.

Each operation goes through ``WalletService`` exactly as the API would: the
idempotency key is claimed with the response, the transfer and its postings
appended, cached balances moved (with the never-negative guard) and the hold
added or resolved, all committed before the call returns. The workload
alternates ``place_hold`` and ``settle_hold`` (with a brand discount) over
many drivers. Each engine runs with the write-plan writer the app uses
(ADR 0012: on PostgreSQL, group commit of many transfers per commit) and, for
comparison, with one unit of work per transfer. Afterwards the trial balance
must be consistent (cached balances = replay of postings, sum = 0).

    python benchmarks/ledger.py                       # SQLite only
    python benchmarks/ledger.py --postgres postgresql://postgres@127.0.0.1/postgres

Prints one markdown table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from result_file import row, save_result
from sqlalchemy import Engine, event

import evroam.storage.ledger_tables  # noqa: F401 - registers the ledger tables
from evroam.payments.sandbox import SandboxPaymentProvider
from evroam.shared.clock import SystemClock
from evroam.shared.money import Money
from evroam.storage.engine import create_database_engine, create_schema
from evroam.storage.ledger_batch import PostgresPlanWriter
from evroam.storage.ledger_repository import SqlLedgerStore
from evroam.storage.ledger_sqlite import SqlitePlanWriter
from evroam.wallet.service import WalletService

SECRET = b"bench-secret"


Writer = SqlitePlanWriter | PostgresPlanWriter


def build(
    engine: Engine, writer: Writer | None
) -> tuple[WalletService, SandboxPaymentProvider, SqlLedgerStore]:
    clock = SystemClock()
    provider = SandboxPaymentProvider(SECRET, clock)
    store = SqlLedgerStore(engine)
    service = WalletService(store, provider, clock, writer=writer)
    return service, provider, store


def fund(
    service: WalletService, provider: SandboxPaymentProvider, drivers: list[str]
) -> None:
    for driver in drivers:
        service.open_wallet(driver)
        top_up = service.top_up(driver, Money.of("100000.00"), f"fund-{driver}")
        hook = provider.confirm(top_up.intent_id)
        service.confirm_top_up(hook.body, hook.signature_header)


def run(
    service: WalletService, drivers: list[str], threads: int, transfers: int
) -> float:
    """Seconds to make ``transfers`` transfers on ``threads`` threads."""
    per_thread = transfers // threads // 2
    start = threading.Barrier(threads + 1)
    run_id = uuid.uuid4().hex[:8]

    def client(t: int) -> None:
        mine = drivers[t::threads]
        start.wait()
        for n in range(per_thread):
            driver = mine[n % len(mine)]
            key = f"{run_id}-{t}-{n}"
            hold = service.place_hold(driver, Money.of("80.00"), f"s-{key}", f"h-{key}")
            service.settle_hold(
                hold.id, Money.of("42.37"), Money.of("4.24"), "swapway", f"s-{key}"
            )

    workers = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    start.wait()
    began = time.perf_counter()
    for w in workers:
        w.join()
    return time.perf_counter() - began


def full_sync(engine: Engine) -> None:
    def pragma(conn: sqlite3.Connection, _record: Any) -> None:
        conn.execute("PRAGMA synchronous=FULL")

    event.listen(engine, "connect", pragma)


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    import psycopg

    name = f"evroam_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(
    label: str,
    engine: Engine,
    threads: list[int],
    transfers: int,
    make_writer: Callable[[Engine], Writer] | None = None,
    figures: list[dict[str, object]] | None = None,
) -> list[str]:
    create_schema(engine)
    writer = make_writer(engine) if make_writer else None
    service, provider, store = build(engine, writer)
    drivers = [f"driver-{n:04d}" for n in range(max(threads) * 8)]
    fund(service, provider, drivers)
    rows = []
    for count in threads:
        seconds = run(service, drivers, count, transfers)
        made = transfers // count // 2 * count * 2
        trial = store.trial_balance()
        ok = "yes" if trial.is_consistent and trial.total_fen == 0 else "NO"
        per_commit = "1"
        if isinstance(writer, PostgresPlanWriter) and writer.batches:
            per_commit = f"{writer.plans / writer.batches:.1f}"
        rows.append(
            f"| {label} | {count} | {made:,} | {seconds:.2f} | {made / seconds:,.0f} "
            f"| {per_commit} | {ok} |"
        )
        print(rows[-1], flush=True)
        if figures is not None:
            figures.append(
                {"engine": label, "threads": count, "per_s": made / seconds, "ok": ok}
            )
        if isinstance(writer, PostgresPlanWriter):
            writer.batches = writer.plans = 0
    if writer is not None:
        writer.close()
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=20_000)
    parser.add_argument("--postgres", help="admin URL; a throw-away database is used")
    parser.add_argument("--pg-threads", default="1,8,64,128")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    found: list[dict[str, object]] = []
    print(
        "| engine | threads | transfers | seconds | transfers/s "
        "| transfers per commit | books balance |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | :--: |")
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            for label, sync, writer in (
                ("SQLite WAL, synchronous=NORMAL, plan writer", "NORMAL", True),
                ("SQLite WAL, synchronous=FULL, plan writer", "FULL", True),
                ("SQLite WAL, synchronous=NORMAL, unit of work", "NORMAL", False),
            ):
                url = f"sqlite:///{Path(tmp) / f'{sync}-{writer}.db'}"
                engine = create_database_engine(url)
                if sync == "FULL":
                    full_sync(engine)
                make = SqlitePlanWriter if writer else None
                measure(label, engine, [1], args.transfers, make, found)
    if args.postgres:
        threads = [int(t) for t in args.pg_threads.split(",")]
        with postgres_database(args.postgres) as url:
            engine = create_database_engine(url)
            measure(
                "PostgreSQL, group commit",
                engine,
                threads,
                args.transfers,
                PostgresPlanWriter,
                found,
            )
        with postgres_database(args.postgres) as url:
            engine = create_database_engine(url)
            measure(
                "PostgreSQL, one commit each",
                engine,
                threads[:2],
                args.transfers,
                figures=found,
            )
    save_result("ledger", [row(WHAT, summary(found), "`ledger.py`")], {"runs": found})


WHAT = "ledger transfers, durable (≥ 2,000/s SQLite, ≥ 5,000/s Postgres)"


def summary(found: list[dict[str, object]]) -> str:
    """The README's figure: SQLite's plan writer, PostgreSQL's group commit."""

    def rates(prefix: str) -> list[float]:
        return [float(str(f["per_s"])) for f in found if str(f["engine"]) == prefix]

    parts = []
    sqlite = rates("SQLite WAL, synchronous=NORMAL, plan writer")
    if sqlite:
        parts.append(f"SQLite {max(sqlite):,.0f}/s")
    group = rates("PostgreSQL, group commit")
    if group:
        parts.append(
            f"PostgreSQL with group commit {min(group):,.0f}–{max(group):,.0f}/s"  # noqa: RUF001
        )
    return "; ".join(parts) or "not run"


if __name__ == "__main__":
    main()
