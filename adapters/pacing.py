"""Send pacing for every adapter, on the `limits` rate-limit library.

A `Pacer` waits until one more send may go to a key (a Telegram chat, a Slack channel) and, when an
overall rate is set, until one more may go at all. A chat waiting for its own slot takes no overall
slot, so a busy chat never holds back the others. After a 429 the adapter records a cool-down for
the key; `cooling_down` tells how long is left, so a sender can fail fast instead of waiting.

The counters live in a `limits` async storage chosen by URI: `memory://` (one process, the default)
or `redis://...` (shared by every process). Per-key limits use a fixed window that opens at the
first send (one counter per chat: cheap with many chats); the overall limit uses a moving window
(no more than N sends in any window), and each process spaces its own sends evenly under it, so
that no window's worth leaves in one burst. `limits` counts whole seconds, so a rate is kept as
"amount per seconds" (one every 0.5 s is 2 per second).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter
from limits.storage import storage_from_string

Sleep = Callable[[float], Awaitable[None]]
EpochClock = Callable[[], float]  # seconds since the epoch, the clock `limits` storages use

_MAX_WINDOW_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Rate:
    """At most `amount` sends in any `seconds` seconds."""

    amount: int
    seconds: int

    def __post_init__(self) -> None:
        if self.amount < 1 or self.seconds < 1:
            raise ValueError(f"a rate needs amount >= 1 and seconds >= 1, not {self}")

    @classmethod
    def per_second(cls, rate: float) -> Rate | None:
        """`rate` sends per second (30.0 -> 30 per 1 s, 0.5 -> 1 per 2 s); None (no limit) for 0."""
        if rate < 0:
            raise ValueError(f"a rate cannot be negative: {rate}")
        return cls._of(Fraction(rate)) if rate else None

    @classmethod
    def one_every(cls, interval: float) -> Rate | None:
        """One send per `interval` seconds (1.0 -> 1 per 1 s, 1.5 -> 2 per 3 s); None (no limit) for 0."""
        if interval < 0:
            raise ValueError(f"an interval cannot be negative: {interval}")
        return cls._of(1 / Fraction(interval)) if interval else None

    @classmethod
    def _of(cls, per_second: Fraction) -> Rate:
        rate = per_second.limit_denominator(_MAX_WINDOW_SECONDS)
        if rate == 0:
            return cls(1, _MAX_WINDOW_SECONDS)
        return cls(rate.numerator, rate.denominator)

    def item(self, namespace: str) -> RateLimitItem:
        return RateLimitItemPerSecond(self.amount, self.seconds, namespace=namespace)


def storage_from_uri(uri: str, **options: Any) -> Storage:
    """An async `limits` storage: "memory://" or "redis://host:6379/0" ("async+" is implied)."""
    full = uri if uri.startswith("async+") else f"async+{uri}"
    if full.startswith(("async+redis", "async+rediss")):
        options.setdefault("implementation", "redispy")  # redis-py is a dependency already
    storage = storage_from_string(full, **options)
    if not isinstance(storage, Storage):
        raise ValueError(f"not an async rate-limit storage: {uri!r}")
    return storage


class Pacer:
    """Paces sends per key and overall, and remembers per-key cool-downs after a 429.

    `clock` must tell the time the storage tells (epoch seconds); `sleep` is injectable so that
    tests never wait for real.
    """

    def __init__(
        self,
        *,
        per_key: Rate | None,
        overall: Rate | None = None,
        namespace: str = "opsbot",
        storage_uri: str = "memory://",
        storage: Storage | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: EpochClock = time.time,
        min_wait: float = 0.01,
    ) -> None:
        self.storage = storage if storage is not None else storage_from_uri(storage_uri)
        self._namespace = namespace
        self._per_key = per_key.item(f"{namespace}:key") if per_key else None
        self._overall = overall.item(f"{namespace}:all") if overall else None
        self._key_limiter = FixedWindowRateLimiter(self.storage)
        self._overall_limiter = MovingWindowRateLimiter(self.storage)
        self._sleep = sleep
        self._clock = clock
        self._min_wait = min_wait
        # This process's sends are spread evenly (one per spacing) before they take a shared slot, so
        # that a moving window's worth never leaves at once: a burst that the network and the event
        # loop spread out can arrive closer to the next one than the window allows.
        self._spacing = overall.seconds / overall.amount if overall else 0.0
        self._next_start = 0.0

    async def acquire(self, key: str) -> None:
        """Wait until one more send to `key` is allowed: first the key's slot, then an overall one."""
        if self._per_key is not None:
            await self._wait_for(self._key_limiter, self._per_key, key)
        if self._overall is not None:
            now = self._clock()
            start = max(now, self._next_start)
            self._next_start = start + self._spacing  # reserved before any await: one slot per caller
            if start > now:
                await self._sleep(start - now)
            await self._wait_for(self._overall_limiter, self._overall, "all")

    async def _wait_for(self, limiter: RateLimiter, item: RateLimitItem, key: str) -> None:
        while not await limiter.hit(item, key):
            stats = await limiter.get_window_stats(item, key)
            wait = stats.reset_time - self._clock()
            await self._sleep(wait if wait > 0 else self._min_wait)

    async def sent(self, key: str) -> None:
        """A send to `key` has completed: its window starts again now, so the next send to `key` arrives
        at least one interval after this one did, whatever the network took."""
        if self._per_key is None:
            return
        await self._key_limiter.clear(self._per_key, key)
        await self._key_limiter.hit(self._per_key, key)

    def _cool_down_key(self, key: str) -> str:
        return f"{self._namespace}:cool-down/{key}"

    async def cool_down(self, key: str, seconds: float) -> None:
        """Hold `key` back for `seconds` (a 429's Retry-After, rounded up to whole seconds)."""
        name = self._cool_down_key(key)
        await self.storage.clear(name)
        await self.storage.incr(name, max(1, math.ceil(seconds)))

    async def cooling_down(self, key: str) -> float:
        """Seconds left of `key`'s cool-down; 0.0 when there is none."""
        name = self._cool_down_key(key)
        if await self.storage.get(name) <= 0:
            return 0.0
        left = await self.storage.get_expiry(name) - self._clock()
        return left if left > 0 else self._min_wait
