"""The runner: ticks, forced changes, chaos and failed pushes, and its control API."""

import itertools
from datetime import timedelta

import httpx
import pytest

from evroam.catalogue.model import OperatorProfile, PileStatus
from evroam.simulator.credentials import default_tcec_credentials
from evroam.simulator.network import Change
from evroam.simulator.runner import SimulationRunner, SimulationSettings
from evroam.simulator.tcec_app import (
    TcecSimulatorConfig,
    build_tcec_simulator,
)


class RecordingPusher:
    def __init__(self, *, is_ready: bool = True, fails: bool = False) -> None:
        self.is_ready = is_ready
        self.fails = fails
        self.pushed: list[Change] = []

    async def push(self, change: Change) -> None:
        if self.fails:
            raise ConnectionError("hub down")
        self.pushed.append(change)


def a_runner(network, clock, pusher, **settings) -> SimulationRunner:
    return SimulationRunner(
        network, pusher, SimulationSettings(changes_per_s=20, **settings), clock
    )


async def run_ticks(runner, clock, ticks: int) -> list[Change]:
    changes = []
    for _ in range(ticks):
        clock.set(clock.now() + timedelta(seconds=0.5))
        changes += await runner.tick(clock.now())
    return changes


class TestTicks:
    async def test_each_tick_pushes_the_changes_it_made(self, community_tcec, clock):
        pusher = RecordingPusher()
        runner = a_runner(community_tcec, clock, pusher)
        changes = await run_ticks(runner, clock, 10)
        assert len(changes) == 90  # the first tick only starts the clock
        assert pusher.pushed == changes
        assert runner.counters.sent == 90

    async def test_a_paused_runner_makes_no_changes(self, community_tcec, clock):
        runner = a_runner(community_tcec, clock, RecordingPusher())
        runner.pause()
        assert await run_ticks(runner, clock, 4) == []
        runner.resume()
        assert len(await run_ticks(runner, clock, 3)) == 20  # no burst for the pause

    async def test_failed_pushes_are_counted_and_dropped(self, community_tcec, clock):
        runner = a_runner(community_tcec, clock, RecordingPusher(fails=True))
        changes = await run_ticks(runner, clock, 3)
        assert runner.counters.failed == len(changes) > 0
        assert runner.counters.sent == 0

    async def test_a_forced_change_skips_the_chaos(self, community_tcec, clock):
        pusher = RecordingPusher()
        runner = a_runner(community_tcec, clock, pusher, chaos_rate=1.0)
        change = await runner.force("S0000002E01", PileStatus.RESERVED)
        assert pusher.pushed == [change]


class TestChaos:
    async def test_drops_duplicates_and_delays_about_a_third_each(
        self, community_tcec, clock
    ):
        pusher = RecordingPusher()
        runner = a_runner(community_tcec, clock, pusher, chaos_rate=0.3)
        changes = await run_ticks(runner, clock, 100)
        counts = runner.counters
        hit = counts.dropped + counts.duplicated + counts.delayed
        assert len(changes) == 990
        assert 240 <= hit <= 360
        assert min(counts.dropped, counts.duplicated, counts.delayed) >= 60
        held_back = runner.counters.delayed - len(runner._held)
        assert counts.sent == len(changes) - counts.dropped + counts.duplicated - (
            counts.delayed - held_back
        )

    async def test_a_delayed_push_arrives_after_a_later_change(
        self, community_tcec, clock
    ):
        pusher = RecordingPusher()
        runner = a_runner(community_tcec, clock, pusher, chaos_rate=0.3)
        changes = await run_ticks(runner, clock, 20)
        order = {id(c): n for n, c in enumerate(changes)}
        arrived = [order[id(c)] for c in pusher.pushed]
        assert any(later < earlier for earlier, later in itertools.pairwise(arrived))

    async def test_no_chaos_by_default(self, community_tcec, clock):
        runner = a_runner(community_tcec, clock, RecordingPusher())
        await run_ticks(runner, clock, 20)
        assert runner.counters.dropped == runner.counters.duplicated == 0
        assert runner.counters.delayed == 0

    def test_a_chaos_rate_outside_zero_to_one_is_refused(self):
        with pytest.raises(ValueError, match="chaos_rate"):
            SimulationSettings(chaos_rate=1.5)


@pytest.fixture
async def control(community_tcec, clock):
    config = TcecSimulatorConfig(
        credentials=default_tcec_credentials(OperatorProfile.COMMUNITY)
    )
    dead_hub = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda _: httpx.Response(503))
    )
    app = build_tcec_simulator(community_tcec, config, http=dead_hub, clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim.test"
    ) as http:
        yield http


class TestControlApi:
    async def test_state_counts_piles_by_status(self, control, community_tcec):
        state = (await control.get("/sim/state")).json()
        assert state["piles"] == 6000
        assert state["operator"] == "neighbourly"
        assert sum(state["by_status"].values()) == 6000
        assert state["pushes"]["sent"] == 0
        assert state["is_registered"] is True

    async def test_piles_is_the_ground_truth_by_hub_name(self, control, community_tcec):
        piles = (await control.get("/sim/piles")).json()
        assert len(piles) == 6000
        assert piles["S0000001E01"] == community_tcec.status(0).value

    async def test_forcing_a_status_changes_the_ground_truth(self, control):
        answer = await control.post(
            "/sim/piles/S0000001E03/status", json={"status": "offline"}
        )
        pushes = answer.json()["pushes"]
        assert pushes["failed"] == 1  # the hub answered 503
        assert "503" in pushes["last_failure"]
        assert pushes["in_flight"] == 0
        piles = (await control.get("/sim/piles")).json()
        assert piles["S0000001E03"] == "offline"

    async def test_forcing_an_unknown_pile_is_404(self, control):
        answer = await control.post(
            "/sim/piles/NOPE/status", json={"status": "offline"}
        )
        assert answer.status_code == 404

    async def test_pause_and_resume_are_reported_in_the_state(self, control):
        assert (await control.post("/sim/pause")).json()["is_paused"] is True
        assert (await control.post("/sim/resume")).json()["is_paused"] is False
