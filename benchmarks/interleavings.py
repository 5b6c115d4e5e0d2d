"""Random interleavings of the charging state machine per engine (issue 10).

Runs the Hypothesis state machine of tests/unit/charging/machine.py (drivers,
in-flight start and stop commands, duplicated, late and out-of-order partner
messages, time, hub restarts, drivers closing sessions of a silent partner)
through the real ChargingService ``--runs`` times per engine, derandomized, and
prints a table: runs, steps per run, money-rule violations (a violation stops
the engine's runs and is printed), seconds and runs per second.

    python benchmarks/interleavings.py --runs 10000 --engines memory,sqlite,postgres
    python benchmarks/interleavings.py --engines memory:1000,sqlite:200,postgres:100

PostgreSQL: a fresh database made on the ``--postgres-admin-url`` server (the
test server by default) and dropped afterwards; its tables are emptied before
each run. ``make test`` runs 100 (in memory) and
200 (SQLite, PostgreSQL) runs; the ``slow`` test 10,000 per SQL engine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from result_file import row, save_result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the machine lives with the tests

from tests.adapters.charging.test_interleavings import machine_on  # noqa: E402
from tests.unit.charging.machine import ChargingMachine  # noqa: E402
from tests.unit.charging.test_interleavings import InMemoryChargingMachine  # noqa: E402

from evroam.storage.engine import (  # noqa: E402
    create_database_engine,
    create_schema,
    drop_schema,
)

STEPS = 30
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    """A database of its own on the server, dropped afterwards."""
    import psycopg

    name = f"evroam_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine_for(
    engine_name: str, tmp: Path, stack: ExitStack, admin_url: str
) -> type[ChargingMachine]:
    if engine_name == "memory":
        return InMemoryChargingMachine
    url = (
        f"sqlite:///{tmp / 'interleavings.db'}"
        if engine_name == "sqlite"
        else stack.enter_context(fresh_postgres(admin_url))
    )
    engine = create_database_engine(url)
    drop_schema(engine)
    create_schema(engine)
    return machine_on(engine)


def run(machine: type[ChargingMachine], runs: int) -> tuple[int, float, str]:
    """(violations, seconds, the first violation)."""
    started = time.perf_counter()
    try:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=runs,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
                print_blob=False,
            ),
        )
    except Exception as exc:  # a money rule broke: Hypothesis shrank it
        return 1, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
    return 0, time.perf_counter() - started, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--engines", default="memory,sqlite,postgres")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    runs_of = {
        e.partition(":")[0]: int(e.partition(":")[2] or args.runs) for e in engines
    }
    figures: dict[str, dict[str, float | int | str]] = {}
    print(
        f"{'engine':<10} {'runs':>7} {'steps':>6} {'violations':>10} {'s':>9} {'runs/s':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        for name, runs in runs_of.items():
            machine = machine_for(name, Path(tmp), stack, args.postgres_admin_url)
            violations, seconds, first = run(machine, runs)
            rate = runs / seconds if seconds else 0.0
            figures[name] = {
                "runs": runs,
                "steps_per_run": STEPS,
                "violations": violations,
                "seconds": round(seconds, 1),
                "runs_per_s": round(rate, 2),
                "first_violation": first,
            }
            print(
                f"{name:<10} {runs:>7} {STEPS:>6} {violations:>10}"
                f" {seconds:>9.1f} {rate:>8.2f}"
            )
            if first:
                print(f"  {first[:2000]}")
    if args.no_save:
        return
    measured = "; ".join(
        f"{name}: {f['runs']:,} runs, {f['violations']} violations"
        f" ({f['runs_per_s']} runs/s)"
        for name, f in figures.items()
    )
    save_result(
        "interleavings",
        [
            row(
                "random interleavings of the charging state machine, derandomized "
                "(0 money-rule violations; machine loaded by other sessions)",
                measured,
                "`interleavings.py`",
            )
        ],
        figures,
    )


if __name__ == "__main__":
    main()
