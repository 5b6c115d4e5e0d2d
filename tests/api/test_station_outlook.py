"""What a station says besides its live status (issue 13): how fresh the status
is, the chance a pile is free on arrival (ADR 0039), each pile's reliability
(ADR 0040)."""

from __future__ import annotations

from datetime import timedelta

from evroam.catalogue.model import PileStatus
from evroam.status.history import StatusAt, imported_changes
from evroam.storage.status_history import SqlStatusHistory
from tests.api.conftest import NOW
from tests.builders import station_id_for

STATION = station_id_for("rapidgrid", "S001")
PILE = f"{STATION}-E01"


class TestStationOutlook:
    async def test_a_fresh_hub_gives_the_chance_without_history(self, client):
        r = await client.get(
            "/api/v1/stations",
            params={"lat": 31.2304, "lon": 121.4737, "radius_km": 2, "limit": 3},
        )
        item = r.json()["items"][0]
        assert item["free_chance_basis"] == "profile"
        assert 0.0 <= item["free_chance"] <= 1.0
        assert item["free_chance_in_min"] == 30.0
        assert item["status_age_s"] >= 0

    async def test_the_arrival_time_is_the_callers(self, client):
        r = await client.get(f"/api/v1/stations/{STATION}", params={"arrive_in_min": 0})
        body = r.json()
        assert body["free_chance_in_min"] == 0.0
        assert body["free_chance"] == 1.0  # a pile is free now, and it is now

    async def test_a_pile_that_keeps_failing_shows_a_low_score(self, client, services):
        start = NOW - timedelta(days=10)
        steps = [StatusAt(start, PileStatus.AVAILABLE)]
        for day in range(1, 7):
            at = start + timedelta(days=day)
            steps.append(StatusAt(at, PileStatus.FAULTED))
            steps.append(StatusAt(at + timedelta(hours=2), PileStatus.AVAILABLE))
        SqlStatusHistory(services.engine).append(
            imported_changes(PILE, steps, NOW - timedelta(minutes=1), None)
        )
        services.availability_learner.learn()

        body = (await client.get(f"/api/v1/stations/{STATION}")).json()

        piles = {p["id"]: p for p in body["piles_detail"]}
        assert piles[PILE]["reliability"] < 60
        assert piles[PILE]["reliability_note"].startswith(
            f"reliability {piles[PILE]['reliability']}/100: 6 faults"
        )
        assert all(p["reliability"] == 100 for i, p in piles.items() if i != PILE)
        assert body["free_chance_basis"] == "station"
