"""PartnersService: onboarding, sync, retries, live intake, expiry, health."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from evroam.catalogue.model import OperatorProfile, PileStatus, Protocol
from evroam.catalogue.service import CatalogueService
from evroam.partners.errors import (
    HandshakeError,
    InvalidPartnerError,
    PartnerNotFoundError,
    PartnerUnreachableError,
)
from evroam.partners.model import NetworkBatch, Partner
from evroam.partners.service import PartnersService
from evroam.partners.watch import FeedWatcher
from evroam.shared.ids import OperatorId, PileId
from evroam.status.model import PileStatusReport
from evroam.status.service import StatusService
from tests.builders import EPOCH, a_station, a_tariff
from tests.fakes import (
    FakeGateway,
    FixedClock,
    InMemoryLeaseStore,
    InMemoryPartnerRepository,
    InMemoryStationRepository,
    InMemoryStatusStore,
    RecordingEventBus,
)

LATER = EPOCH + timedelta(minutes=3)


def a_partner(**overrides) -> Partner:
    base = {
        "id": OperatorId("rapidgrid"),
        "name": "Rapid Grid",
        "protocol": Protocol.OCPI,
        "profile": OperatorProfile.FAST,
        "url": "http://127.0.0.1:9102/ocpi/versions",
        "credentials": {"token_a": "A"},
        "status_ttl_s": 600,
    }
    base.update(overrides)
    return Partner(**base)


class World:
    def __init__(self, batches=()) -> None:
        self.clock = FixedClock(LATER)
        self.stations = InMemoryStationRepository()
        self.records = InMemoryPartnerRepository()
        self.bus = RecordingEventBus()
        self.gateway = FakeGateway(batches)
        self.sleeps: list[float] = []
        catalogue = CatalogueService(self.stations, self.clock)
        status = StatusService(InMemoryStatusStore(self.stations), self.bus, self.clock)

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        self.service = PartnersService(
            self.records,
            self.stations,
            catalogue,
            status,
            {Protocol.OCPI: self.gateway},
            self.clock,
            sleep,
            random.Random(3),
        )


def network() -> list[NetworkBatch]:
    first = a_station("S1", statuses=(PileStatus.UNKNOWN, PileStatus.UNKNOWN))
    second = a_station("S2", lat=31.3, statuses=(PileStatus.UNKNOWN,))
    reports = (
        PileStatusReport(first.piles[0].id, PileStatus.CHARGING, LATER),
        PileStatusReport(first.piles[1].id, PileStatus.AVAILABLE, LATER),
        PileStatusReport(second.piles[0].id, PileStatus.FAULTED, LATER),
    )
    return [
        NetworkBatch((first,), (a_tariff(),), reports[:2]),
        NetworkBatch((second,), (), reports[2:]),
    ]


class TestAddingAPartner:
    async def test_handshakes_keeps_credentials_and_pulls_the_network(self):
        world = World(network())
        health = await world.service.add_partner(a_partner())
        assert (
            world.records.find("rapidgrid").credentials["token_c"] == "from-the-partner"
        )
        assert world.stations.operators["rapidgrid"].protocol is Protocol.OCPI
        assert (health.stations, health.piles, health.unknown_piles) == (2, 3, 0)
        assert (
            world.stations.find_station("rapidgrid-S1").piles[0].status
            is PileStatus.CHARGING
        )
        assert health.feed.last_sync_stations == 2

    async def test_a_refused_handshake_leaves_nothing_behind(self):
        world = World(network())
        world.gateway.refuse = True
        with pytest.raises(HandshakeError):
            await world.service.add_partner(a_partner())
        assert world.records.list() == []
        assert world.stations.stations == {}

    async def test_the_same_name_with_another_protocol_is_refused(self):
        world = World()
        world.service = PartnersService(
            world.records,
            world.stations,
            CatalogueService(world.stations, world.clock),
            StatusService(InMemoryStatusStore(world.stations), world.bus, world.clock),
            {Protocol.OCPI: world.gateway, Protocol.TCEC: world.gateway},
            world.clock,
        )
        await world.service.add_partner(a_partner(), sync=False)
        with pytest.raises(InvalidPartnerError, match="exists and speaks ocpi"):
            await world.service.add_partner(
                a_partner(protocol=Protocol.TCEC), sync=False
            )
        assert world.records.find("rapidgrid").protocol is Protocol.OCPI


class TestAddingAPartnerAgain:
    async def test_handshakes_again_and_keeps_every_station_id(self):
        world = World(network())
        await world.service.add_partner(a_partner())
        first_added = world.records.find("rapidgrid").added_at
        world.clock.set(LATER + timedelta(hours=1))
        health = await world.service.add_partner(
            a_partner(name="Rapid Grid Ltd", url="http://127.0.0.1:9202/ocpi/versions")
        )
        assert len(world.gateway.connected) == 2
        assert world.gateway.pulls == 2
        again = world.records.find("rapidgrid")
        assert (again.name, again.url) == (
            "Rapid Grid Ltd",
            "http://127.0.0.1:9202/ocpi/versions",
        )
        assert again.added_at == first_added
        assert sorted(world.stations.stations) == ["rapidgrid-S1", "rapidgrid-S2"]
        assert (health.stations, health.piles) == (2, 3)
        assert health.feed.last_sync_stations == 2

    async def test_a_refused_new_handshake_keeps_the_partner_as_it_was(self):
        world = World(network())
        await world.service.add_partner(a_partner())
        world.gateway.refuse = True
        with pytest.raises(HandshakeError):
            await world.service.add_partner(a_partner(url="http://elsewhere.test/v"))
        kept = world.records.find("rapidgrid")
        assert kept.url == "http://127.0.0.1:9102/ocpi/versions"
        assert kept.credentials["token_c"] == "from-the-partner"
        assert "rapidgrid-S1" in world.stations.stations

    async def test_an_unknown_protocol_is_refused(self):
        world = World()
        with pytest.raises(InvalidPartnerError, match="tcec"):
            await world.service.add_partner(a_partner(protocol=Protocol.TCEC))


class TestSyncing:
    async def test_an_unreachable_partner_is_marked_and_the_error_counted(self):
        world = World(network())
        await world.service.add_partner(a_partner(), sync=False)
        world.gateway.failures_left = 1
        with pytest.raises(PartnerUnreachableError):
            await world.service.sync_partner(OperatorId("rapidgrid"))
        feed = world.records.health("rapidgrid")
        assert not feed.is_reachable
        assert feed.errors_total == 1
        assert "refused" in feed.last_error

    async def test_retries_with_growing_jittered_delays_until_it_answers(self):
        world = World(network())
        await world.service.add_partner(a_partner(), sync=False)
        world.gateway.failures_left = 4
        stations = await world.service.sync_with_backoff(OperatorId("rapidgrid"))
        assert stations == 2
        assert len(world.sleeps) == 4
        for attempt, slept in enumerate(world.sleeps):
            ceiling = 2.0**attempt
            assert ceiling / 2 <= slept <= ceiling
        assert world.records.health("rapidgrid").is_reachable

    async def test_gives_up_after_the_last_attempt(self):
        world = World(network())
        await world.service.add_partner(a_partner(), sync=False)
        world.gateway.failures_left = 10
        with pytest.raises(PartnerUnreachableError):
            await world.service.sync_with_backoff(OperatorId("rapidgrid"), attempts=3)
        assert len(world.sleeps) == 2

    async def test_syncing_an_unknown_partner_is_not_found(self):
        with pytest.raises(PartnerNotFoundError):
            await World().service.sync_partner(OperatorId("nobody"))


class TestLiveUpdates:
    async def test_a_push_changes_status_publishes_and_counts(self):
        world = World(network())
        await world.service.add_partner(a_partner())
        pile = PileId("rapidgrid-S1-E01")
        later = LATER + timedelta(seconds=5)
        changed = await world.service.receive_status(
            OperatorId("rapidgrid"),
            [PileStatusReport(pile, PileStatus.AVAILABLE, later)],
        )
        assert changed == 1
        assert world.bus.published[-1].pile_id == pile
        feed = world.records.health("rapidgrid")
        assert feed.newest_observed_at == later
        assert feed.changes_total == 1

    async def test_a_partner_cannot_change_another_operators_piles(self):
        world = World(network())
        await world.service.add_partner(a_partner())
        world.stations.save_stations([a_station("X1", operator_id="swapway")])
        foreign = PileStatusReport(
            PileId("swapway-X1-E01"), PileStatus.FAULTED, LATER + timedelta(seconds=1)
        )
        assert (
            await world.service.receive_status(OperatorId("rapidgrid"), [foreign]) == 0
        )
        assert (
            world.stations.find_station("swapway-X1").piles[0].status
            is PileStatus.AVAILABLE
        )

    async def test_a_pushed_station_keeps_newer_statuses_we_hold(self):
        world = World(network())
        await world.service.add_partner(a_partner())
        stale = a_station(
            "S1", name="Renamed", statuses=(PileStatus.OFFLINE, PileStatus.OFFLINE)
        )  # status_at EPOCH: older than the LATER reports we hold
        await world.service.receive_station(OperatorId("rapidgrid"), stale)
        held = world.stations.find_station("rapidgrid-S1")
        assert held.name == "Renamed"
        assert [p.status for p in held.piles] == [
            PileStatus.CHARGING,
            PileStatus.AVAILABLE,
        ]

    async def test_a_pushed_station_of_another_operator_is_refused(self):
        world = World(network())
        await world.service.add_partner(a_partner())
        with pytest.raises(InvalidPartnerError):
            await world.service.receive_station(
                OperatorId("rapidgrid"), a_station("Z", operator_id="swapway")
            )


class TestWatching:
    async def test_silent_piles_expire_after_the_partners_ttl(self):
        world = World(network())
        await world.service.add_partner(a_partner(status_ttl_s=600))
        world.clock.set(LATER + timedelta(seconds=599))
        assert await world.service.expire_silent_piles() == 0
        world.clock.set(LATER + timedelta(seconds=601))
        assert await world.service.expire_silent_piles() == 3
        health = world.service.partner_health(OperatorId("rapidgrid"))
        assert health.unknown_piles == 3

    async def test_a_partner_that_comes_back_is_pulled_again(self):
        world = World(network())
        await world.service.add_partner(a_partner())
        world.gateway.failures_left = 1
        assert await world.service.check_partner(OperatorId("rapidgrid")) is False
        pulls = world.gateway.pulls
        assert await world.service.check_partner(OperatorId("rapidgrid")) is True
        assert world.gateway.pulls == pulls + 1
        assert world.records.health("rapidgrid").is_reachable

    async def test_only_the_lease_holder_watches(self):
        world = World(network())
        leases = InMemoryLeaseStore()
        first = FeedWatcher(world.service, leases, world.clock, 5, 30)
        second = FeedWatcher(world.service, leases, world.clock, 5, 30)
        assert await first.run_once() is True
        assert await second.run_once() is False
        world.clock.set(LATER + timedelta(seconds=16))  # lease (3 rounds) ran out
        assert await second.run_once() is True

    async def test_blocking_chores_and_the_lease_run_off_the_loop(self):
        world = World(network())
        offloaded: list[str] = []
        ran: list[str] = []

        async def offload(fn):
            offloaded.append(getattr(fn, "__name__", None) or fn.func.__name__)
            return fn()

        def release_expired_holds() -> None:
            ran.append("holds")

        async def push_changes() -> None:  # an async adapter's chore
            ran.append("push")

        watcher = FeedWatcher(
            world.service,
            InMemoryLeaseStore(),
            world.clock,
            5,
            30,
            chores=(release_expired_holds, push_changes),
            offload=offload,
        )
        assert await watcher.run_once() is True
        assert ran == ["holds", "push"]
        assert "try_acquire" in offloaded
        assert "release_expired_holds" in offloaded
        assert "push_changes" not in offloaded


class TestReconciling:
    async def test_reading_status_again_heals_a_lost_push(self):
        world = World(network())
        await world.service.add_partner(a_partner())
        truth = PileStatusReport(
            PileId("rapidgrid-S1-E01"), PileStatus.OFFLINE, LATER + timedelta(minutes=1)
        )
        world.gateway.status_batches = [NetworkBatch((), (), (truth,))]
        assert await world.service.reconcile_status(OperatorId("rapidgrid")) == 1
        held = world.stations.find_station("rapidgrid-S1")
        assert held.piles[0].status is PileStatus.OFFLINE

    async def test_a_partner_down_while_reconciling_is_marked_unreachable(self):
        world = World(network())
        await world.service.add_partner(a_partner())
        world.gateway.failures_left = 1
        with pytest.raises(PartnerUnreachableError):
            await world.service.reconcile_status(OperatorId("rapidgrid"))
        assert not world.records.health("rapidgrid").is_reachable

    async def test_the_watcher_reconciles_on_its_own_schedule(self):
        world = World(network())
        await world.service.add_partner(a_partner())
        truth = PileStatusReport(
            PileId("rapidgrid-S2-E01"), PileStatus.AVAILABLE, LATER + timedelta(hours=1)
        )
        world.gateway.status_batches = [NetworkBatch((), (), (truth,))]
        watcher = FeedWatcher(
            world.service, InMemoryLeaseStore(), world.clock, 5, 30, 60
        )
        await watcher.run_once()  # starts the clock: the first sync read everything
        assert (
            world.stations.find_station("rapidgrid-S2").piles[0].status
            is PileStatus.FAULTED
        )
        world.clock.set(LATER + timedelta(seconds=61))
        await watcher.run_once()
        assert (
            world.stations.find_station("rapidgrid-S2").piles[0].status
            is PileStatus.AVAILABLE
        )
