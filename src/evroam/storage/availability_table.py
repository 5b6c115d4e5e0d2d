"""Reads the learned availability table for the recommender (ADR 0039).

``recommend.ports.AvailabilityHistory`` over ``availability.parquet`` (written by
``storage.availability_learner``): held in memory as one byte per station and
hour of week, reloaded when the file changes (looked at every
``RELOAD_EVERY_S``), so a query costs a dictionary look-up and no I/O.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]

from evroam.recommend.availability import HOURS_OF_WEEK, ChanceBasis, HistoricShare
from evroam.shared.ids import OperatorId, StationId
from evroam.storage.availability_learner import SCALE

RELOAD_EVERY_S = 30.0


@dataclass(frozen=True, slots=True)
class _Snapshot:
    mtime_ns: int
    rows: dict[tuple[str, str], int]  # (kind, key) -> row
    free: npt.NDArray[np.uint8]
    utilisation: npt.NDArray[np.uint8]


_EMPTY = _Snapshot(
    -1,
    {},
    np.zeros((0, HOURS_OF_WEEK), np.uint8),
    np.zeros((0, HOURS_OF_WEEK), np.uint8),
)


class ParquetAvailabilityHistory:
    """The learned table, or nothing (``share`` None) until one is written."""

    def __init__(self, path: Path, reload_every_s: float = RELOAD_EVERY_S) -> None:
        self._path = path
        self._reload_every_s = reload_every_s
        self._snapshot = _EMPTY
        self._checked = -float("inf")
        self._lock = threading.Lock()

    def share(
        self, station_id: StationId, operator_id: OperatorId, hour_of_week: int
    ) -> HistoricShare | None:
        snap = self._current()
        for kind, key, basis in (
            ("station", station_id, ChanceBasis.STATION),
            ("operator", operator_id, ChanceBasis.OPERATOR),
            ("network", "", ChanceBasis.NETWORK),
        ):
            row = snap.rows.get((kind, key))
            if row is not None:
                return HistoricShare(
                    int(snap.free[row, hour_of_week]) / SCALE,
                    int(snap.utilisation[row, hour_of_week]) / SCALE,
                    basis,
                )
        return None

    def _current(self) -> _Snapshot:
        if time.monotonic() - self._checked < self._reload_every_s:
            return self._snapshot
        with self._lock:
            self._checked = time.monotonic()
            try:
                mtime = self._path.stat().st_mtime_ns
            except FileNotFoundError:
                self._snapshot = _EMPTY
                return self._snapshot
            if mtime != self._snapshot.mtime_ns:
                self._snapshot = _load(self._path, mtime)
        return self._snapshot


def _load(path: Path, mtime_ns: int) -> _Snapshot:
    table = pq.read_table(path)
    kinds = table.column("kind").to_pylist()
    keys = table.column("key").to_pylist()

    def grid(column: str) -> npt.NDArray[np.uint8]:
        raw = b"".join(table.column(column).to_pylist())
        return np.frombuffer(raw, dtype=np.uint8).reshape(len(kinds), HOURS_OF_WEEK)

    rows = {(k, key): i for i, (k, key) in enumerate(zip(kinds, keys, strict=True))}
    return _Snapshot(mtime_ns, rows, grid("free"), grid("utilisation"))
