"""Rows as evroam wrote them before migrations, for upgrade tests and benchmarks.

Written with plain SQL against the tables as they are in the database (reflected),
never through today's repositories: the rows must stay what a database at
revision 0001 holds even after tables.py moves on.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, MetaData, Table, insert, select
from sqlalchemy.exc import SAWarning

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
TOP_UP_FEN = 10_000
HOLD_FEN = 5_000
PARTNER_CREDENTIALS = {
    "swapway": {
        "operator_id": "MA0SWAPWAY",
        "operator_secret": "swap-operator-secret-1",
        "data_secret": "swapDataSecret16",
        "data_secret_iv": "swapDataSecretIV",
        "sig_secret": "swap-sig-secret-42",
        "fee_spelling": "Sevice",
    },
    "rapidgrid": {
        "token_a": "rapid-token-a-5f0c",
        "token_b": "rapid-token-b-9e1d",
        "token_c": "rapid-token-c-77aa",
        "endpoints": "{}",
        "roles": "[]",
    },
}
SECRET_VALUES = [
    v
    for creds in PARTNER_CREDENTIALS.values()
    for k, v in creds.items()
    if k.endswith(("secret", "iv")) or k.startswith("token_")
]


def tables(conn: Connection) -> dict[str, Table]:
    meta = MetaData()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # geography: an unknown type
        meta.reflect(conn)
    return dict(meta.tables)


def fill(conn: Connection, drivers: int, top_ups_per_driver: int = 2) -> None:
    """Partners with secrets in clear, and per driver: an account, top-ups, a
    pending hold for a session in progress, a finished session and its receipt."""
    t = tables(conn)
    _partners(conn, t)
    conn.execute(insert(t["accounts"]), list(_accounts(drivers)))
    seq = 0
    transfers: list[dict[str, Any]] = []
    postings: list[dict[str, Any]] = []
    for d in range(drivers):
        for n in range(top_ups_per_driver):
            seq += 1
            transfers.append(_transfer(seq, f"top-{d}-{n}", "top_up", f"pi_{d}_{n}"))
            postings += [
                _posting(seq, "clearing:", -TOP_UP_FEN),
                _posting(seq, f"wallet:acc_{d}", TOP_UP_FEN),
            ]
        seq += 1
        transfers.append(_transfer(seq, f"hold-{d}", "hold", f"hold_{d}"))
        postings += [
            _posting(seq, f"wallet:acc_{d}", -HOLD_FEN),
            _posting(seq, f"holds:acc_{d}", HOLD_FEN),
        ]
    for chunk in _chunks(transfers):
        conn.execute(insert(t["ledger_transfers"]), chunk)
    for chunk in _chunks(postings):
        conn.execute(insert(t["ledger_postings"]), chunk)
    conn.execute(
        insert(t["ledger_balances"]), list(_balances(drivers, top_ups_per_driver))
    )
    conn.execute(insert(t["ledger_holds"]), [_hold(d) for d in range(drivers)])
    conn.execute(
        insert(t["charging_sessions"]),
        [s for d in range(drivers) for s in _sessions(d)],
    )
    conn.execute(insert(t["receipts"]), [_receipt(d) for d in range(drivers)])


def wallet_fen(top_ups_per_driver: int) -> int:
    """Each driver's available balance after ``fill``."""
    return top_ups_per_driver * TOP_UP_FEN - HOLD_FEN


def column_names(conn: Connection) -> dict[str, list[str]]:
    """The columns of every table, to snapshot the same ones after an upgrade
    that adds columns."""
    return {name: [c.name for c in table.c] for name, table in tables(conn).items()}


def snapshot(
    conn: Connection,
    names: list[str] | None = None,
    columns: dict[str, list[str]] | None = None,
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (or of ``names``), in primary-key order; only
    the ``columns`` named for a table when they are given."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for name, table in sorted(tables(conn).items()):
        if names is not None and name not in names:
            continue
        if name.startswith(("station_rtree", "spatial_ref_sys", "alembic_version")):
            continue
        kept = columns.get(name) if columns is not None else None
        columns_of = [c for c in table.c if kept is None or c.name in kept]
        columns_of = [c for c in columns_of if c.name != "geog"]
        order = list(table.primary_key.columns) or columns_of
        rows = conn.execute(select(*columns_of).order_by(*order)).all()
        found[name] = [tuple(r) for r in rows]
    return found


def _chunks(
    rows: list[dict[str, Any]], size: int = 5_000
) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _partners(conn: Connection, t: dict[str, Table]) -> None:
    for pid, creds in PARTNER_CREDENTIALS.items():
        conn.execute(
            insert(t["partners"]),
            {
                "id": pid,
                "name": pid.title(),
                "protocol": "tcec" if "sig_secret" in creds else "ocpi",
                "profile": "swap" if pid == "swapway" else "fast",
                "url": f"http://{pid}.test/",
                "credentials": json.dumps(creds, sort_keys=True),
                "status_ttl_s": 900,
                "country_code": "CN",
                "party_id": pid[:3].upper(),
                "added_at": T0,
            },
        )
        conn.execute(
            insert(t["partner_feeds"]),
            {
                "partner_id": pid,
                "is_reachable": True,
                "last_sync_stations": 3,
                "pushes_total": 12,
                "changes_total": 5,
                "errors_total": 0,
            },
        )


def _accounts(drivers: int) -> Iterator[dict[str, Any]]:
    for d in range(drivers):
        yield {
            "id": f"acc_{d}",
            "name": f"Driver {d}",
            "token_hash": f"{d:064x}",
            "created_at": T0 + timedelta(seconds=d),
        }


def _transfer(seq: int, tid: str, kind: str, reference: str) -> dict[str, Any]:
    return {
        "seq": seq,
        "id": tid,
        "kind": kind,
        "reference": reference,
        "created_at": T0 + timedelta(seconds=seq),
    }


def _posting(seq: int, account: str, amount_fen: int) -> dict[str, Any]:
    return {"transfer_seq": seq, "account": account, "amount_fen": amount_fen}


def _balances(drivers: int, top_ups: int) -> Iterator[dict[str, Any]]:
    yield {
        "account": "clearing:",
        "slot": 0,
        "balance_fen": -drivers * top_ups * TOP_UP_FEN,
    }
    for d in range(drivers):
        yield {
            "account": f"wallet:acc_{d}",
            "slot": 0,
            "balance_fen": wallet_fen(top_ups),
        }
        yield {"account": f"holds:acc_{d}", "slot": 0, "balance_fen": HOLD_FEN}


def _hold(d: int) -> dict[str, Any]:
    return {
        "id": f"hold_{d}",
        "account_id": f"acc_{d}",
        "amount_fen": HOLD_FEN,
        "reference": f"ses_{d}_live",
        "placed_at": T0,
        "state": "pending",
        "partner_fen": 0,
        "discount_fen": 0,
        "from_hold_fen": 0,
        "from_wallet_fen": 0,
        "receivable_fen": 0,
        "refunded_fen": 0,
    }


def _sessions(d: int) -> list[dict[str, Any]]:
    common = {
        "account_id": f"acc_{d}",
        "fingerprint": "f" * 64,
        "operator_id": "swapway",
        "station_id": "swapway:S001",
        "pile_id": "swapway:S001:P1",
        "created_at": T0,
        "kwh": "0",
    }
    return [
        {**common, "id": f"ses_{d}_live", "idempotency_key": f"k-{d}-1",
         "status": "charging", "hold_id": f"hold_{d}", "hold_fen": HOLD_FEN,
         "kwh": "7.5"},
        {**common, "id": f"ses_{d}_done", "idempotency_key": f"k-{d}-0",
         "status": "completed", "hold_id": f"hold_{d}_old", "hold_fen": HOLD_FEN,
         "kwh": "21.3", "cost_fen": 3_480, "ended_at": T0 + timedelta(hours=1)},
    ]  # fmt: skip


def _receipt(d: int) -> dict[str, Any]:
    return {
        "session_id": f"ses_{d}_done",
        "account_id": f"acc_{d}",
        "issued_at": T0 + timedelta(hours=1),
        "body": json.dumps({"total": "34.80", "kwh": "21.3"}),
    }
