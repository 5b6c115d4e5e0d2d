"""One reader of the bus per worker, fanned out to the SSE streams (ADR 0046)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from evroam.api.live_fanout import LiveFanout
from evroam.catalogue.model import PileStatus
from evroam.shared.geo import BoundingBox
from evroam.shared.ids import PileId, StationId
from evroam.status.bus import InProcessEventBus
from evroam.status.model import PileStatusChanged

SHANGHAI = BoundingBox(min_lat=31.1, min_lon=121.3, max_lat=31.4, max_lon=121.6)
BEIJING = BoundingBox(min_lat=39.8, min_lon=116.2, max_lat=40.0, max_lon=116.6)


def change(pile: str, lat: float = 31.23, lon: float = 121.47) -> PileStatusChanged:
    return PileStatusChanged(
        StationId("s"), PileId(pile), PileStatus.CHARGING,
        datetime(2026, 11, 26, 4, tzinfo=UTC), lat, lon,
    )  # fmt: skip


class Encoder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, event: PileStatusChanged) -> str:
        self.calls += 1
        return f"frame {event.pile_id}"


async def next_frame(frames) -> str:
    return await asyncio.wait_for(anext(frames), timeout=2)


async def test_each_stream_gets_the_frames_inside_its_box_encoded_once():
    bus, encode = InProcessEventBus(), Encoder()
    live = LiveFanout(bus, encode)
    shanghai = [await live.frames(SHANGHAI) for _ in range(3)]
    beijing = await live.frames(BEIJING)
    everything = await live.frames(None)

    await bus.publish([change("P1"), change("P2", lat=39.9, lon=116.4)])

    for frames in shanghai:
        assert await next_frame(frames) == "frame P1"
    assert await next_frame(beijing) == "frame P2"
    assert [await next_frame(everything) for _ in range(2)] == ["frame P1", "frame P2"]
    assert encode.calls == 2
    await live.aclose()


async def test_a_stream_misses_nothing_published_after_it_subscribed():
    bus = InProcessEventBus()
    live = LiveFanout(bus, Encoder())
    frames = await live.frames(None)
    await bus.publish([change("P1")])

    assert await next_frame(frames) == "frame P1"
    await live.aclose()


async def test_a_slow_stream_loses_its_oldest_frames_and_holds_no_one_back():
    bus = InProcessEventBus()
    live = LiveFanout(bus, Encoder())
    slow, quick = await live.frames(None), await live.frames(None)
    got = []
    for batch in range(11):
        await bus.publish([change(f"P{100 * batch + i}") for i in range(100)])
        got += [await next_frame(quick) for _ in range(100)]

    assert got == [f"frame P{i}" for i in range(1_100)]
    assert await next_frame(slow) == "frame P100"  # the first 100 made room
    await live.aclose()


def failing(times: int) -> type[InProcessEventBus]:
    """A bus whose first ``times`` subscriptions break on their first read."""

    class Failing(InProcessEventBus):
        left = times

        async def subscribe(self):
            if self.left:
                self.left -= 1

                async def broken():
                    await asyncio.sleep(0.05)
                    raise ConnectionError("redis went away")
                    yield  # an async generator

                return broken()
            return await super().subscribe()

    return Failing


async def test_a_failed_read_subscribes_again_and_the_streams_go_on():
    bus = failing(1)()
    live = LiveFanout(bus, Encoder())
    frames = await live.frames(None)
    await asyncio.sleep(0.7)  # the read fails, the fan-out subscribes again

    await bus.publish([change("P1")])
    assert await next_frame(frames) == "frame P1"
    await live.aclose()


async def test_when_the_bus_keeps_failing_every_stream_ends_and_a_new_one_reads():
    class Unreachable(InProcessEventBus):
        calls = 0

        async def subscribe(self):
            self.calls += 1
            if self.calls == 2:
                raise ConnectionError("redis is down")
            return (
                await failing(1)().subscribe()
                if self.calls == 1
                else (await super().subscribe())
            )

    bus = Unreachable()
    live = LiveFanout(bus, Encoder())
    frames = await live.frames(None)
    with pytest.raises(StopAsyncIteration):
        await next_frame(frames)

    again = await live.frames(None)
    await bus.publish([change("P1")])
    assert await next_frame(again) == "frame P1"
    await live.aclose()
