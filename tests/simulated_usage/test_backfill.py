"""The demo's backfill: past days of status and of charges, through the hub's own
use cases, booked in the ledger at now (ADR 0025)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from evroam.analytics.network import Grouping
from evroam.bootstrap import Services, build_backfill, build_services
from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.config import Settings
from evroam.partners.model import Partner
from evroam.settlement.model import Period
from evroam.shared.ids import OperatorId
from evroam.storage.charging_tables import charging_sessions
from evroam.storage.database import DatabaseAccess
from evroam.storage.history_tables import pile_status_history
from tests.api.conftest import NOW, seed
from tests.fakes import FixedClock

DAYS = 3


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'hub.db'}",
        payment_provider="sandbox",
    )
    built = build_services(
        settings, clock=FixedClock(NOW), access=DatabaseAccess.UPGRADE
    )
    seed(built)
    for key, protocol, profile in (
        ("rapidgrid", Protocol.OCPI, OperatorProfile.FAST),
        ("swapway", Protocol.TCEC, OperatorProfile.SWAP),
    ):
        built.partner_records.save(
            Partner(OperatorId(key), key, protocol, profile, f"http://{key}.test")
        )
    yield built
    built.close()


@pytest.fixture
def report(services: Services):
    return build_backfill(services).run(DAYS, drivers=80, seed=7)


def sessions(services: Services) -> list:
    with services.engine.connect() as conn:
        return conn.execute(select(charging_sessions)).all()


class TestTheNetworksPast:
    def test_every_partner_pile_gets_days_of_history(self, services, report):
        assert report.piles == 63  # 30 stations of 2, a swap station, one of 2
        with services.engine.connect() as conn:
            oldest, newest, rows = conn.execute(
                select(
                    func.min(pile_status_history.c.changed_at),
                    func.max(pile_status_history.c.changed_at),
                    func.count(),
                )
            ).one()
        assert rows == report.status_rows > 63 * 2 * DAYS
        assert oldest.replace(tzinfo=NOW.tzinfo) >= NOW - timedelta(days=DAYS, hours=1)
        assert newest.replace(tzinfo=NOW.tzinfo) <= NOW

    def test_makes_utilisation_and_occupancy_plausible(self, services, report):
        shares = {
            r.key: r.share for r in services.analytics.utilisation(Grouping.PARTNER, 7)
        }
        assert 0.05 < shares["rapidgrid"] < 0.6
        heatmap = services.analytics.occupancy(7)
        busy_hours = [v for day in heatmap.shares for v in day if v > 0]
        assert len(busy_hours) > 24

    def test_a_second_run_adds_nothing(self, services, report):
        again = build_backfill(services).run(DAYS, drivers=80, seed=7)
        assert (again.piles, again.placed, again.status_rows) == (0, 0, 0)


class TestTheDriversPast:
    def test_charges_are_billed_with_energy_and_money(self, services, report):
        assert report.billed == report.placed >= 5
        assert report.kwh > 10 * report.billed
        assert report.paid.amount > 0
        billed = [s for s in sessions(services) if s.status == "billed"]
        assert len(billed) == report.billed
        days = {s.started_at.date() for s in billed}
        assert len(days) >= DAYS - 1  # spread over the days, not stamped now

    def test_the_ledger_books_every_transfer_now(self, services, report):
        account = sessions(services)[0].account_id
        lines = services.wallet.history(account, 500).lines
        assert {line.transfer.created_at for line in lines} == {NOW}

    def test_settlement_and_hot_spots_see_the_charges(self, services, report):
        months = {Period.parse(m) for m in ("2026-10", "2026-11")}  # 3 days to Nov 2
        statements = [
            services.settlement.settle_period(OperatorId(p), month)
            for p in ("rapidgrid", "swapway")
            for month in months
        ]
        assert sum(s.sessions for s in statements) == report.billed
        assert sum(s.amount_owed.amount for s in statements) > 0
        spots = services.analytics.hotspots(7, top=5)
        assert spots
        assert spots[0].kwh > 0
