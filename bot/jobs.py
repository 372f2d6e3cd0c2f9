"""Scheduled jobs of the core (session expiry, data retention) and scheduler leader election."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, text, update

from bot.storage.models import ConversationRow, InboxRow, OutboxRow, TurnEventRow

if TYPE_CHECKING:
    from bot.app import Runtime

logger = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x0B5B07  # "opsbot" scheduler leadership


async def expire_sessions(runtime: Runtime) -> int:
    """Close sessions idle for longer than the TTL: forms and slots are cleared, history is kept."""
    now = runtime.clock()
    cutoff = now - timedelta(minutes=runtime.config.settings.dialogue.session_ttl_minutes)
    async with runtime.sessionmaker() as s, s.begin():
        idle = (
            await s.execute(
                select(ConversationRow.key, ConversationRow.active_form, ConversationRow.slots).where(
                    ConversationRow.last_activity_at < cutoff
                )
            )
        ).all()
        keys = [row.key for row in idle if row.active_form is not None or row.slots]
        if keys:
            await s.execute(
                update(ConversationRow)
                .where(ConversationRow.key.in_(keys), ConversationRow.last_activity_at < cutoff)
                .values(active_form=None, slots={}, version=ConversationRow.version + 1)
            )
            for key in keys:
                s.add(
                    TurnEventRow(
                        conversation_key=key, kind="system", data={"event": "session_expired"}, created_at=now
                    )
                )
    return len(keys)


async def apply_retention(runtime: Runtime) -> int:
    """Delete finished pipeline rows older than scheduler.retention_days; the turn log is kept."""
    cutoff = runtime.clock() - timedelta(days=runtime.config.settings.scheduler.retention_days)
    async with runtime.sessionmaker() as s, s.begin():
        a = await s.execute(delete(InboxRow).where(InboxRow.status == "done", InboxRow.received_at < cutoff))
        b = await s.execute(
            delete(OutboxRow).where(OutboxRow.status == "sent", OutboxRow.created_at < cutoff)
        )
    return int(a.rowcount or 0) + int(b.rowcount or 0)


def install_core_jobs(runtime: Runtime) -> None:
    scheduler = runtime.scheduler
    if scheduler is None:
        return
    every = runtime.config.settings.scheduler.session_expiry_seconds
    scheduler.add_job(
        expire_sessions,
        "interval",
        seconds=every,
        args=[runtime],
        id="expire_sessions",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        apply_retention,
        "cron",
        hour=3,
        minute=17,
        args=[runtime],
        id="retention",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )


class SchedulerLeader:
    """Exactly one process runs the scheduler: the holder of a PostgreSQL advisory lock.

    The lock lives on a dedicated connection; if that process dies, the connection closes, the lock is
    released and another process takes over at its next attempt. SQLite means one process: always leader.
    """

    def __init__(self, runtime: Runtime, *, retry_seconds: float = 10.0) -> None:
        self._runtime = runtime
        self._retry = retry_seconds
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None
        self.is_leader = False

    async def start(self) -> None:
        if self._runtime.engine.dialect.name != "postgresql":
            self._lead()
            return
        self._task = asyncio.create_task(self._campaign(), name="scheduler-leader")

    async def _campaign(self) -> None:
        while not self.is_leader:
            try:
                conn = await self._runtime.engine.connect()
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
            await asyncio.sleep(self._retry)

    def _lead(self) -> None:
        self.is_leader = True
        scheduler = self._runtime.scheduler
        if scheduler is not None and not scheduler.running:
            scheduler.start()
        logger.info("this process runs the scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
        self.is_leader = False
