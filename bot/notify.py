"""In-process wake-ups: workers wake on new inbox rows, the sender on new outbox rows, and each web
chat request on its own message being answered."""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dialogue.messages import OutgoingMessage


class Notifier:
    """Wakes everyone waiting (a worker, the sender) when something may be due."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


@dataclass(frozen=True, slots=True)
class Done:
    """An inbox row's turn is finished; `replies` are what it queued when this process committed it,
    None when that is not known here (another process did, or it was given up): read them back."""

    replies: tuple[OutgoingMessage, ...] | None = None


class DoneBoard:
    """Wakes the waiters of particular inbox rows when their turns are committed, handing them the
    replies when this process committed them; remembers the latest so that a waiter that comes late
    (the turn was quicker than its request) is not left waiting."""

    def __init__(self, remember: int = 4096) -> None:
        self._waiting: dict[int, set[_Waiter]] = {}
        self._recent: OrderedDict[int, Done] = OrderedDict()
        self._remember = remember

    def notify(
        self,
        inbox_ids: Iterable[int] | None = None,
        replies: Mapping[int, tuple[OutgoingMessage, ...]] | None = None,
    ) -> None:
        """Wake the waiters of `inbox_ids` (with their `replies` when known); None (news from another
        process, no ids) wakes them all, to look for themselves."""
        if inbox_ids is None:
            for waiters in list(self._waiting.values()):
                for waiter in waiters:
                    waiter.wake(None)
            return
        known = replies or {}
        for inbox_id in inbox_ids:
            done = Done(known.get(inbox_id))
            self._recent[inbox_id] = done
            self._recent.move_to_end(inbox_id)
            for waiter in self._waiting.get(inbox_id, ()):
                waiter.wake(done)
        while len(self._recent) > self._remember:
            self._recent.popitem(last=False)

    async def wait(self, inbox_id: int, timeout: float) -> Done | None:  # noqa: ASYNC109
        """Until `inbox_id` is done (Done), or the timeout or news of unknown rows (None: look)."""
        recent = self._recent.get(inbox_id)
        if recent is not None:
            return recent
        waiter = _Waiter()
        self._waiting.setdefault(inbox_id, set()).add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.event.wait(), timeout)
            return waiter.done
        finally:
            waiters = self._waiting.get(inbox_id)
            if waiters is not None:
                waiters.discard(waiter)
                if not waiters:
                    del self._waiting[inbox_id]


class _Waiter:
    __slots__ = ("done", "event")

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.done: Done | None = None

    def wake(self, done: Done | None) -> None:
        self.done = self.done or done
        self.event.set()
