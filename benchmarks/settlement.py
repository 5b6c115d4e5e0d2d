"""Settlement benchmark: a partner's monthly statement over 1,000,000 charge records.

Fills ``billed_charges`` with one partner-month of records (plus a tenth as
many of another partner and of the neighbouring months, which the query must
skip), then times ``SettlementService.settle_period`` (target: 60 s) and the
streamed record listing that reconciliation reads:

    python benchmarks/settlement.py                        # SQLite in var/
    python benchmarks/settlement.py --postgres postgresql://postgres@127.0.0.1/test

Prints one table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from result_file import row, save_result
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, insert

import evroam.storage.settlement_tables  # noqa: F401 - registers the statements table
from evroam.settlement.model import Period
from evroam.settlement.service import SettlementService
from evroam.shared.clock import SystemClock
from evroam.shared.errors import EvroamError
from evroam.shared.ids import OperatorId
from evroam.storage.charging_tables import billed_charges
from evroam.storage.engine import create_database_engine, create_schema, drop_schema
from evroam.storage.settlement_repository import SqlSettlementRepository

PERIOD = Period.parse("2026-10")
PARTNER = OperatorId("swapway")
CHUNK = 20_000


class NoPartnerRecords:
    async def pull(self, partner_id: OperatorId, *_: datetime) -> Any:
        raise EvroamError(f"{partner_id}: not used by this benchmark")


def rows(count: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    span_s = int((PERIOD.ends_at - PERIOD.starts_at).total_seconds())
    for n in range(count):
        other = n % 10 == 9  # one in ten: another partner or another month
        ended = PERIOD.starts_at + timedelta(seconds=rng.randrange(span_s))
        if other and n % 20 == 9:
            ended += timedelta(days=40)
        electricity, service = rng.randint(100, 20_000), rng.randint(50, 8_000)
        yield {
            "session_id": f"B{seed:02d}{n:016d}",
            "operator_id": "voltnet" if other and n % 20 == 19 else PARTNER,
            "partner_record_id": f"CDR-{seed}-{n}",
            "started_at": ended - timedelta(minutes=45),
            "ended_at": ended,
            "kwh": str(Decimal(rng.randint(100, 90_000)).scaleb(-rng.choice((2, 3)))),
            "electricity_fen": electricity,
            "service_fen": service,
            "parking_fen": 0,
            "partner_total_fen": electricity + service,
            "discount_fen": rng.choice((0, 0, 0, 300)),
            "partner_reported_fen": electricity + service,
            "billed_at": ended + timedelta(minutes=2),
        }


def fill(engine: Engine, in_month: int) -> float:
    total = in_month * 10 // 9  # the extra tenth falls outside the statement
    began = time.perf_counter()
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for row in rows(total, seed=1):
            batch.append(row)
            if len(batch) == CHUNK:
                conn.execute(insert(billed_charges), batch)
                batch = []
        if batch:
            conn.execute(insert(billed_charges), batch)
    return time.perf_counter() - began


def measure(name: str, url: str, count: int) -> list[str]:
    engine = create_database_engine(url)
    drop_schema(engine)
    create_schema(engine)
    fill_s = fill(engine, count)
    repository = SqlSettlementRepository(engine)
    service = SettlementService(repository, NoPartnerRecords(), SystemClock())
    began = time.perf_counter()
    statement = service.settle_period(PARTNER, PERIOD)
    settle_s = time.perf_counter() - began
    began = time.perf_counter()
    streamed = sum(1 for _ in repository.iter_records(PARTNER, *_bounds()))
    stream_s = time.perf_counter() - began
    engine.dispose()
    return [
        name,
        f"{statement.sessions:,}",
        f"{statement.kwh}",
        f"{statement.amount_owed}",
        f"{fill_s:.1f}",
        f"{settle_s:.2f}",
        f"{stream_s:.1f} ({streamed:,})",
    ]


def _bounds() -> tuple[datetime, datetime]:
    return PERIOD.starts_at, PERIOD.ends_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="postgresql://… (its tables are replaced)")
    args = parser.parse_args()
    path = Path("var") / f"settlement-bench-{uuid.uuid4().hex[:8]}.db"
    table = Table(title=f"settle_period over {args.records:,} records of one month")
    for column in ("engine", "sessions", "kWh", "owed", "fill s", "settle s"):
        table.add_column(column, justify="right")
    table.add_column("stream s (rows)", justify="right")
    measured = []
    try:
        measured.append(measure("SQLite", f"sqlite:///{path}", args.records))
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if args.postgres:
        measured.append(measure("PostgreSQL", args.postgres, args.records))
    for cells in measured:
        table.add_row(*cells)
    console = Console(width=140)
    console.print(table)
    console.print(f"run at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    settle_s = {cells[0]: float(cells[5]) for cells in measured}
    text = ", ".join(f"{engine} {secs:.2f} s" for engine, secs in settle_s.items())
    what = (
        f"settlement of one partner-month with {args.records:,} charge records (≤ 60 s)"
    )
    save_result(
        "settlement",
        [row(what, text, "`settlement.py`")],
        {"records": args.records, "settle_s": settle_s},
    )


if __name__ == "__main__":
    main()
