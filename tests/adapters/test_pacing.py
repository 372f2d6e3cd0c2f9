"""The shared Pacer on `limits`: per-key and overall rates, cool-downs; time is fake (see conftest)."""

from __future__ import annotations

import asyncio

import pytest
from limits.aio.storage import MemoryStorage

from adapters.pacing import Pacer, Rate, storage_from_uri
from tests.adapters.conftest import PacingTime


def pacer(time: PacingTime, per_key: Rate | None, overall: Rate | None = None) -> Pacer:
    return Pacer(per_key=per_key, overall=overall, sleep=time.sleep, clock=time.time)


async def settle() -> None:
    """Let every ready task run until it blocks."""
    for _ in range(20):
        await asyncio.sleep(0)


# --- rates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [(30.0, Rate(30, 1)), (1000.0, Rate(1000, 1)), (0.5, Rate(1, 2)), (2.5, Rate(5, 2)), (0.0, None)],
)
def test_rate_per_second(rate: float, expected: Rate | None) -> None:
    assert Rate.per_second(rate) == expected


@pytest.mark.parametrize(
    ("interval", "expected"),
    [(1.0, Rate(1, 1)), (1.5, Rate(2, 3)), (0.5, Rate(2, 1)), (0.1, Rate(10, 1)), (0.0, None)],
)
def test_rate_one_every(interval: float, expected: Rate | None) -> None:
    assert Rate.one_every(interval) == expected


def test_negative_rates_are_refused() -> None:
    with pytest.raises(ValueError):
        Rate.per_second(-1)
    with pytest.raises(ValueError):
        Rate.one_every(-0.5)
    with pytest.raises(ValueError):
        Rate(0, 1)


# --- pacing ---------------------------------------------------------------------------------------


async def test_a_second_send_to_the_same_chat_waits_its_interval(pacing_time: PacingTime) -> None:
    chats = pacer(pacing_time, Rate.one_every(1.0))
    await chats.acquire("a")
    await chats.acquire("b")  # another chat: no wait
    await chats.acquire("a")  # same chat: 1 s after its previous message
    await chats.acquire("a")
    assert pacing_time.waits == [1.0, 1.0]
    assert pacing_time.now == 1002.0


async def test_the_overall_rate_holds_across_chats_and_sends_leave_evenly(pacing_time: PacingTime) -> None:
    chats = pacer(pacing_time, Rate.one_every(1.0), overall=Rate.per_second(2))
    starts = []
    for chat in "abc":
        await chats.acquire(chat)
        starts.append(pacing_time.now)
    # two a second overall, and one every half second at most: never a second's worth at once
    assert starts[:2] == pytest.approx([1000.0, 1000.5], abs=0.02)
    assert starts[2] >= 1001.0  # the third waits for the window


async def test_a_busy_chat_does_not_hold_back_the_others(pacing_time: PacingTime) -> None:
    pacing_time.auto = False
    chats = pacer(pacing_time, Rate.one_every(1.0), overall=Rate.per_second(30))
    await chats.acquire("busy")
    queued = [asyncio.create_task(chats.acquire("busy")) for _ in range(2)]
    await settle()
    quiet = asyncio.create_task(chats.acquire("quiet"))
    await settle()
    pacing_time.advance(0.0625)  # more than one overall spacing (1/30 s): the quiet chat's turn
    await asyncio.wait_for(quiet, timeout=1)
    assert [task.done() for task in queued] == [False, False]

    pacing_time.advance(0.9375)  # one more "busy" message a second
    done, waiting = await asyncio.wait(queued, timeout=5, return_when=asyncio.FIRST_COMPLETED)
    assert (len(done), len(waiting)) == (1, 1)
    await settle()
    assert not waiting.pop().done()
    pacing_time.advance(1.0)
    await asyncio.wait_for(asyncio.gather(*queued), timeout=5)
    assert pacing_time.now == 1002.0


async def test_without_rates_nothing_waits(pacing_time: PacingTime) -> None:
    free = pacer(pacing_time, per_key=None)
    for _ in range(50):
        await free.acquire("a")
    assert pacing_time.waits == []


# --- cool-down after a 429 -------------------------------------------------------------------------


async def test_cool_down_counts_down_with_the_clock(pacing_time: PacingTime) -> None:
    channels = pacer(pacing_time, Rate.one_every(1.0))
    assert await channels.cooling_down("C1") == 0.0
    await channels.cool_down("C1", 7)
    assert await channels.cooling_down("C1") == 7.0
    assert await channels.cooling_down("C2") == 0.0  # only the channel that got the 429
    pacing_time.advance(3)
    assert await channels.cooling_down("C1") == 4.0
    pacing_time.advance(4)
    assert await channels.cooling_down("C1") == 0.0


async def test_cool_down_rounds_up_to_whole_seconds_and_can_be_renewed(pacing_time: PacingTime) -> None:
    channels = pacer(pacing_time, None)
    await channels.cool_down("C1", 0.2)
    assert await channels.cooling_down("C1") == 1.0
    await channels.cool_down("C1", 30)
    assert await channels.cooling_down("C1") == 30.0


# --- storage ---------------------------------------------------------------------------------------


def test_storage_is_chosen_by_uri() -> None:
    assert isinstance(storage_from_uri("memory://"), MemoryStorage)
    assert isinstance(storage_from_uri("async+memory://"), MemoryStorage)
    redis = storage_from_uri("redis://127.0.0.1:6379/0")  # built lazily: nothing connects yet
    assert type(redis).__name__ == "RedisStorage"
    with pytest.raises(Exception, match="unknown storage scheme"):
        storage_from_uri("nosuch://x")


async def test_pacers_sharing_a_storage_share_their_limits(pacing_time: PacingTime) -> None:
    shared = MemoryStorage()
    first = Pacer(per_key=Rate(1, 1), storage=shared, sleep=pacing_time.sleep, clock=pacing_time.time)
    second = Pacer(per_key=Rate(1, 1), storage=shared, sleep=pacing_time.sleep, clock=pacing_time.time)
    await first.acquire("a")
    await second.acquire("a")  # like a second process on the same Redis
    assert pacing_time.waits == [1.0]
