"""In-process wake-ups: workers wake on new inbox rows, the sender on new outbox rows, and each web
chat request on its own message being answered."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable


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


class DoneBoard:
    """Wakes the waiters of particular inbox rows when their turns are committed."""

    def __init__(self) -> None:
        self._waiting: dict[int, set[asyncio.Event]] = {}

    def notify(self, inbox_ids: Iterable[int] | None = None) -> None:
        """Wake the waiters of `inbox_ids`; None (news from another process, no ids) wakes them all."""
        wanted = self._waiting if inbox_ids is None else {i: self._waiting.get(i, set()) for i in inbox_ids}
        for events in list(wanted.values()):
            for event in events:
                event.set()

    async def wait(self, inbox_id: int, timeout: float) -> None:  # noqa: ASYNC109
        event = asyncio.Event()
        self._waiting.setdefault(inbox_id, set()).add(event)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
        finally:
            events = self._waiting.get(inbox_id)
            if events is not None:
                events.discard(event)
                if not events:
                    del self._waiting[inbox_id]
