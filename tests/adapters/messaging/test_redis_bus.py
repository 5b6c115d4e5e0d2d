"""Redis Streams bus and replay guard shared by API workers, against a real Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evroam.catalogue.model import PileStatus
from evroam.messaging.redis_replay import RedisReplayGuard
from evroam.messaging.redis_streams import RedisStreamsEventBus, stream_name
from evroam.shared.ids import PileId, StationId
from evroam.status.model import PileStatusChanged

pytestmark = pytest.mark.redis

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def an_event(n: int, status: PileStatus = PileStatus.CHARGING) -> PileStatusChanged:
    return PileStatusChanged(
        station_id=StationId(f"neighbourly-S{n:07d}"),
        pile_id=PileId(f"neighbourly-S{n:07d}-S{n:07d}E01"),
        status=status,
        observed_at=T0 + timedelta(seconds=n, microseconds=123_456),
        lat=31.2304 + n / 1000,
        lon=121.4737 - n / 1000,
    )


@pytest.fixture
def stream(redis_url: str) -> Iterator[str]:
    name = f"evroam-test:{uuid.uuid4().hex}"
    yield name
    with redis.Redis.from_url(redis_url) as client:
        client.delete(name)


class Workers:
    """Two API workers' buses over one stream."""

    def __init__(self, url: str, stream: str) -> None:
        self.url = url
        self.stream = stream
        self.a = RedisStreamsEventBus(url, stream=stream)
        self.b = RedisStreamsEventBus(url, stream=stream)

    async def aclose(self) -> None:
        await self.a.aclose()
        await self.b.aclose()


@pytest.fixture
async def workers(redis_url: str, stream: str) -> AsyncIterator[Workers]:
    pair = Workers(redis_url, stream)
    yield pair
    await pair.aclose()


async def collect(
    bus: RedisStreamsEventBus, url: str, count: int
) -> asyncio.Task[list[PileStatusChanged]]:
    """A subscriber reading ``count`` events. ``subscribe()`` pins the stream
    position before it returns, so anything published after this is read."""
    events = await bus.subscribe()

    async def read() -> list[PileStatusChanged]:
        try:
            return [await anext(events) for _ in range(count)]
        finally:
            await events.aclose()

    return asyncio.create_task(read())


class TestEventsAcrossWorkers:
    async def test_a_subscriber_on_one_worker_gets_what_another_publishes_in_order(
        self, workers
    ):
        sent = [an_event(n, list(PileStatus)[n % 7]) for n in range(60)]
        reader = await collect(workers.b, workers.url, len(sent))
        for start in range(0, len(sent), 20):
            await workers.a.publish(sent[start : start + 20])
        assert await asyncio.wait_for(reader, 5) == sent

    async def test_every_subscriber_gets_every_event(self, workers):
        sent = [an_event(n) for n in range(10)]
        readers = [
            await collect(bus, workers.url, len(sent))
            for bus in (workers.a, workers.b, workers.b)
        ]
        await workers.a.publish(sent)
        for reader in readers:
            assert await asyncio.wait_for(reader, 5) == sent

    async def test_a_subscriber_that_starts_later_does_not_get_old_events(
        self, workers
    ):
        await workers.a.publish([an_event(1), an_event(2)])
        reader = await collect(workers.b, workers.url, 1)
        await workers.a.publish([an_event(3)])
        assert await asyncio.wait_for(reader, 5) == [an_event(3)]

    async def test_events_published_right_after_subscribing_are_not_lost(self, workers):
        events = await workers.b.subscribe()
        try:
            await workers.a.publish([an_event(1)])
            assert await asyncio.wait_for(anext(events), 1) == an_event(1)
        finally:
            await events.aclose()

    async def test_a_subscription_outlives_a_quiet_stream(self, workers):
        # redis-py 8 timed a read out after 5 s, the XREAD's own block time:
        # a quiet minute ended every SSE client's subscription.
        events = await workers.b.subscribe()
        try:
            reading = asyncio.ensure_future(anext(events))
            await asyncio.sleep(6)
            assert not reading.done()
            await workers.a.publish([an_event(1)])
            assert await asyncio.wait_for(reading, 5) == an_event(1)
        finally:
            await events.aclose()


_moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
_events = st.builds(
    PileStatusChanged,
    station_id=st.text(min_size=1, max_size=40).map(StationId),
    pile_id=st.text(min_size=1, max_size=60).map(PileId),
    status=st.sampled_from(PileStatus),
    observed_at=_moments,
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
)


class TestWireFormat:
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(sent=st.lists(_events, min_size=1, max_size=5))
    def test_every_field_survives_the_trip_through_redis(self, redis_url, stream, sent):
        async def trip() -> list[PileStatusChanged]:
            pair = Workers(redis_url, stream)
            try:
                reader = await collect(pair.b, redis_url, len(sent))
                await pair.a.publish(sent)
                return await asyncio.wait_for(reader, 5)
            finally:
                await pair.aclose()

        assert asyncio.run(trip()) == sent


class TestReplayGuardAcrossWorkers:
    def test_a_key_is_first_time_once_across_workers(self, redis_url):
        first, second = RedisReplayGuard(redis_url), RedisReplayGuard(redis_url)
        key = ("MA0NEIGHB", "20261102100000", uuid.uuid4().hex[:4])
        now = datetime.now(UTC)
        until = now + timedelta(minutes=5)
        assert first.first_time(key, until, now) is True
        assert second.first_time(key, until, now) is False
        assert first.first_time(key, until, now) is False

    def test_other_keys_are_not_affected(self, redis_url):
        guard = RedisReplayGuard(redis_url)
        now = datetime.now(UTC)
        until = now + timedelta(minutes=5)
        stamp = uuid.uuid4().hex
        assert guard.first_time(("MA0NEIGHB", stamp, "0001"), until, now)
        assert guard.first_time(("MA0NEIGHB", stamp, "0002"), until, now)
        assert guard.first_time(("MA0RAPIDG", stamp, "0001"), until, now)

    def test_a_key_is_first_time_again_after_its_window(self, redis_url):
        first, second = RedisReplayGuard(redis_url), RedisReplayGuard(redis_url)
        key = ("MA0NEIGHB", uuid.uuid4().hex, "0001")
        now = datetime.now(UTC)
        assert first.first_time(key, now + timedelta(milliseconds=200), now)
        assert not second.first_time(key, now + timedelta(milliseconds=200), now)
        time.sleep(0.3)
        later = datetime.now(UTC)
        assert second.first_time(key, later + timedelta(seconds=1), later) is True

    def test_hubs_with_their_own_namespaces_do_not_share_keys(self, redis_url):
        staging = RedisReplayGuard(redis_url, f"staging-{uuid.uuid4().hex}")
        production = RedisReplayGuard(redis_url, f"prod-{uuid.uuid4().hex}")
        key = ("MA0NEIGHB", "20261102100000", "0001")
        now = datetime.now(UTC)
        until = now + timedelta(minutes=5)
        assert staging.first_time(key, until, now) is True
        assert production.first_time(key, until, now) is True
        assert production.first_time(key, until, now) is False

    def test_a_resent_set_whose_answer_was_lost_is_still_the_first_time(
        self, redis_url, monkeypatch
    ):
        # redis-py resends a command when the connection drops before the
        # answer: Redis then ran the SET twice, and the second says "exists".
        guard = RedisReplayGuard(redis_url, f"test-{uuid.uuid4().hex}")
        client = guard._redis
        real_set = client.set

        def set_twice(*args, **kwargs):
            real_set(*args, **kwargs)
            return real_set(*args, **kwargs)

        monkeypatch.setattr(client, "set", set_twice)
        key = ("MA0NEIGHB", uuid.uuid4().hex, "0001")
        now = datetime.now(UTC)
        until = now + timedelta(minutes=5)
        assert guard.first_time(key, until, now) is True
        assert guard.first_time(key, until, now) is False


class TestStreamNames:
    def test_each_namespace_has_its_own_stream(self):
        assert stream_name("evroam") == "evroam:pile-status"
        assert stream_name("staging") != stream_name("evroam")

    async def test_a_hub_does_not_hear_another_namespaces_events(self, redis_url):
        names = [stream_name(f"{side}-{uuid.uuid4().hex}") for side in "ab"]
        ours = RedisStreamsEventBus(redis_url, names[0])
        theirs = RedisStreamsEventBus(redis_url, names[1])
        try:
            events = await ours.subscribe()
            await theirs.publish([an_event(1)])
            await ours.publish([an_event(2)])
            first = await asyncio.wait_for(anext(events), 10)
            assert first.pile_id == an_event(2).pile_id
            await events.aclose()
        finally:
            await ours.aclose()
            await theirs.aclose()
            with redis.Redis.from_url(redis_url) as client:
                client.delete(*names)
