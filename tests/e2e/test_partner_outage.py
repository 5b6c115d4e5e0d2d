"""A partner goes down and comes back: the hub notices, resyncs, the map is right."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from .processes import (
    Hub,
    Simulator,
    community_tcec,
    free_port,
    hub_ids,
    pick_pile,
    running,
    wait,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

FAST_WATCH = {
    "EVROAM_PARTNER_CHECK_INTERVAL_S": "1",
    "EVROAM_MAINTENANCE_INTERVAL_S": "0.5",
}
PARTNER = "neighbourly"


@dataclass(frozen=True)
class Outage:
    hub: Hub
    partner: Simulator
    before: dict[str, Any]
    down: dict[str, Any]
    back: dict[str, Any]
    diverged: list[str]  # piles the hub heard of that the restarted partner lost


def map_status(hub: Hub, sim: Simulator, name: str) -> str:
    station_id, pile_id = hub_ids(sim.partner, name)
    with hub.client() as http:
        detail = http.get(f"/api/v1/stations/{station_id}").json()
    return str(next(p["status"] for p in detail["piles_detail"] if p["id"] == pile_id))


def _diverge(hub: Hub, sim: Simulator) -> list[str]:
    """Changes the hub hears of; a restarted simulator starts from its seeded
    network again without them, so only a resync puts the map right."""
    names = [pick_pile(sim.piles(), "faulted", skip=n * 97) for n in range(5)]
    for name in names:
        sim.force(name, "faulted")
        assert map_status(hub, sim, name) == "faulted"
    return names


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    hub = Hub(tmp_path_factory.mktemp("outage") / "hub.db", env=FAST_WATCH)
    sim = Simulator(community_tcec(free_port()), hub.url)
    with running(hub, sim):
        hub.start()
        sim.start()
        hub.onboard(sim.partner)
        diverged = _diverge(hub, sim)
        before = hub.partner_health(PARTNER)
        sim.kill()
        # Generous deadlines: each wait ends as soon as its condition holds, and a
        # resync of 6,000 piles takes far longer on a loaded machine than alone.
        wait(lambda: not hub.partner_health(PARTNER)["is_reachable"], 60)
        down = hub.partner_health(PARTNER)
        sim.start()  # same port, same deterministic T/CEC secrets
        sim.pause()
        wait(
            lambda: hub.partner_health(PARTNER)["last_sync_at"] != down["last_sync_at"],
            120,
        )
        wait(lambda: hub.partner_health(PARTNER)["is_reachable"], 60)
        time.sleep(0.6)  # pushes of the last churn tick land
        back = hub.partner_health(PARTNER)
        yield Outage(hub, sim, before, down, back, diverged)


def stamp(text: str | None) -> datetime:
    assert text is not None
    return datetime.fromisoformat(text)


class TestPartnerOutage:
    def test_the_feed_watcher_marks_a_dead_partner_unreachable(self, outage):
        assert outage.before["is_reachable"] is True
        assert outage.down["is_reachable"] is False
        assert outage.down["errors_total"] > outage.before["errors_total"]
        assert outage.down["last_error"]

    def test_the_hub_resyncs_a_partner_that_comes_back(self, outage):
        assert outage.back["is_reachable"] is True
        assert stamp(outage.back["last_sync_at"]) > stamp(outage.down["last_sync_at"])
        assert outage.back["last_sync_stations"] == 1236

    def test_after_the_resync_the_map_shows_the_partners_truth(self, outage):
        truth = outage.partner.piles()
        sample = [*outage.diverged, *sorted(truth)[::250]]
        wrong = {
            name: (truth[name], seen)
            for name in sample
            if (seen := map_status(outage.hub, outage.partner, name)) != truth[name]
        }
        assert wrong == {}

    def test_pushes_from_the_restarted_partner_reach_the_map(self, outage):
        name = pick_pile(outage.partner.piles(), "reserved", skip=11)
        outage.partner.force(name, "reserved")
        assert map_status(outage.hub, outage.partner, name) == "reserved"
        assert outage.partner.state()["pushes"]["failed"] == 0


@pytest.mark.slow
class TestStatusTtl:
    def test_piles_a_silent_partner_stops_reporting_turn_unknown(self, tmp_path):
        hub = Hub(tmp_path / "hub.db", env=FAST_WATCH)
        sim = Simulator(community_tcec(free_port()), hub.url)
        with running(hub, sim):
            hub.start()
            sim.start()
            sim.pause()
            hub.onboard(sim.partner, status_ttl_s=30)  # the shortest accepted
            assert hub.partner_health(PARTNER)["unknown_piles"] == 0
            assert wait(
                lambda: hub.partner_health(PARTNER)["unknown_piles"] == 6000,
                40,
                every_s=1,
            )
            name = pick_pile(sim.piles(), "unknown")
            truth = sim.piles()[name]
            assert map_status(hub, sim, name) == "unknown"
            sim.force(name, "charging" if truth != "charging" else "available")
            assert map_status(hub, sim, name) != "unknown"
            assert hub.partner_health(PARTNER)["unknown_piles"] == 5999
