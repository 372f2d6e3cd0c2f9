"""Fixtures shared by the adapter tests: pacing time under the test's control."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import limits.aio.storage.memory
import pytest


@dataclass
class PacingTime:
    """A clock for `limits`' memory storage and the Pacer; it moves only when told.

    With `auto` (the default) every sleep moves the clock by its length at once, so sequential sends
    run instantly. Without it a sleep waits until the test calls `advance`, so concurrent senders can
    be observed while they wait.
    """

    now: float = 1_000.0
    auto: bool = True
    waits: list[float] = field(default_factory=list)
    _moved: asyncio.Event = field(default_factory=asyncio.Event)

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 6))
        deadline = self.now + seconds
        if self.auto:
            self.now = deadline
            return
        while self.now < deadline:
            moved = self._moved
            await moved.wait()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()


@pytest.fixture
def pacing_time(monkeypatch: pytest.MonkeyPatch) -> PacingTime:
    """Fake time for pacing: `limits`' memory storage reads `time.time()` through its module's `time`
    name, which is replaced here; pass `sleep=pacing_time.sleep, clock=pacing_time.time` to the Pacer."""
    fake = PacingTime()
    monkeypatch.setattr(limits.aio.storage.memory, "time", fake)
    return fake
