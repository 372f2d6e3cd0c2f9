"""Waiting for the replies to one stored message (the web chat and the terminal chat answer inline)."""

from __future__ import annotations

import asyncio

from bot.notify import DoneBoard
from bot.storage.store import PipelineStore
from dialogue.messages import OutgoingMessage


class ReplyWaiter:
    def __init__(self, store: PipelineStore, *, done: DoneBoard) -> None:
        self._store = store
        self._done = done

    async def __call__(self, inbox_id: int, timeout: float) -> list[OutgoingMessage] | None:  # noqa: ASYNC109
        """Wait until the pipeline has finished inbox row `inbox_id`; its replies, or None on timeout.

        When this process committed the turn, the replies come with the news and nothing is read;
        otherwise (another process, a message given up) they are read from the outbox.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            done = await self._done.wait(inbox_id, max(0.0, min(deadline - loop.time(), 1.0)))
            if done is not None and done.replies is not None:
                return list(done.replies)
            if await self._store.inbox.status(inbox_id) in ("done", "dead"):
                return [msg for _id, msg in await self._store.outbox.replies_for(inbox_id)]
            if deadline - loop.time() <= 0:
                return None
