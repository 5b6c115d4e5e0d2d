"""The Parquet archive of the pile status history, which DuckDB reports read.

Layout, under ``<data dir>/history/<archive id>/status/``::

    day=2026-12-07/part-000000000001-000000052311.parquet

A file holds the rows of one UTC day with ids in ``[first, last]`` (columns
id, pile_id, changed_at, status, previous). Rows are taken from the database
in id order, so the highest ``last`` is the watermark: every row up to it is
archived. A closed day's files are merged into one; a file whose id range lies
inside another's of the same day is a merge's leftover and is ignored, so a
crash between writing the merge and deleting its parts loses and doubles
nothing. One keeper works at a time (an exclusive ``flock`` on ``.lock``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]

SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("pile_id", pa.string()),
        ("changed_at", pa.timestamp("us", tz="UTC")),
        ("status", pa.string()),
        ("previous", pa.string()),
    ]
)
MOST_FILES_A_DAY = 48
_PART = re.compile(r"part-(\d{12})-(\d{12})\.parquet")
_DAY = re.compile(r"day=(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    path: Path
    day: date
    first_id: int
    last_id: int


def rows_table(rows: Sequence[tuple[Any, ...]]) -> pa.Table:
    """(id, pile_id, changed_at, status, previous) tuples as an Arrow table."""
    columns: list[Sequence[Any]] = (
        list(zip(*rows, strict=True)) if rows else [() for _ in SCHEMA]
    )
    return pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, SCHEMA, strict=True)],
        schema=SCHEMA,
    )


class ParquetStatusArchive:
    def __init__(self, root: Path) -> None:
        self.root = root

    # -- reading ---------------------------------------------------------------
    def files(self) -> list[ArchiveFile]:
        """The files to read: every day's files but a merge's leftovers."""
        found: dict[date, list[ArchiveFile]] = {}
        if not self.root.exists():
            return []
        for day_dir in self.root.iterdir():
            day_match = _DAY.fullmatch(day_dir.name)
            if day_match is None or not day_dir.is_dir():
                continue
            day = date.fromisoformat(day_match.group(1))
            for path in day_dir.iterdir():
                part = _PART.fullmatch(path.name)
                if part is not None:
                    first, last = int(part.group(1)), int(part.group(2))
                    found.setdefault(day, []).append(
                        ArchiveFile(path, day, first, last)
                    )
        kept: list[ArchiveFile] = []
        for day_files in found.values():
            kept.extend(
                f
                for f in day_files
                if not any(_inside(f, other) for other in day_files if other != f)
            )
        return sorted(kept, key=lambda f: (f.day, f.first_id))

    def watermark(self) -> int:
        """The highest id archived (0: none)."""
        return max((f.last_id for f in self.files()), default=0)

    # -- writing ---------------------------------------------------------------
    def write(self, table: pa.Table) -> int:
        """Add rows (one database batch, in id order); returns the rows written."""
        if table.num_rows == 0:
            return 0
        ids = table.column("id")
        first, last = ids[0].as_py(), ids[-1].as_py()
        days = pc.cast(table.column("changed_at"), pa.date32())
        for day in sorted(pc.unique(days).to_pylist()):
            self._write_file(table.filter(pc.equal(days, day)), day, first, last)
        return int(table.num_rows)

    def compact(self, before: date, most_files: int = MOST_FILES_A_DAY) -> int:
        """Merge the files of each day before ``before`` into one, and of any
        day with more than ``most_files``; returns the days merged."""
        by_day: dict[date, list[ArchiveFile]] = {}
        for f in self.files():
            by_day.setdefault(f.day, []).append(f)
        merged = 0
        for day, parts in by_day.items():
            if len(parts) < 2 or (day >= before and len(parts) <= most_files):
                continue
            table = pa.concat_tables(
                pq.read_table(p.path, schema=SCHEMA) for p in parts
            )
            table = table.sort_by("id")
            self._write_file(
                table,
                day,
                min(p.first_id for p in parts),
                max(p.last_id for p in parts),
            )
            for p in parts:
                p.path.unlink(missing_ok=True)
            merged += 1
        return merged

    def drop_before(self, day: date) -> int:
        """Delete the days before ``day`` (archive retention); returns how many."""
        dropped = 0
        for f in {f.path.parent: f for f in self.files() if f.day < day}.values():
            shutil.rmtree(f.path.parent, ignore_errors=True)
            dropped += 1
        return dropped

    @contextlib.contextmanager
    def keeper_lock(self) -> Iterator[bool]:
        """Yields True to the one keeper holding the archive, False to others."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write_file(self, table: pa.Table, day: date, first: int, last: int) -> None:
        folder = self.root / f"day={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"part-{first:012d}-{last:012d}.parquet"
        scratch = target.with_suffix(".parquet.tmp")
        pq.write_table(table, scratch, compression="zstd")
        os.replace(scratch, target)  # readers see a whole file or none


def _inside(f: ArchiveFile, other: ArchiveFile) -> bool:
    """``f``'s id range lies within ``other``'s (and is not the same range)."""
    return (
        other.first_id <= f.first_id
        and f.last_id <= other.last_id
        and (other.first_id, other.last_id) != (f.first_id, f.last_id)
    )


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
