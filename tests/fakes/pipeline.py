"""Driving the durable pipeline by hand in tests: a message, the rows of a table, and a drain of the work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from dialogue.messages import ConversationKey, IncomingMessage, Platform, Sender

SENT_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a fixed instant: nothing here depends on the day


def msg(chat: str, text: str, ext: str, platform: Platform = Platform.WEB) -> IncomingMessage:
    return IncomingMessage(
        platform=platform,
        conversation=ConversationKey(platform, chat),
        sender=Sender(chat),
        text=text,
        external_id=ext,
        timestamp=SENT_AT,
    )


async def rows(runtime: Any, model: Any) -> list[Any]:
    async with runtime.store.sessionmaker() as s:
        return list(
            (
                await s.execute(select(model).order_by(model.id if hasattr(model, "id") else model.key))
            ).scalars()
        )


async def drain(runtime: Any, *, rounds: int = 50) -> None:
    """Run workers and the sender in the foreground until nothing is due."""
    for _ in range(rounds):
        busy = False
        for worker in runtime.workers:
            busy = await worker.run_once() or busy
        assert runtime.sender is not None
        busy = bool(await runtime.sender.run_once()) or busy
        if not busy:
            return
