"""Which processes are alive: each holds a PostgreSQL advisory lock named after it while it runs.

A process that dies (even by kill -9) loses its connection, and with it the lock, at once. So at
start-up a process can tell the rows a dead process left in flight from those a live one is working on,
and reclaim only the former. On SQLite there is one process: everything in flight at start-up is dead.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.inbox import Inbox
from bot.storage.outbox import Outbox

logger = logging.getLogger(__name__)


def new_holder() -> str:
    """This process's name on the leases it takes."""
    return f"{socket.gethostname()[:48]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lock_key(holder: str) -> int:
    """A signed 64-bit advisory lock key for `holder`."""
    return int.from_bytes(hashlib.blake2b(holder.encode(), digest_size=8).digest(), "big", signed=True)


class Liveness:
    def __init__(self, engine: AsyncEngine, holder: str) -> None:
        self._engine = engine
        self.holder = holder
        self._conn: Any = None

    @property
    def _postgres(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    async def announce(self) -> None:
        """Hold this process's lock for as long as it runs (PostgreSQL only)."""
        if not self._postgres or self._conn is not None:
            return
        conn = await self._engine.connect()
        await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": lock_key(self.holder)})
        await conn.commit()
        self._conn = conn

    async def retire(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None

    async def dead(self, holders: list[str]) -> list[str]:
        """The holders among `holders` whose process is gone."""
        others = [h for h in holders if h != self.holder]
        if not others or not self._postgres:
            return others
        gone: list[str] = []
        async with self._engine.connect() as conn:
            for holder in others:
                got = (
                    await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key(holder)})
                ).scalar()
                if got:
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key(holder)})
                    gone.append(holder)
            await conn.commit()
        return gone

    async def reclaim(self, inbox: Inbox, outbox: Outbox) -> tuple[int, int]:
        """Make what dead processes left in flight due again: all of it on SQLite (one process)."""
        if not self._postgres:
            return await inbox.release_held_by(None), await outbox.release_held_by(None)
        dead = await self.dead(sorted({*await inbox.holders_in_flight(), *await outbox.holders_in_flight()}))
        if not dead:
            return 0, 0
        released = await inbox.release_held_by(dead), await outbox.release_held_by(dead)
        logger.warning("reclaimed %s messages and %s sends left in flight by %s", *released, ", ".join(dead))
        return released
