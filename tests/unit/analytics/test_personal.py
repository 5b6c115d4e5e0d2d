"""Personal usage report, consent, pseudonyms and the driver behaviour model."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from evroam.analytics.personal import (
    ConsentRecord,
    StationPlace,
    current_consent,
    grid_cell,
    pseudonym,
    usage_report,
)
from evroam.charging.model import ChargingSession, Receipt, SessionStatus
from evroam.shared.ids import AccountId, OperatorId, PileId, SessionId, StationId
from evroam.shared.money import Money
from evroam.simulated_usage.drivers import LOCAL, plan_charges, plan_driver

ME = AccountId("acc_me")
MONDAY_9_LOCAL = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00 Shanghai
HOME = StationPlace(StationId("home-a"), "Jing'an Home", 31.2300, 121.4500)
HOME_B = StationPlace(StationId("home-b"), "Jing'an B", 31.2302, 121.4502)  # ~30 m
WORK = StationPlace(StationId("work"), "Pudong Tower", 31.2400, 121.5000)
PLACES = {p.station_id: p for p in (HOME, HOME_B, WORK)}


def a_receipt(n, at, station=HOME.station_id, kwh="20", paid="30", discount="0"):
    return Receipt(
        f"rct_{n}", SessionId(f"ses_{n}"), ME, OperatorId("op"), station,
        at, at + timedelta(minutes=40), Decimal(kwh), (),
        Money.of(paid) + Money.of(discount), Money.of(discount), Money.of(paid), at,
    )  # fmt: skip


def a_session(n, at, station=HOME.station_id, status=SessionStatus.CHARGING):
    return ChargingSession(
        SessionId(f"ses_{n}"), ME, OperatorId("op"), station, PileId("p"),
        status, "hold", Money.of("50"), created_at=at, started_at=at,
    )  # fmt: skip


class TestUsageReport:
    def test_counts_sessions_by_local_hour_weekday_and_month(self):
        receipts = [a_receipt(n, MONDAY_9_LOCAL + timedelta(days=n)) for n in range(3)]
        report = usage_report(receipts, places=PLACES)
        assert report.sessions == 3
        assert report.by_hour[9] == 3
        assert report.by_weekday == (1, 1, 1, 0, 0, 0, 0)
        assert [(m.month, m.sessions) for m in report.per_month] == [("2026-11", 3)]

    def test_groups_nearby_stations_into_one_favourite_place(self):
        receipts = [
            a_receipt(1, MONDAY_9_LOCAL, HOME.station_id),
            a_receipt(2, MONDAY_9_LOCAL, HOME.station_id),
            a_receipt(3, MONDAY_9_LOCAL, HOME_B.station_id),
            a_receipt(4, MONDAY_9_LOCAL, WORK.station_id),
        ]
        places = usage_report(receipts, places=PLACES).favourite_places
        assert [(p.name, p.sessions) for p in places] == [
            ("Jing'an Home", 3),
            ("Pudong Tower", 1),
        ]
        assert places[0].station_ids == (HOME.station_id, HOME_B.station_id)

    def test_sums_spend_and_discount_savings_and_averages_energy(self):
        receipts = [
            a_receipt(1, MONDAY_9_LOCAL, kwh="10", paid="15.50", discount="2.00"),
            a_receipt(2, MONDAY_9_LOCAL, kwh="25", paid="40.00", discount="0"),
        ]
        report = usage_report(receipts)
        assert report.average_kwh == Decimal("17.50")
        assert report.total_spend == Money.of("55.50")
        assert report.discount_savings == Money.of("2.00")

    def test_counts_a_started_session_not_yet_billed_once(self):
        receipts = [a_receipt(1, MONDAY_9_LOCAL)]
        sessions = [
            a_session(1, MONDAY_9_LOCAL, status=SessionStatus.BILLED),
            a_session(2, MONDAY_9_LOCAL + timedelta(hours=10)),
        ]
        report = usage_report(receipts, sessions, PLACES)
        assert report.sessions == 2
        assert report.by_hour[19] == 1

    def test_is_empty_for_a_driver_who_never_charged(self):
        report = usage_report([])
        assert report.sessions == 0
        assert report.average_kwh == Decimal("0.00")
        assert report.total_spend == Money.zero()
        assert report.favourite_places == ()


class TestFavouritePlaceCells:
    @given(
        st.floats(min_value=-60, max_value=60),
        st.floats(min_value=-179, max_value=179),
    )
    def test_a_point_and_one_metre_east_share_a_cell_or_touch(self, lat, lon):
        row, col = grid_cell(lat, lon)
        row2, col2 = grid_cell(lat, lon + 1 / 111_320)
        assert row2 == row
        assert col2 - col in (0, 1)


class TestConsent:
    def test_is_off_without_any_record(self):
        consent = current_consent([], "usage_analytics")
        assert consent.usage_analytics is False
        assert consent.updated_at is None

    def test_the_latest_change_decides_even_at_the_same_instant(self):
        history = [
            ConsentRecord(ME, "usage_analytics", True, MONDAY_9_LOCAL),
            ConsentRecord(ME, "usage_analytics", False, MONDAY_9_LOCAL),
        ]
        assert current_consent(history, "usage_analytics").usage_analytics is False


class TestPseudonym:
    def test_is_stable_for_one_secret_and_reveals_nothing_of_the_id(self):
        alias = pseudonym(b"secret", "acc_0123456789abcdef")
        assert alias == pseudonym(b"secret", "acc_0123456789abcdef")
        assert alias.startswith("erased_")
        assert "0123456789abcdef" not in alias
        assert alias != pseudonym(b"other", "acc_0123456789abcdef")


class TestDriverBehaviour:
    def plans_and_charges(self, seed, drivers=50, days=28):
        rng = random.Random(seed)
        plans = [plan_driver(rng, i) for i in range(drivers)]
        return plans, plan_charges(rng, plans, date(2026, 11, 2), days)

    def test_is_the_same_for_the_same_seed(self):
        assert self.plans_and_charges(3) == self.plans_and_charges(3)
        assert self.plans_and_charges(3) != self.plans_and_charges(4)

    def test_charges_at_plausible_local_hours(self):
        _, charges = self.plans_and_charges(7)
        hours = [c.at.astimezone(LOCAL).hour for c in charges]
        night = sum(1 for h in hours if 0 <= h < 7)
        evening = sum(1 for h in hours if 17 <= h <= 23)
        assert night == 0
        assert evening > len(hours) / 3
        work = [c for c in charges if c.place == "work"]
        assert work
        assert all(c.at.astimezone(LOCAL).weekday() < 5 for c in work)
        assert all(7 <= c.at.astimezone(LOCAL).hour <= 10 for c in work)

    def test_charges_a_few_times_a_week_per_driver(self):
        plans, charges = self.plans_and_charges(11, drivers=40, days=28)
        per_week = len(charges) / len(plans) / 4
        assert 1.5 <= per_week <= 4.0
        assert charges == sorted(charges, key=lambda c: (c.at, c.driver))

    def test_gives_every_driver_a_valid_vin(self):
        plans, _ = self.plans_and_charges(5, drivers=100)
        assert len({p.vin for p in plans}) == 100
        assert all(len(p.vin) == 17 and not set(p.vin) & set("IOQ") for p in plans)
