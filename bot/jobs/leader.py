"""Exactly one process runs the scheduler: the holder of a PostgreSQL advisory lock."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from dialogue.clock import Sleep

logger = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x0B5B07  # "opsbot" scheduler leadership


class SchedulerLeader:
    """Starts the scheduler in the process that wins the lock; retries until it does.

    The lock lives on a dedicated connection: if that process dies, the connection closes, the lock is
    released and another process takes over at its next attempt. SQLite means one process: always leader.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        scheduler: AsyncIOScheduler,
        *,
        retry_seconds: float = 10.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._engine = engine
        self._scheduler = scheduler
        self._retry = retry_seconds
        self._sleep = sleep
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None
        self.is_leader = False

    async def start(self) -> None:
        if self._engine.dialect.name != "postgresql":
            self._lead()
            return
        self._task = asyncio.create_task(self._campaign(), name="scheduler-leader")

    async def _campaign(self) -> None:
        while not self.is_leader:
            try:
                conn = await self._engine.connect()
                got = (
                    await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
                ).scalar()
                await conn.commit()
                if got:
                    self._conn = conn
                    self._lead()
                    return
                await conn.close()
            except Exception:
                logger.warning("scheduler leader election failed; retrying", exc_info=True)
            await self._sleep(self._retry)

    def _lead(self) -> None:
        self.is_leader = True
        if not self._scheduler.running:
            self._scheduler.start()
        logger.info("this process runs the scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
        self.is_leader = False
