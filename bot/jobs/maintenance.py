"""Housekeeping jobs: close idle sessions, delete old pipeline rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from bot.storage.dialect import Sessionmaker
from bot.storage.tables import ConversationRow, GeneratedFileRow, InboxRow, OutboxRow, TurnEventRow
from dialogue.clock import Clock


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


async def apply_retention(sessionmaker: Sessionmaker, *, clock: Clock, days: int) -> int:
    """Delete finished pipeline rows and generated files older than `days`; the turn log is kept."""
    cutoff = clock() - timedelta(days=days)
    async with sessionmaker.begin() as s:
        a = await s.execute(delete(InboxRow).where(InboxRow.status == "done", InboxRow.received_at < cutoff))
        b = await s.execute(
            delete(OutboxRow).where(OutboxRow.status == "sent", OutboxRow.created_at < cutoff)
        )
        c = await s.execute(delete(GeneratedFileRow).where(GeneratedFileRow.created_at < cutoff))
    return sum(int(r.rowcount or 0) for r in (a, b, c))  # type: ignore[attr-defined,misc]
