"""Notifications held through quiet hours are queued to the outbox once the hours end."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import orm, select, update

from bot.storage.dialect import Sessionmaker
from bot.storage.outbox import add_to_outbox
from bot.storage.serde import outgoing_from_json
from bot.storage.tables import ConversationRow, NotificationRow
from dialogue.clock import Clock
from dialogue.notifications import notifications_off

logger = logging.getLogger(__name__)

JOB_NAME = "release_notifications"


def _release(db: orm.Session, now_clock: Clock) -> int:
    now = now_clock()
    held = db.execute(
        select(NotificationRow.id, NotificationRow.conversation_key, NotificationRow.payload)
        .where(NotificationRow.status == "held", NotificationRow.release_at <= now)
        .order_by(NotificationRow.id)
    ).all()
    if not held:
        return 0
    keys = list({row.conversation_key for row in held})
    query = select(ConversationRow.key, ConversationRow.state).where(ConversationRow.key.in_(keys))
    states = {key: state for key, state in db.execute(query)}
    released = 0
    for row in held:
        if notifications_off(states.get(row.conversation_key) or {}):  # turned off during the night
            db.execute(update(NotificationRow).where(NotificationRow.id == row.id).values(status="dropped"))
            continue
        outbox_id = add_to_outbox(db, outgoing_from_json(row.payload), None, now)
        db.execute(
            update(NotificationRow)
            .where(NotificationRow.id == row.id, NotificationRow.status == "held")
            .values(status="queued", outbox_id=outbox_id)
        )
        released += 1
    return released


async def release_held(
    sessionmaker: Sessionmaker, *, clock: Clock, wake: Callable[[], None] | None = None
) -> int:
    """Queue every held notification whose quiet hours are over; the number queued."""
    async with sessionmaker.begin() as s:
        released = await s.run_sync(_release, clock)
    if released:
        logger.info("released %s notifications held through quiet hours", released)
        if wake is not None:
            wake()
    return released
