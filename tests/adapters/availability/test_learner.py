"""The availability table learned from the status history (ADR 0039): shares
per station and local hour of the week, shrunk toward the operator's mean, read
back by the recommender's adapter."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from evroam.catalogue.model import PileStatus
from evroam.pile_reports.model import PileReport, ReportKind
from evroam.recommend.availability import ChanceBasis
from evroam.shared.ids import AccountId, OperatorId
from evroam.status.history import StatusAt, imported_changes
from evroam.storage.availability_learner import AvailabilityLearner
from evroam.storage.availability_table import ParquetAvailabilityHistory
from evroam.storage.charging_tables import charging_sessions
from evroam.storage.engine import create_database_engine, create_schema
from evroam.storage.history_archive import ParquetStatusArchive
from evroam.storage.history_keeper import StatusHistoryKeeper
from evroam.storage.pile_reliability import ParquetPileReliability
from evroam.storage.pile_report_repository import SqlPileReportStore
from evroam.storage.station_repository import SqlStationRepository
from evroam.storage.status_history import SqlStatusHistory
from tests.builders import EPOCH, a_station
from tests.fakes import FixedClock

NOW = EPOCH + timedelta(days=14)  # a Monday, 10:00 in Shanghai
MONDAY_10 = 10  # hour of week, local time
MONDAY_12 = 12
A, B = a_station("A", statuses=(PileStatus.AVAILABLE,) * 2), a_station("B")
QUIET = a_station("C", statuses=(PileStatus.AVAILABLE,))
ELSEWHERE = a_station("D", operator_id="swapway")
TOLERANCE = 0.003  # a share is kept in one byte


def busy_every_morning(start):
    """Free, but busy from 10:00 to 11:00 Shanghai time every day."""
    steps = [StatusAt(start, PileStatus.AVAILABLE)]
    for day in range(8):
        ten = EPOCH + timedelta(days=7 + day)
        if start <= ten < NOW:
            steps.append(StatusAt(ten, PileStatus.CHARGING))
            steps.append(StatusAt(ten + timedelta(hours=1), PileStatus.AVAILABLE))
    return steps


@pytest.fixture
def learned(tmp_path: Path) -> tuple[AvailabilityLearner, ParquetAvailabilityHistory]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'a.db'}")
    create_schema(engine)
    SqlStationRepository(engine).save_stations([A, B, QUIET, ELSEWHERE])
    history = SqlStatusHistory(engine)
    start = NOW - timedelta(days=7)
    rows = [
        row
        for pile in A.piles
        for row in imported_changes(pile.id, busy_every_morning(start), NOW, None)
    ]
    rows += imported_changes(
        B.piles[0].id, [StatusAt(start, PileStatus.AVAILABLE)], NOW, None
    )
    archive = ParquetStatusArchive(tmp_path / "archive" / "status")
    clock = FixedClock(NOW)
    history.append(rows[: len(rows) // 2])
    StatusHistoryKeeper(history, archive, clock).keep()
    history.append(rows[len(rows) // 2 :])  # the newest rows are not archived yet
    path = tmp_path / "archive" / "availability.parquet"
    learner = AvailabilityLearner(engine, history, archive, path, clock)
    return learner, ParquetAvailabilityHistory(path, reload_every_s=0)


def share(table, station, hour):
    return table.share(station.id, station.operator_id, hour)


class TestLearnedTable:
    def test_nothing_is_known_before_the_first_learning(self, learned):
        _, table = learned
        assert share(table, A, MONDAY_10) is None

    def test_a_station_busy_every_morning_has_little_chance_then(self, learned):
        learner, table = learned
        assert learner.learn() == 2
        morning, noon = share(table, A, MONDAY_10), share(table, A, MONDAY_12)
        # A was never free at 10:00 (1 h observed), B always was: the
        # operator's mean is 0.5, and 4 h of it are added to each cell.
        assert morning.basis is ChanceBasis.STATION
        assert morning.free_share == pytest.approx((0 + 4 * 0.5) / 5, abs=TOLERANCE)
        assert noon.free_share == pytest.approx(1.0, abs=TOLERANCE)
        assert share(table, B, MONDAY_10).free_share == pytest.approx(
            (1 + 4 * 0.5) / 5, abs=TOLERANCE
        )

    def test_utilisation_counts_busy_piles_over_observed_piles(self, learned):
        learner, table = learned
        learner.learn()
        prior = 2 / 3  # A's two piles busy and B's one free, at 10:00
        assert share(table, A, MONDAY_10).utilisation == pytest.approx(
            (2 + 4 * prior) / (2 + 4), abs=TOLERANCE
        )

    def test_stations_without_history_fall_back_to_operator_then_network(self, learned):
        learner, table = learned
        learner.learn()
        quiet, elsewhere = (
            share(table, QUIET, MONDAY_10),
            share(table, ELSEWHERE, MONDAY_10),
        )
        assert quiet.basis is ChanceBasis.OPERATOR
        assert quiet.free_share == pytest.approx(0.5, abs=TOLERANCE)
        assert elsewhere.basis is ChanceBasis.NETWORK
        assert table.share(ELSEWHERE.id, OperatorId("nobody"), 50) is not None

    def test_the_chore_learns_once_then_waits(self, learned):
        learner, _ = learned
        learner.chore()
        made = learner.path.stat().st_mtime_ns
        learner.chore()
        assert learner.path.stat().st_mtime_ns == made


class TestReliability:
    def test_faults_offline_time_failed_starts_and_reports_count(self, tmp_path):
        engine = create_database_engine(f"sqlite:///{tmp_path / 'r.db'}")
        create_schema(engine)
        station = a_station("R", statuses=(PileStatus.AVAILABLE,))
        SqlStationRepository(engine).save_stations([station])
        pile = station.piles[0].id
        start = NOW - timedelta(days=10)
        steps = [StatusAt(start, PileStatus.AVAILABLE)]
        for day in (1, 3):  # two faults of 12 hours each
            at = start + timedelta(days=day)
            steps.append(StatusAt(at, PileStatus.FAULTED))
            steps.append(StatusAt(at + timedelta(hours=12), PileStatus.AVAILABLE))
        history = SqlStatusHistory(engine)
        history.append(imported_changes(pile, steps, NOW, None))
        SqlPileReportStore(engine).add(
            PileReport(
                "rep_1",
                AccountId("acc_1"),
                station.operator_id,
                station.id,
                pile,
                ReportKind.BROKEN,
                NOW - timedelta(days=2),
            )
        )
        with engine.begin() as conn:
            conn.execute(insert(charging_sessions), [failed_start(station, pile)])
        path = tmp_path / "availability.parquet"
        archive = ParquetStatusArchive(tmp_path / "status")
        clock = FixedClock(NOW)
        AvailabilityLearner(engine, history, archive, path, clock).learn()

        track = ParquetPileReliability(path.with_name("reliability.parquet")).track(
            pile
        )

        assert track.faults == 2
        assert track.offline_share == pytest.approx(1 / 10, abs=1e-6)
        assert track.failed_starts == 1
        assert track.broken_reports == 1
        assert track.score == 100 - 10 - 20 - 8 - 5


def failed_start(station, pile):
    at = NOW - timedelta(days=1)
    return {
        "id": "cs1",
        "account_id": "acc_1",
        "idempotency_key": "k1",
        "fingerprint": "f",
        "operator_id": station.operator_id,
        "station_id": station.id,
        "pile_id": pile,
        "status": "failed",
        "hold_id": "h1",
        "hold_fen": 5000,
        "created_at": at,
        "kwh": "0",
    }
