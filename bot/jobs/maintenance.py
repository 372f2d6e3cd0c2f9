"""Housekeeping jobs: close idle sessions, delete old pipeline rows, pushed batches and handbook syncs."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select, update

from bot.api.batches import APPLIED, FAILED, REJECTED
from bot.storage.dialect import Sessionmaker
from bot.storage.tables import (
    ApiBatchRow,
    ConversationRow,
    GeneratedFileRow,
    InboxRow,
    OutboxRow,
    TurnEventRow,
)
from dialogue.clock import Clock
from dialogue.handbook_store import KEEP_PREVIOUS, prune_versions

logger = logging.getLogger(__name__)


async def expire_sessions(sessionmaker: Sessionmaker, *, clock: Clock, ttl: timedelta) -> int:
    """Close sessions idle for longer than the TTL: forms and slots are cleared, history is kept."""
    now = clock()
    cutoff = now - ttl
    async with sessionmaker.begin() as s:
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


async def apply_retention(
    sessionmaker: Sessionmaker,
    *,
    clock: Clock,
    days: int,
    batch_days: int | None = None,
    handbook_store: Path | None = None,
    handbook_keep: int = KEEP_PREVIOUS,
) -> int:
    """Delete finished pipeline rows and generated files older than `days`; the turn log is kept.

    With `batch_days`, finished pushed batches older than that go too (`prune_batches`); with
    `handbook_store`, the synced handbooks but the current one and `handbook_keep` before it.
    """
    cutoff = clock() - timedelta(days=days)
    async with sessionmaker.begin() as s:
        a = await s.execute(delete(InboxRow).where(InboxRow.status == "done", InboxRow.received_at < cutoff))
        b = await s.execute(
            delete(OutboxRow).where(OutboxRow.status == "sent", OutboxRow.created_at < cutoff)
        )
        c = await s.execute(delete(GeneratedFileRow).where(GeneratedFileRow.created_at < cutoff))
    deleted = sum(int(r.rowcount or 0) for r in (a, b, c))  # type: ignore[attr-defined,misc]
    if batch_days is not None:
        deleted += await prune_batches(sessionmaker, clock=clock, days=batch_days)
    if handbook_store is not None:
        try:
            deleted += len(
                await asyncio.to_thread(prune_versions, handbook_store, keep_previous=handbook_keep)
            )
        except OSError:
            logger.exception("old handbook syncs in %s were not deleted", handbook_store)
    return deleted


async def prune_batches(sessionmaker: Sessionmaker, *, clock: Clock, days: int) -> int:
    """Delete pushed batches received more than `days` ago that are finished (applied, rejected or
    failed): a request with one of their idempotency keys is then a new batch. Queued ones are kept."""
    cutoff = clock() - timedelta(days=days)
    async with sessionmaker.begin() as s:
        result = await s.execute(
            delete(ApiBatchRow).where(
                ApiBatchRow.status.in_((APPLIED, REJECTED, FAILED)), ApiBatchRow.received_at < cutoff
            )
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
