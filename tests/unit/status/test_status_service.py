"""Live status: ingesting partner reports, expiring silent piles, fanning events out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from datetime import datetime, timedelta

import pytest

from evroam.catalogue.model import PileStatus, Station
from evroam.shared.ids import OperatorId, PileId, StationId
from evroam.status.bus import InProcessEventBus
from evroam.status.model import PileStatusChanged, PileStatusReport
from evroam.status.service import StatusService
from tests.builders import EPOCH, a_station
from tests.fakes import (
    FixedClock,
    InMemoryStationRepository,
    InMemoryStatusStore,
    RecordingEventBus,
)

MINUTE = timedelta(minutes=1)


class BatchRecordingEventBus(RecordingEventBus):
    """Also records each publish call, to show empty batches are never sent."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[PileStatusChanged]] = []

    async def publish(self, events: Sequence[PileStatusChanged]) -> None:
        self.batches.append(list(events))
        await super().publish(events)


class World:
    def __init__(self, *stations: Station, now: datetime = EPOCH) -> None:
        self.repo = InMemoryStationRepository()
        self.repo.save_stations(stations)
        self.bus = BatchRecordingEventBus()
        self.clock = FixedClock(now)
        self.service = StatusService(
            InMemoryStatusStore(self.repo), self.bus, self.clock
        )

    def status_of(self, station_id: StationId, uid: str) -> PileStatus:
        [pile] = [
            p for p in self.repo.stations[station_id].piles if p.external_uid == uid
        ]
        return pile.status


def report(
    station: Station, uid: str, status: PileStatus, at: datetime
) -> PileStatusReport:
    return PileStatusReport(PileId(f"{station.id}-{uid}"), status, at)


STATION = a_station()  # E01 available, E02 charging, both as of EPOCH


class TestIngest:
    async def test_publishes_a_real_change_with_where_it_happened(self):
        world = World(STATION)

        changed = await world.service.ingest(
            [report(STATION, "E01", PileStatus.CHARGING, EPOCH + MINUTE)]
        )

        assert changed == [
            PileStatusChanged(
                STATION.id,
                PileId(f"{STATION.id}-E01"),
                PileStatus.CHARGING,
                EPOCH + MINUTE,
                STATION.lat,
                STATION.lon,
            )
        ]
        assert world.bus.published == changed
        assert world.status_of(STATION.id, "E01") is PileStatus.CHARGING

    async def test_publishes_nothing_when_the_status_is_unchanged(self):
        world = World(STATION)

        changed = await world.service.ingest(
            [report(STATION, "E02", PileStatus.CHARGING, EPOCH + MINUTE)]
        )

        assert changed == []
        assert world.bus.batches == []

    async def test_ignores_a_report_older_than_what_the_hub_holds(self):
        world = World(STATION)

        await world.service.ingest(
            [report(STATION, "E01", PileStatus.FAULTED, EPOCH - MINUTE)]
        )

        assert world.bus.batches == []
        assert world.status_of(STATION.id, "E01") is PileStatus.AVAILABLE

    async def test_ignores_a_report_for_a_pile_the_hub_does_not_know(self):
        world = World(STATION)

        await world.service.ingest(
            [report(STATION, "E77", PileStatus.FAULTED, EPOCH + MINUTE)]
        )

        assert world.bus.batches == []

    async def test_publishes_only_the_real_changes_of_a_mixed_batch_in_one_go(self):
        world = World(STATION)

        await world.service.ingest(
            [
                report(STATION, "E02", PileStatus.CHARGING, EPOCH + MINUTE),
                report(STATION, "E01", PileStatus.OCCUPIED, EPOCH + MINUTE),
                report(STATION, "E01", PileStatus.OFFLINE, EPOCH - MINUTE),
                report(STATION, "E09", PileStatus.OFFLINE, EPOCH + MINUTE),
            ]
        )

        [batch] = world.bus.batches
        assert [(e.pile_id, e.status) for e in batch] == [
            (f"{STATION.id}-E01", PileStatus.OCCUPIED)
        ]

    async def test_a_repeated_report_changes_nothing_the_second_time(self):
        world = World(STATION)
        batch = [report(STATION, "E01", PileStatus.CHARGING, EPOCH + MINUTE)]

        await world.service.ingest(batch)
        await world.service.ingest(batch)

        assert len(world.bus.published) == 1


class SpyStatusStore(InMemoryStatusStore):
    """Records the cut-off each expiry was asked for."""

    def __init__(self, repo: InMemoryStationRepository) -> None:
        super().__init__(repo)
        self.expiries: list[tuple[OperatorId, datetime, datetime]] = []

    def expire(
        self, operator_id: OperatorId, heard_before: datetime, now: datetime
    ) -> list[PileStatusChanged]:
        self.expiries.append((operator_id, heard_before, now))
        return super().expire(operator_id, heard_before, now)


class TestExpireSilentPiles:
    async def test_asks_the_store_for_piles_silent_since_now_minus_the_ttl(self):
        repo = InMemoryStationRepository()
        store = SpyStatusStore(repo)
        now = EPOCH + 10 * MINUTE
        service = StatusService(store, RecordingEventBus(), FixedClock(now))

        await service.expire_silent_piles(OperatorId("rapidgrid"), 5 * MINUTE)

        assert store.expiries == [("rapidgrid", now - 5 * MINUTE, now)]

    async def test_turns_piles_silent_for_longer_than_the_ttl_unknown(self):
        world = World(STATION, now=EPOCH + 10 * MINUTE)

        changed = await world.service.expire_silent_piles(
            OperatorId("rapidgrid"), 5 * MINUTE
        )

        assert {(e.pile_id, e.status, e.observed_at) for e in changed} == {
            (f"{STATION.id}-E01", PileStatus.UNKNOWN, EPOCH + 10 * MINUTE),
            (f"{STATION.id}-E02", PileStatus.UNKNOWN, EPOCH + 10 * MINUTE),
        }
        assert world.bus.published == changed
        assert world.status_of(STATION.id, "E01") is PileStatus.UNKNOWN

    @pytest.mark.parametrize("ttl", [10 * MINUTE, 15 * MINUTE])
    async def test_leaves_piles_heard_from_within_the_ttl_alone(self, ttl):
        world = World(STATION, now=EPOCH + 10 * MINUTE)

        changed = await world.service.expire_silent_piles(OperatorId("rapidgrid"), ttl)

        assert changed == []
        assert world.bus.batches == []

    async def test_touches_only_the_named_operator_s_piles(self):
        other = a_station("S0002", operator_id="swapway")
        world = World(STATION, other, now=EPOCH + 10 * MINUTE)

        changed = await world.service.expire_silent_piles(OperatorId("swapway"), MINUTE)

        assert {e.station_id for e in changed} == {other.id}
        assert world.status_of(STATION.id, "E01") is PileStatus.AVAILABLE

    async def test_does_not_announce_piles_already_unknown(self):
        quiet = a_station(statuses=(PileStatus.UNKNOWN,))
        world = World(quiet, now=EPOCH + 10 * MINUTE)

        changed = await world.service.expire_silent_piles(
            OperatorId("rapidgrid"), MINUTE
        )

        assert changed == []


def an_event(n: int) -> PileStatusChanged:
    return PileStatusChanged(
        StationId("rapidgrid-S0001"),
        PileId(f"rapidgrid-S0001-E{n:05d}"),
        PileStatus.CHARGING,
        EPOCH + n * MINUTE,
        31.2304,
        121.4737,
    )


async def subscription(
    bus: InProcessEventBus,
) -> AsyncGenerator[PileStatusChanged, None]:
    return await bus.subscribe()


async def collect(
    events: AsyncGenerator[PileStatusChanged, None], n: int
) -> list[PileStatusChanged]:
    got: list[PileStatusChanged] = []
    async with aclosing(events):
        async for event in events:
            got.append(event)
            if len(got) == n:
                break
    return got


async def subscribed(
    bus: InProcessEventBus, n: int
) -> asyncio.Task[list[PileStatusChanged]]:
    """A task that has started listening and will gather ``n`` events."""
    task = asyncio.create_task(collect(await subscription(bus), n))
    await asyncio.sleep(0)  # let it reach its first wait
    return task


class TestInProcessEventBus:
    async def test_delivers_every_event_to_every_subscriber_in_order(self):
        bus = InProcessEventBus()
        first, second = await subscribed(bus, 3), await subscribed(bus, 3)
        events = [an_event(n) for n in range(3)]

        await bus.publish(events[:2])
        await bus.publish(events[2:])

        assert await asyncio.wait_for(first, 1) == events
        assert await asyncio.wait_for(second, 1) == events

    async def test_publishing_with_no_subscribers_is_harmless(self):
        bus = InProcessEventBus()

        await bus.publish([an_event(1)])

        late = await subscribed(bus, 1)
        await bus.publish([an_event(2)])
        assert await asyncio.wait_for(late, 1) == [an_event(2)]

    async def test_a_subscriber_that_closes_is_removed(self):
        bus = InProcessEventBus()
        stays = await subscribed(bus, 2)
        leaving = await subscription(bus)
        pending = asyncio.ensure_future(anext(leaving))
        await asyncio.sleep(0)
        await bus.publish([an_event(1)])
        assert await asyncio.wait_for(pending, 1) == an_event(1)

        await leaving.aclose()

        assert len(bus._queues) == 1  # only the subscriber that stayed
        await bus.publish([an_event(2)])
        assert await asyncio.wait_for(stays, 1) == [an_event(1), an_event(2)]

    async def test_a_cancelled_subscriber_is_removed(self):
        bus = InProcessEventBus()
        listener = await subscribed(bus, 1)

        listener.cancel()
        with pytest.raises(asyncio.CancelledError):
            await listener

        assert not bus._queues

    async def test_a_slow_subscriber_loses_its_oldest_events_not_its_newest(self):
        bus = InProcessEventBus()
        slow = await subscription(bus)
        first = asyncio.ensure_future(anext(slow))
        await asyncio.sleep(0)

        await bus.publish([an_event(n) for n in range(10_001)])

        assert await asyncio.wait_for(first, 1) == an_event(1)
        rest = await asyncio.wait_for(collect(slow, 9_999), 5)
        assert rest[0] == an_event(2)
        assert rest[-1] == an_event(10_000)

    async def test_delivers_events_published_right_after_subscribe_is_called(self):
        bus = InProcessEventBus()
        events = await subscription(bus)

        await bus.publish([an_event(1)])

        try:
            assert await asyncio.wait_for(anext(events), 0.05) == an_event(1)
        finally:
            await events.aclose()
